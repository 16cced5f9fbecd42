// 重复领取·村汇总 — Each recipient's first and last village (first step)
// model: DUPLICATE_RECEIPT (6)
// For each recipient with a valid (or resolved) ID number, the first and last village
// of their payments. The candidates are the people whose two differ (paid in more than
// one village): the only people duplicate_receipt has to pair. min and max find that
// without a set of villages per person (city, 13.6M payments: 2.6-3.5 s, where
// count(DISTINCT x.vid) > 1 took 4.1-5.2 s). Every person is returned, not only the
// candidates, because a scan keeps this summary: `scan --since` merges the new batches'
// (duplicate_receipt_since_summary) into it instead of reading every payment again.
// params: none
MATCH (x:Payment)
WHERE x.resolved = true
RETURN x.pid AS pid, min(x.vid) AS first, max(x.vid) AS last
