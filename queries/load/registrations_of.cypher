// 指定人员的户籍登记 — Where the given people are registered
// model: -
// An appended payment without 户号 is linked to every household its recipient is
// registered in (FOR_HOUSEHOLD, inferred = true); an append asks for its own
// recipients only, not for a city's 9M registrations.
// params: $pids (LIST OF STRING) person ids
MATCH (p:Person)-[:MEMBER_OF]->(h:Household)
WHERE p.pid IN $pids
RETURN DISTINCT p.pid AS person, h.hid AS household_id
