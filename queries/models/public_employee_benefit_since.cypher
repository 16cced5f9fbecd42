// 财政供养人员领取低保（新批次） — Public employees (or their households) on means-tested benefits: the rows of a new batch
// model: PUBLIC_EMPLOYEE_BENEFIT (4)
// The rows of public_employee_benefit for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (e:Person)-[w:EMPLOYED_AT]->(u:Employer)
MATCH (e)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true
  AND (w.start_day IS NULL OR pay.pay_day >= w.start_day) AND (w.end_day IS NULL OR pay.pay_day <= w.end_day)
RETURN '本人' AS basis, e.pid AS employee_pid, e.name AS employee_name, u.name AS employer,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (e:Person)-[w:EMPLOYED_AT]->(u:Employer)
MATCH (e)-[m:MEMBER_OF]->(:Household)<-[:FOR_HOUSEHOLD]-(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND pay.pid <> e.pid
  AND (w.start_day IS NULL OR pay.pay_day >= w.start_day) AND (w.end_day IS NULL OR pay.pay_day <= w.end_day)
  AND NOT (coalesce(m.status, '') IN ['迁出', '死亡'] AND (m.status_day IS NULL OR m.status_day < pay.pay_day))
  AND NOT EXISTS { MATCH (e)-[:DIED]->(d:Death) WHERE d.death_day < pay.pay_day }
  AND NOT EXISTS { MATCH (e)-[x:MEMBER_OF]->(:Household) WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < pay.pay_day) }
RETURN '同户' AS basis, e.pid AS employee_pid, e.name AS employee_name, u.name AS employer,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
