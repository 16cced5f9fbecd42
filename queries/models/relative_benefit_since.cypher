// 优亲厚友（新批次） — Relatives of village cadres on means-tested benefits: the rows of a new batch
// model: RELATIVE_BENEFIT (1)
// The rows of relative_benefit for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query; only the order of the matches differs.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since AND pay.resolved = true AND pay.means_tested = true
// from the new payments to the recipient, the cadres they are a relative of, and their offices
MATCH (r:Person)-[:RECEIVED]->(pay)
MATCH (c:Person)-[k:RELATIVE_OF]->(r)
MATCH (c)-[o:HOLDS_OFFICE]->(:Village)
WHERE pay.town = o.town
  AND (o.term_start_day IS NULL OR pay.pay_day >= o.term_start_day)
  AND (o.term_end_day IS NULL OR pay.pay_day <= o.term_end_day)
RETURN c.pid AS cadre_pid, c.name AS cadre_name, o.position AS position, o.town AS office_town,
       o.village AS office_village, k.relation AS relation, k.close AS close, k.basis AS basis,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
