// 拆户骗保 — A household split off and paid the same program as the old one
// model: HOUSEHOLD_SPLIT (10)
// Means-tested payments of program P to a household H split from G (原户号), dated 0 to
// $split_window_days days after H's 立户日期, where P also paid G for the same period
// (equal, or a year and a month of it). cadre_side lists the members of H or G who
// are a cadre or a relative of a cadre (any office, any time, any place): red if any.
// params: $split_window_days (INT64, default 365) days after the split
MATCH (h:Household)-[:SPLIT_FROM]->(old:Household)
WHERE h.created_day IS NOT NULL
MATCH (pay:Payment)-[:FOR_HOUSEHOLD]->(h)
WHERE pay.resolved = true AND pay.means_tested = true AND pay.pay_day >= h.created_day AND pay.pay_day <= h.created_day + $split_window_days
MATCH (other:Payment)-[:FOR_HOUSEHOLD]->(old)
WHERE other.resolved = true AND other.program = pay.program AND other.period_year = pay.period_year
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
WITH DISTINCT h, old, pay
OPTIONAL MATCH (x:Person)-[:MEMBER_OF]->(h)
WHERE EXISTS { MATCH (x)-[:HOLDS_OFFICE]->(:Village) } OR EXISTS { MATCH (:Person)-[:RELATIVE_OF]->(x) }
WITH h, old, pay, collect(DISTINCT x.name) AS new_side
OPTIONAL MATCH (y:Person)-[:MEMBER_OF]->(old)
WHERE EXISTS { MATCH (y)-[:HOLDS_OFFICE]->(:Village) } OR EXISTS { MATCH (:Person)-[:RELATIVE_OF]->(y) }
WITH h, old, pay, new_side, collect(DISTINCT y.name) AS old_side
OPTIONAL MATCH (head:Person)-[hm:MEMBER_OF]->(h)
WHERE hm.relation_to_head = '户主'
RETURN h.hid AS hid, old.hid AS old_hid, h.created_date AS created_date, head.name AS head_name,
       new_side, old_side,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
