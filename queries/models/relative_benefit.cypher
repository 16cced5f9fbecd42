// 优亲厚友 — Relatives of village cadres on means-tested benefits
// model: RELATIVE_BENEFIT (1)
// Means-tested payments received by a relative of a cadre (RELATIVE_OF: a matched
// declaration, a household co-member or a member of a split-related household) dated
// within one of the cadre's offices and paid in that office's town. One row per
// payment, office and relation; the grade is worked out per payment from `close` and
// whether the payment's village is the office's village (red / orange / yellow).
// params: none
// from the cadres outwards: without this WITH LadybugDB may start from all payments
MATCH (c:Person)-[o:HOLDS_OFFICE]->(:Village)
MATCH (c)-[k:RELATIVE_OF]->(r:Person)
WITH c, o, k, r
MATCH (r)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND pay.town = o.town
  AND (o.term_start_day IS NULL OR pay.pay_day >= o.term_start_day)
  AND (o.term_end_day IS NULL OR pay.pay_day <= o.term_end_day)
RETURN c.pid AS cadre_pid, c.name AS cadre_name, o.position AS position, o.town AS office_town,
       o.village AS office_village, k.relation AS relation, k.close AS close, k.basis AS basis,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
