// 一卡多人·新批次候选 — The accounts a new batch paid to, and whether several households' people use them
// model: SHARED_ACCOUNT (8)
// For `workbench scan --since`: the accounts of the payments that appended batches
// $since and later added (LoadBatch -ADDED-> Payment), each with all the people who use
// it, old and new. An account's rows are its own payments', so only these accounts'
// rows can change; candidate is shared_account_candidates' rule for them. The people
// are counted with OPTIONAL MATCH and CASE, not filtered in a WHERE: that way LadybugDB
// goes from the month's accounts to their users (city month, 141,693 accounts: 1.1–1.7 s),
// where the WHERE form joined with every person (3.9 s; the full candidates step: 4.7–6.8 s).
// params: $since (INT64) the first batch of the incremental scan (an append)
//         $shared_account_min_persons (INT64, default 3) distinct recipients
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)<-[:RECEIVED]-(:Person)-[:USES_ACCOUNT]->(ac:Account)
WHERE nb.bid >= $since AND pay.account_number = ac.number
WITH DISTINCT ac
OPTIONAL MATCH (ac)<-[:USES_ACCOUNT]-(p:Person)
WITH ac, count(DISTINCT CASE WHEN p.id_valid = true THEN p.pid END) AS persons
OPTIONAL MATCH (ac)<-[:USES_ACCOUNT]-(q:Person)-[:MEMBER_OF]->(h:Household)
WITH ac, persons, h, count(DISTINCT CASE WHEN q.id_valid = true THEN q.pid END) AS together
WITH ac, persons, max(together) AS most
RETURN ac.number AS account, persons >= $shared_account_min_persons AND most < persons AS candidate
