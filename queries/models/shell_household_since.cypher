// 空挂户（新批次） — Means-tested payments to households nobody lives in: the rows of a new batch
// model: SHELL_HOUSEHOLD (9)
// The rows of shell_household for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`. A row is one payment
// and its household on the pay day, and an append adds payments only, so the rows of
// older payments stand. The new payments' households need no candidates step: the
// rule below is the whole rule (residents on the pay day, or all members elsewhere),
// written with OPTIONAL MATCH and counts where the full query has EXISTS subqueries,
// and with the payment's columns taken right after it is found: LadybugDB otherwise
// planned the subqueries and the final columns as joins with every household and
// every payment (city month: 11–21 s; this way 1.4–2.5 s).
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since AND pay.resolved = true AND pay.means_tested = true
MATCH (pay)-[:FOR_HOUSEHOLD]->(h:Household)
// the payment's columns now, so that they are read for the new payments only
WITH h, pay.pay_day AS day, pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount, pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village, pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid, pay.src_line AS src_line
// residents on the pay day: members not moved out or deceased before it
OPTIONAL MATCH (m:Person)-[mo:MEMBER_OF]->(h)
WHERE NOT (coalesce(mo.status, '') IN ['迁出', '死亡'] AND (mo.status_day IS NULL OR mo.status_day < day))
OPTIONAL MATCH (m)-[:DIED]->(d:Death)
WHERE d.death_day < day
OPTIONAL MATCH (m)-[x:MEMBER_OF]->(:Household)
WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < day)
WITH h, day, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line, m, count(d) + count(x) AS dead
WITH h, day, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line, sum(CASE WHEN m IS NOT NULL AND dead = 0 THEN 1 ELSE 0 END) AS residents
// 人户分离: every member also registered in another household
OPTIONAL MATCH (n:Person)-[:MEMBER_OF]->(h)
OPTIONAL MATCH (n)-[:MEMBER_OF]->(o:Household)
WHERE o.hid <> h.hid
WITH h, day, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line, residents, n, count(o) AS others
WITH h, day, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line, residents, count(n) AS members, sum(CASE WHEN n IS NOT NULL AND others = 0 THEN 1 ELSE 0 END) AS only_here
WITH h, day, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line, residents, members > 0 AND only_here = 0 AS elsewhere
WHERE residents = 0 OR elsewhere
OPTIONAL MATCH (head:Person)-[hm:MEMBER_OF]->(h)
WHERE hm.relation_to_head = '户主'
RETURN CASE WHEN residents = 0 THEN '无人在册' ELSE '人户分离' END AS basis, h.hid AS hid,
       h.registered AS registered, head.name AS head_name, pay_id, pid, name, program, amount, pay_date, period, town, village, household_id, account_number, src_fid, src_line
