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
MATCH (p)-[r1:RECEIVED]->(pay:Payment), (p)-[r2:RECEIVED]->(other:Payment)
WHERE r1 <> r2 AND pay.program = program AND other.program = program
  AND pay.period_year = year AND other.period_year = year AND pay.vid <> other.vid
  AND (pay.period = other.period OR size(pay.period) = 4 OR size(other.period) = 4)
RETURN pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line, collect(DISTINCT other.town + other.village) AS other_villages
