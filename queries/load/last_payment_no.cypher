// 最大发放记录序号 — The highest payment number in the store
// model: -
// A load numbers the payments it adds (Payment.pay_no, the key) from one past it.
// params: none
MATCH (p:Payment)
RETURN max(p.pay_no) AS n
