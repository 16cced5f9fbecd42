// 重复领取·候选 — People paid in more than one village (first step)
// model: DUPLICATE_RECEIPT (6)
// The recipients with valid (or resolved) ID numbers whose payments name more than one village: the
// only people duplicate_receipt has to pair. One aggregate over the payments, no join.
// params: none
MATCH (x:Payment)
WHERE x.resolved = true
WITH x.pid AS pid, count(DISTINCT x.vid) AS villages
WHERE villages > 1
RETURN pid
