// 空挂户（新批次） — Means-tested payments to households nobody lives in: the rows of a new batch
// model: SHELL_HOUSEHOLD (9)
// The rows of shell_household for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`. A row is one payment
// and its household on the pay day, and an append adds payments only, so the rows of
// older payments stand. The new payments' households need no candidates step: the
// rule below is the whole rule (residents on the pay day, or all members elsewhere).
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since AND pay.resolved = true AND pay.means_tested = true
MATCH (pay)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (m:Person)-[mo:MEMBER_OF]->(h)
WHERE NOT (coalesce(mo.status, '') IN ['迁出', '死亡'] AND (mo.status_day IS NULL OR mo.status_day < pay.pay_day))
  AND NOT EXISTS { MATCH (m)-[:DIED]->(d:Death) WHERE d.death_day < pay.pay_day }
  AND NOT EXISTS { MATCH (m)-[x:MEMBER_OF]->(:Household) WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < pay.pay_day) }
WITH h, pay, count(m) AS residents
WITH h, pay, residents,
     EXISTS { MATCH (:Person)-[:MEMBER_OF]->(h) }
     AND NOT EXISTS {
       MATCH (n:Person)-[:MEMBER_OF]->(h)
       WHERE NOT EXISTS { MATCH (n)-[:MEMBER_OF]->(o:Household) WHERE o.hid <> h.hid }
     } AS elsewhere
WHERE residents = 0 OR elsewhere
OPTIONAL MATCH (head:Person)-[hm:MEMBER_OF]->(h)
WHERE hm.relation_to_head = '户主'
RETURN CASE WHEN residents = 0 THEN '无人在册' ELSE '人户分离' END AS basis, h.hid AS hid,
       h.registered AS registered, head.name AS head_name,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
