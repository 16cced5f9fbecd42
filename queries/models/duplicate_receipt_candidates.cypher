// 重复领取·候选 — People paid in more than one village (first step)
// model: DUPLICATE_RECEIPT (6)
// The recipients with valid (or resolved) ID numbers whose payments name more than one village: the
// only people duplicate_receipt has to pair. One aggregate over the payments, no join;
// "more than one village" as the first and last village differing, which min and max
// find without a set of villages per person (city, 13.6M payments: 2.6-3.5 s, where
// count(DISTINCT x.vid) > 1 took 4.1-5.2 s).
// params: none
MATCH (x:Payment)
WHERE x.resolved = true
WITH x.pid AS pid, min(x.vid) AS first, max(x.vid) AS last
WHERE first <> last
RETURN pid
