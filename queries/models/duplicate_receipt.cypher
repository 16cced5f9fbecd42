// 重复领取 — Same program, same period, paid in two villages
// model: DUPLICATE_RECEIPT (6)
// Payments of one program to one person that have a payment of the same program for
// the same period in another village. Periods are the same when equal, or when one is
// a year and the other a month of it.
// params: $candidates (list of ID numbers, from duplicate_receipt_candidates)
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid IN $candidates AND pay.resolved = true
// two MATCH clauses, not one pattern: the pairing must not depend on whether the store
// lets one pattern reuse a relationship (LadybugDB may, Neo4j never does)
MATCH (p)-[:RECEIVED]->(other:Payment)
WHERE other.resolved = true AND other.program = pay.program AND other.period_year = pay.period_year
  AND other.vid <> pay.vid AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
RETURN pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.town + other.village) AS other_villages
