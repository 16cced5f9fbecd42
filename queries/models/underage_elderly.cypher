// 低龄领取高龄补贴 — Recipients younger than the program's minimum age
// model: UNDERAGE_ELDERLY (5)
// Payments of a program with a minimum age where the recipient's age in full years on
// the pay date (birth date from the ID number) is below it. The age is the difference
// of the years, less one when the birthday (month-day) had not come yet that year.
// params: none
MATCH (g:Program)
WHERE g.min_age IS NOT NULL
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE pay.program = g.name AND pay.id_valid = true AND p.birth_year IS NOT NULL AND pay.pay_year IS NOT NULL
WITH g, p, pay,
     pay.pay_year - p.birth_year - (CASE WHEN right(pay.pay_date, 5) < right(p.birth_date, 5) THEN 1 ELSE 0 END) AS age
WHERE age < g.min_age
RETURN p.birth_date AS birth_date, age, g.min_age AS min_age,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
