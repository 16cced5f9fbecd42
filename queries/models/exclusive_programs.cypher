// 互斥项目 — Two programs of one exclusive group for the same period
// model: EXCLUSIVE_PROGRAMS (7)
// Payments of a program in an exclusive group (互斥组) to a person who was paid by
// another program of the same group for the same period (equal, or a year and a month
// of it).
// params: $candidates (list of ID numbers, from exclusive_programs_candidates)
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid IN $candidates AND pay.resolved = true
MATCH (p)-[:RECEIVED]->(other:Payment)
WHERE other.resolved = true AND other.program <> pay.program AND other.period_year = pay.period_year
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
MATCH (ga:Program)
WHERE ga.name = pay.program AND ga.exclusive_group IS NOT NULL
MATCH (gb:Program)
WHERE gb.name = other.program AND gb.exclusive_group = ga.exclusive_group
RETURN ga.exclusive_group AS exclusive_group,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.program) AS other_programs
