// 无所属地人员 — People with no town yet
// model: -
// Their town and village come from the place of their earliest payment.
// params: none
MATCH (p:Person)
WHERE p.town IS NULL
RETURN p.pid AS pid
