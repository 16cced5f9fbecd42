// 身份证号无效（新批次） — Payments to an invalid ID number: the rows of a new batch
// model: INVALID_ID (12)
// The rows of invalid_id for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE pay.id_valid = false
RETURN pay.id_number AS id_number, pay.id_problem AS id_problem, pay.link_score AS link_score,
       pay.link_reasons AS link_reasons, p.name AS linked_name,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
