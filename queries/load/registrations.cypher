// 户籍登记 — Who is registered in which household
// model: -
// A payment without 户号 is linked to every household its recipient is registered in
// (FOR_HOUSEHOLD, inferred = true).
// params: none
MATCH (p:Person)-[:MEMBER_OF]->(h:Household)
RETURN DISTINCT p.pid AS person, h.hid AS household_id
