// 村干部本人享受救助（新批次） — Cadres on means-tested benefits during their own term: the rows of a new batch
// model: CADRE_SELF_BENEFIT (2)
// The rows of cadre_self_benefit for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
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
