// 空挂户·候选 — Households that may have nobody living in them (first step)
// model: SHELL_HOUSEHOLD (9)
// Households with no member who is neither moved out (迁出) nor deceased (then nobody
// may have lived there on some pay day), and households whose members are all also
// registered in another household (人户分离). The model examines only these.
// params: none
MATCH (h:Household)
WHERE NOT EXISTS {
  MATCH (s:Person)-[sm:MEMBER_OF]->(h)
  WHERE NOT (coalesce(sm.status, '') IN ['迁出', '死亡'])
    AND NOT EXISTS { MATCH (s)-[:DIED]->(:Death) }
    AND NOT EXISTS { MATCH (s)-[sd:MEMBER_OF]->(:Household) WHERE sd.status = '死亡' }
}
RETURN h.hid AS hid
UNION
MATCH (h:Household)
WHERE EXISTS { MATCH (:Person)-[:MEMBER_OF]->(h) }
  AND NOT EXISTS {
    MATCH (m:Person)-[:MEMBER_OF]->(h)
    WHERE NOT EXISTS { MATCH (m)-[:MEMBER_OF]->(o:Household) WHERE o.hid <> h.hid }
  }
RETURN h.hid AS hid
