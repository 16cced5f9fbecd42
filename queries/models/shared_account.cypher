// 一卡多人 — One bank account paid for several people of different households
// model: SHARED_ACCOUNT (8)
// Accounts that received payments for at least $shared_account_min_persons distinct
// recipients with valid ID numbers who are not all registered in one household. One
// row per payment to the account (any program) and per cadre whose office covers the
// payment's village and date and whose own name, or a relative's name (RELATIVE_OF or
// as declared), is the holder name on the row (holder_* columns; null when none).
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
MATCH (ac)<-[:USES_ACCOUNT]-(p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.id_valid = true AND pay.account_number = ac.number
OPTIONAL MATCH (c:Person)-[o:HOLDS_OFFICE]->(:Village)
WHERE o.town = pay.town AND o.village = pay.village
  AND (o.term_start_day IS NULL OR pay.pay_day >= o.term_start_day)
  AND (o.term_end_day IS NULL OR pay.pay_day <= o.term_end_day)
  AND (c.name = pay.account_holder
       OR EXISTS { MATCH (c)-[:RELATIVE_OF]->(r:Person) WHERE r.name = pay.account_holder }
       OR EXISTS { MATCH (c)-[d:DECLARED_RELATIVE]->(:Person) WHERE d.declared_name = pay.account_holder })
RETURN ac.number AS account, persons, pay.account_holder AS holder, c.pid AS holder_cadre_pid,
       c.name AS holder_cadre_name, o.position AS holder_cadre_position,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
