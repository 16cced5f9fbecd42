// 批次新增发放 — The payments a load batch added
// model: -
// After an append, its LoadBatch is linked to these (ADDED), so that
// `workbench scan --since` starts from them (with their source rows).
// params: $bid (INT64) the batch number
MATCH (pay:Payment)
WHERE pay.batch = $bid
RETURN pay.pay_id AS pay_id, pay.src_fid AS src_fid, pay.src_line AS src_line
