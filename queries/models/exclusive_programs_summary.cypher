// 互斥项目·项目汇总 — Each recipient's first and last program per exclusive group and year (first step)
// model: EXCLUSIVE_PROGRAMS (7)
// For each recipient with a valid (or resolved) ID number, exclusive group (互斥组) and
// period year, the first and last program of their payments. The candidates are the
// people for whom the two differ in some group and year (paid by at least two programs
// of one group): the only people exclusive_programs pairs. min and max need no set of
// programs per group (city, 1.6-1.7 s where count(DISTINCT) > 1 took 2.0-2.9 s). Every
// group is returned, not only the candidates', because a scan keeps this summary for
// `scan --since` (exclusive_programs_since_summary).
// params: none
MATCH (g:Program)
WHERE g.exclusive_group IS NOT NULL
MATCH (x:Payment)
WHERE x.program = g.name AND x.resolved = true
RETURN x.pid AS pid, g.exclusive_group AS grp, x.period_year AS year, min(x.program) AS first, max(x.program) AS last
