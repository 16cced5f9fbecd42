// 指定人员的户籍登记 — Where the given people are registered
// model: -
// An appended payment without 户号 is linked to every household its recipient is
// registered in (FOR_HOUSEHOLD, inferred = true); an append asks for its own
// recipients only, not for a city's 9M registrations.
// params: $pids (LIST OF STRING) person ids
// Keys come in as a list without repeats: UNWIND + a match on the key is a key lookup
// in both stores, where `IN $list` made LadybugDB test the list on every row of the label.
UNWIND $pids AS key
MATCH (p:Person {pid: key})-[:MEMBER_OF]->(h:Household)
RETURN DISTINCT p.pid AS person, h.hid AS household_id
