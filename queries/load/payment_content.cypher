// 已导入发放记录内容 — Content of the payments in the store
// model: -
// Read back once when payment_keys.npz is missing or out of date, to rebuild the
// hashes of every payment's 流水号 and content that duplicate detection compares with.
// params: none
MATCH (p:Payment)
RETURN p.pay_id AS pay_id, p.program AS program, p.department AS department, p.name AS name,
       p.id_number AS id_number, p.household_id AS household_id, p.town AS town, p.village AS village,
       p.amount AS amount, p.pay_date AS pay_date, p.period AS period, p.account_number AS account_number,
       p.account_holder AS account_holder, p.src_fid AS src_fid, p.src_line AS src_line
