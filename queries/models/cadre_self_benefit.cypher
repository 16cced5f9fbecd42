// 村干部本人享受救助 — Cadres on means-tested benefits during their own term
// model: CADRE_SELF_BENEFIT (2)
// Means-tested payments received by a cadre and dated within one of their offices,
// paid in any village of any town. One row per payment and covering office.
// params: none
MATCH (c:Person)-[o:HOLDS_OFFICE]->(:Village)
MATCH (c)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true
  AND (o.term_start_day IS NULL OR pay.pay_day >= o.term_start_day)
  AND (o.term_end_day IS NULL OR pay.pay_day <= o.term_end_day)
RETURN c.pid AS cadre_pid, c.name AS cadre_name, o.position AS position, o.town AS office_town,
       o.village AS office_village, o.term_start_date AS term_start, o.term_end_date AS term_end,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
