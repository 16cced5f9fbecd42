// 发放记录数 — Number of payments in the store
// model: -
// Checks that the payment keys saved beside the store (payment_keys.npz) describe
// the same payments before a load compares new rows against them.
// params: none
MATCH (p:Payment)
RETURN count(p) AS n
