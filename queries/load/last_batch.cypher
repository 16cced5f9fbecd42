// 最近导入批次 — The highest load batch number
// model: -
// A load takes the next number; `workbench scan --since N` names one.
// params: none
MATCH (b:LoadBatch)
RETURN max(b.bid) AS bid
