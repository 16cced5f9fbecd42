// 个人发放明细 — Payments received by a person
// model: -
// All payments received by one person, newest first, with program, place and source.
// params: $pid (STRING) person key
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid = $pid
RETURN pay.pay_id AS pay_id, pay.program AS program, pay.amount AS amount, pay.pay_date AS pay_date,
       pay.period AS period, pay.town AS town, pay.village AS village, pay.household_id AS household_id,
       pay.account_number AS account_number, pay.src_fid AS src_fid, pay.src_line AS src_line
ORDER BY pay_date DESC, pay_id
