// 互斥项目·候选 — People paid by two programs of one exclusive group (first step)
// model: EXCLUSIVE_PROGRAMS (7)
// The recipients with valid (or resolved) ID numbers paid by at least two programs of one exclusive
// group (互斥组) within one period year: the only people exclusive_programs pairs.
// "At least two programs" as the first and last program differing (min and max need no
// set of programs per group: city, 1.6-1.7 s where count(DISTINCT) > 1 took 2.0-2.9 s).
// params: none
MATCH (g:Program)
WHERE g.exclusive_group IS NOT NULL
MATCH (x:Payment)
WHERE x.program = g.name AND x.resolved = true
WITH x.pid AS pid, g.exclusive_group AS grp, x.period_year AS year, min(x.program) AS first, max(x.program) AS last
WHERE first <> last
RETURN DISTINCT pid
