// 一卡多人 — One bank account paid for several people of different households
// model: SHARED_ACCOUNT (8)
// The accounts of shared_account_candidates (at least $shared_account_min_persons
// recipients with valid ID numbers, not all registered in one household). One row per
// payment to the account (any program) and per cadre whose office covers the
// payment's village and date and whose own name, or a relative's name (RELATIVE_OF or
// as declared), is the holder name on the row (holder_* columns; null when none).
// params: $candidates (list of account numbers, from shared_account_candidates)
MATCH (ac:Account)<-[:USES_ACCOUNT]-(p:Person)-[:RECEIVED]->(pay:Payment)
WHERE ac.number IN $candidates AND p.id_valid = true AND pay.account_number = ac.number
OPTIONAL MATCH (c:Person)-[o:HOLDS_OFFICE]->(:Village)
WHERE o.town = pay.town AND o.village = pay.village
  AND (o.term_start_day IS NULL OR pay.pay_day >= o.term_start_day)
  AND (o.term_end_day IS NULL OR pay.pay_day <= o.term_end_day)
  AND (c.name = pay.account_holder
       OR EXISTS { MATCH (c)-[:RELATIVE_OF]->(r:Person) WHERE r.name = pay.account_holder }
       OR EXISTS { MATCH (c)-[d:DECLARED_RELATIVE]->(:Person) WHERE d.declared_name = pay.account_holder })
RETURN ac.number AS account, pay.account_holder AS holder, c.pid AS holder_cadre_pid,
       c.name AS holder_cadre_name, o.position AS holder_cadre_position,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
