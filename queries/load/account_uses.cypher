// 账户使用 — Who has been paid into which account
// model: -
// An appended payment adds USES_ACCOUNT only for a (person, account) pair not present.
// params: none
MATCH (p:Person)-[:USES_ACCOUNT]->(a:Account)
RETURN DISTINCT p.pid AS person, a.number AS account
