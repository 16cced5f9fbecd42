// 互斥项目·候选 — People paid by two programs of one exclusive group (first step)
// model: EXCLUSIVE_PROGRAMS (7)
// The recipients with valid (or resolved) ID numbers paid by at least two programs of one exclusive
// group (互斥组) within one period year: the only people exclusive_programs pairs.
// params: none
MATCH (g:Program)
WHERE g.exclusive_group IS NOT NULL
MATCH (x:Payment)
WHERE x.program = g.name AND x.resolved = true
WITH x.pid AS pid, g.exclusive_group AS grp, x.period_year AS year, count(DISTINCT x.program) AS programs
WHERE programs > 1
RETURN DISTINCT pid
