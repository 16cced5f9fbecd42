// 死亡冒领（新批次） — Payments after the recipient's death: the rows of a new batch
// model: DECEASED_RECIPIENT (3)
// The rows of deceased_recipient for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
//         $death_grace_days (INT64, default 30) days after death still tolerated
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (p:Person)-[:DIED]->(d:Death)
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.pay_day > d.death_day + $death_grace_days
RETURN d.death_date AS death_date, d.death_day AS death_day, coalesce(d.source, '死亡信息') AS death_source,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (p:Person)-[m:MEMBER_OF]->(:Household)
WHERE m.status = '死亡' AND m.status_day IS NOT NULL
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.pay_day > m.status_day + $death_grace_days
RETURN m.status_date AS death_date, m.status_day AS death_day, '户籍死亡注销' AS death_source,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
