// 身份证号无效 — Payments to an invalid ID number
// model: INVALID_ID (12)
// Payment rows whose ID number failed validation (checksum, birth date, length, or a
// number cell in Excel), with the reason; the subject is the normalised ID value. A
// row that identity resolution linked to a person is still evidence here (models.md),
// with the person it was linked to, the score and the reasons.
// params: none
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE pay.id_valid = false
RETURN pay.id_number AS id_number, pay.id_problem AS id_problem, pay.link_score AS link_score,
       pay.link_reasons AS link_reasons, p.name AS linked_name,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
