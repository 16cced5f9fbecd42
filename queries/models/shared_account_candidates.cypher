// 一卡多人·候选 — Accounts used for several people of different households (first step)
// model: SHARED_ACCOUNT (8)
// Accounts that received payments for at least $shared_account_min_persons distinct
// recipients with valid ID numbers who are not all registered in one household.
// params: $shared_account_min_persons (INT64, default 3) distinct recipients
MATCH (ac:Account)<-[:USES_ACCOUNT]-(p:Person)
WHERE p.id_valid = true
WITH ac, count(DISTINCT p) AS persons
WHERE persons >= $shared_account_min_persons
OPTIONAL MATCH (ac)<-[:USES_ACCOUNT]-(q:Person)-[:MEMBER_OF]->(h:Household)
WHERE q.id_valid = true
WITH ac, persons, h, count(DISTINCT q) AS together
WITH ac, persons, max(together) AS most
WHERE most < persons
RETURN ac.number AS account
