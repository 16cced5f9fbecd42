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
MATCH (ga:Program), (gb:Program)
WHERE ga.exclusive_group = grp AND gb.exclusive_group = grp AND ga.name <> gb.name
MATCH (p)-[r1:RECEIVED]->(pay:Payment), (p)-[r2:RECEIVED]->(other:Payment)
WHERE r1 <> r2 AND pay.program = ga.name AND other.program = gb.name
  AND pay.period_year = year AND other.period_year = year
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
RETURN grp AS exclusive_group,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.program) AS other_programs
