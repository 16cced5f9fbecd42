// 重复领取 — Same program, same period, paid in two villages
// model: DUPLICATE_RECEIPT (6)
// Payments of one program to one person that have a payment of the same program for
// the same period in another village. Periods are the same when equal, or when one is
// a year and the other a month of it. People are first narrowed to those paid by a
// program in two villages within one period year, so the pairing stays small.
// params: none
MATCH (p:Person)-[:RECEIVED]->(x:Payment)
WHERE x.id_valid = true
WITH p, x.program AS program, x.period_year AS year, count(DISTINCT x.vid) AS villages
WHERE villages > 1
// two MATCH clauses, not one pattern: the pairing must not depend on whether the store
// lets one pattern reuse a relationship (LadybugDB may, Neo4j never does)
MATCH (p)-[:RECEIVED]->(pay:Payment)
WHERE pay.program = program AND pay.period_year = year AND pay.id_valid = true
MATCH (p)-[:RECEIVED]->(other:Payment)
WHERE other.program = program AND other.period_year = year AND other.id_valid = true AND other.vid <> pay.vid
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
RETURN pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.town + other.village) AS other_villages
