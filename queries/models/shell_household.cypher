// 空挂户 — Means-tested payments to households nobody lives in
// model: SHELL_HOUSEHOLD (9)
// Basis 无人在册 (red): a means-tested payment to household H (its 户号, else the
// recipient's registered households) on whose pay date H had no resident member —
// everyone moved out (迁出) or deceased before that day (undated statuses count as
// before every day), or H has no household rows at all. Only households without a
// member who is never moved out or dead are examined, which keeps the scan small.
// Basis 人户分离 (orange): every member of H is also registered in another household;
// all of H's means-tested payments.
// params: none
MATCH (h:Household)
WHERE NOT EXISTS {
  MATCH (s:Person)-[sm:MEMBER_OF]->(h)
  WHERE NOT (coalesce(sm.status, '') IN ['迁出', '死亡'])
    AND NOT EXISTS { MATCH (s)-[:DIED]->(:Death) }
    AND NOT EXISTS { MATCH (s)-[sd:MEMBER_OF]->(:Household) WHERE sd.status = '死亡' }
}
MATCH (pay:Payment)-[:FOR_HOUSEHOLD]->(h)
WHERE pay.id_valid = true AND pay.means_tested = true
OPTIONAL MATCH (m:Person)-[mo:MEMBER_OF]->(h)
WHERE NOT (coalesce(mo.status, '') IN ['迁出', '死亡'] AND (mo.status_day IS NULL OR mo.status_day < pay.pay_day))
  AND NOT EXISTS { MATCH (m)-[:DIED]->(d:Death) WHERE d.death_day < pay.pay_day }
  AND NOT EXISTS { MATCH (m)-[x:MEMBER_OF]->(:Household) WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < pay.pay_day) }
WITH h, pay, count(m) AS residents
WHERE residents = 0
OPTIONAL MATCH (head:Person)-[hm:MEMBER_OF]->(h)
WHERE hm.relation_to_head = '户主'
RETURN '无人在册' AS basis, h.hid AS hid, h.registered AS registered, head.name AS head_name,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (h:Household)
WHERE EXISTS { MATCH (:Person)-[:MEMBER_OF]->(h) }
  AND NOT EXISTS {
    MATCH (m:Person)-[:MEMBER_OF]->(h)
    WHERE NOT EXISTS { MATCH (m)-[:MEMBER_OF]->(o:Household) WHERE o.hid <> h.hid }
  }
MATCH (pay:Payment)-[:FOR_HOUSEHOLD]->(h)
WHERE pay.id_valid = true AND pay.means_tested = true
OPTIONAL MATCH (head:Person)-[hm:MEMBER_OF]->(h)
WHERE hm.relation_to_head = '户主'
RETURN '人户分离' AS basis, h.hid AS hid, h.registered AS registered, head.name AS head_name,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
