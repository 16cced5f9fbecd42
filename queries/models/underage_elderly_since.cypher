// 低龄领取高龄补贴（新批次） — Recipients younger than the program's minimum age: the rows of a new batch
// model: UNDERAGE_ELDERLY (5)
// The rows of underage_elderly for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since AND pay.resolved = true AND pay.min_age IS NOT NULL AND pay.age < pay.min_age
MATCH (p:Person)-[:RECEIVED]->(pay)
RETURN p.birth_date AS birth_date, pay.age AS age, pay.min_age AS min_age,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
