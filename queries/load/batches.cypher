// 导入批次 — Every load batch
// model: -
// What each load read and added, newest first (workbench batches).
// params: none
MATCH (b:LoadBatch)
RETURN b.bid AS bid, b.mode AS mode, b.started AS started, b.seconds AS seconds, b.files AS files,
       b.rows_read AS rows_read, b.rows_loaded AS rows_loaded, b.rows_quarantined AS rows_quarantined,
       b.duplicates AS duplicates, b.payments_added AS payments_added
ORDER BY bid DESC
