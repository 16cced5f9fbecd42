// 低龄领取高龄补贴 — Recipients younger than the program's minimum age
// model: UNDERAGE_ELDERLY (5)
// Payments of a program with a minimum age where the recipient's age in full years on
// the pay date is below it. The age is kept on each payment at load, from the birth
// date in the payment's own ID number (years apart, less one before the birthday).
// params: $since (INT64) only payments of load batch $since and later (0: all; workbench scan --since)
MATCH (g:Program)
WHERE g.min_age IS NOT NULL
MATCH (pay:Payment)
WHERE pay.program = g.name AND pay.batch >= $since AND pay.resolved = true AND pay.age < g.min_age
MATCH (p:Person)-[:RECEIVED]->(pay)
RETURN p.birth_date AS birth_date, pay.age AS age, g.min_age AS min_age,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
