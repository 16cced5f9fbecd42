// 批次新增发放 — The payments a load batch added
// model: -
// After an append, its LoadBatch is linked to these (ADDED), so that
// `workbench scan --since` starts from them (the edges' source rows are the payments').
// params: $bid (INT64) the batch number
MATCH (pay:Payment)
WHERE pay.batch = $bid
RETURN pay.pay_id AS pay_id
