// 同户与共用账户人员 — The people of a set of households and accounts, for the map
// model: -
// One row per member of a household in $hids and per user of an account in $accounts.
// params: $hids (list of STRING) household ids; $accounts (list of STRING) account numbers
MATCH (q:Person)-[m:MEMBER_OF]->(h:Household)
WHERE h.hid IN $hids
RETURN 'Household' AS kind, h.hid AS key, 'MEMBER_OF' AS rel, m.relation_to_head AS detail, q.pid AS pid, q.name AS name
UNION ALL
MATCH (q:Person)-[u:USES_ACCOUNT]->(a:Account)
WHERE a.number IN $accounts
RETURN 'Account' AS kind, a.number AS key, 'USES_ACCOUNT' AS rel, u.holder_name AS detail, q.pid AS pid, q.name AS name
