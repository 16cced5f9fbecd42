// 互斥项目·新批次项目汇总 — The first and last program of the new batches' payments per group and year
// model: EXCLUSIVE_PROGRAMS (7)
// exclusive_programs_summary over the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`, to merge into the
// summary the last scan kept.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(x:Payment)
WHERE nb.bid >= $since AND x.resolved = true
MATCH (g:Program)
WHERE g.name = x.program AND g.exclusive_group IS NOT NULL
RETURN x.pid AS pid, g.exclusive_group AS grp, x.period_year AS year, min(x.program) AS first, max(x.program) AS last
