// 重复领取·新批次村汇总 — The first and last village of the new batches' payments
// model: DUPLICATE_RECEIPT (6)
// duplicate_receipt_summary over the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: merged into the
// summary the last scan kept, it gives every person's villages without reading the
// 13.6M payments of a city again (the month's 141k: 0.2-0.4 s, the full summary 2-3 s).
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(x:Payment)
WHERE nb.bid >= $since AND x.resolved = true
RETURN x.pid AS pid, min(x.vid) AS first, max(x.vid) AS last
