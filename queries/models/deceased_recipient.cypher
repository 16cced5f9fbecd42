// 死亡冒领 — Payments after the recipient's death
// model: DECEASED_RECIPIENT (3)
// Payments (any program) dated more than $death_grace_days days after a death date of
// the recipient: a row of the deaths file, or a dated 死亡 status in a household. One
// row per payment and death record; the person's death date is the earliest of them.
// params: $death_grace_days (INT64, default 30) days after death still tolerated
MATCH (p:Person)-[:DIED]->(d:Death)
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.pay_day > d.death_day + $death_grace_days
RETURN d.death_date AS death_date, d.death_day AS death_day, coalesce(d.source, '死亡信息') AS death_source,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (p:Person)-[m:MEMBER_OF]->(:Household)
WHERE m.status = '死亡' AND m.status_day IS NOT NULL
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.pay_day > m.status_day + $death_grace_days
RETURN m.status_date AS death_date, m.status_day AS death_day, '户籍死亡注销' AS death_source,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
