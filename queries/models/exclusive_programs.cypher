// 互斥项目 — Two programs of one exclusive group for the same period
// model: EXCLUSIVE_PROGRAMS (7)
// Payments of a program in an exclusive group (互斥组) to a person who was paid by
// another program of the same group for the same period (equal, or a year and a month
// of it). People are first narrowed to those paid by two programs of one group within
// one period year.
// params: none
MATCH (g:Program)
WHERE g.exclusive_group IS NOT NULL
MATCH (p:Person)-[:RECEIVED]->(x:Payment)
WHERE x.program = g.name AND x.id_valid = true
WITH p, g.exclusive_group AS grp, x.period_year AS year, count(DISTINCT x.program) AS programs
WHERE programs > 1
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.period_year = year AND pay.id_valid = true
MATCH (ga:Program)
WHERE ga.name = pay.program AND ga.exclusive_group = grp
MATCH (p)-[:RECEIVED]->(other:Payment)
WHERE other.period_year = year AND other.id_valid = true AND other.program <> pay.program
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
MATCH (gb:Program)
WHERE gb.name = other.program AND gb.exclusive_group = grp
RETURN grp AS exclusive_group,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.program) AS other_programs
