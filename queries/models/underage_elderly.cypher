// 低龄领取高龄补贴 — Recipients younger than the program's minimum age
// model: UNDERAGE_ELDERLY (5)
// Payments of a program with a minimum age where the recipient's age in full years on
// the pay date is below it. The age and the program's minimum age are kept on each
// payment at load (the age from the birth date in the payment's own ID number, or the
// linked person's): a filter on payments alone, where a join of every payment with its
// program and person cost 2 s at county scale (bench/results/profile_county.md).
// params: none
MATCH (pay:Payment)
WHERE pay.resolved = true AND pay.min_age IS NOT NULL AND pay.age < pay.min_age
MATCH (p:Person)-[:RECEIVED]->(pay)
RETURN p.birth_date AS birth_date, pay.age AS age, pay.min_age AS min_age,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
