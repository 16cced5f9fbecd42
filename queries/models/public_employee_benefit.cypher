// 财政供养人员领取低保 — Public employees (or their households) on means-tested benefits
// model: PUBLIC_EMPLOYEE_BENEFIT (4)
// Means-tested payments dated while the recipient was a public employee (basis 本人,
// red), or while another resident member of the payment's household was one (basis
// 同户, orange). Resident on the pay day: not moved out (迁出) or deceased before it;
// a 迁出/死亡 status without a date counts as before every day.
// params: none
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
