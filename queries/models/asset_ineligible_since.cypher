// 有车有企享低保（新批次） — Vehicle owners and business owners on means-tested benefits: the rows of a new batch
// model: ASSET_INELIGIBLE (11)
// The rows of asset_ineligible for the payments that appended batches $since and later
// added (LoadBatch -ADDED-> Payment), for `workbench scan --since`: a plan that
// starts from a month's payments, where a filter on Payment.batch read every payment.
// The rule is that of the full query, line for line.
// params: $since (INT64) the first batch of the incremental scan (an append)
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (o:Person)-[:OWNS_VEHICLE]->(v:Vehicle)
WHERE v.farm = false
MATCH (o)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND (v.registered_day IS NULL OR pay.pay_day >= v.registered_day)
RETURN '本人' AS basis, o.pid AS owner_pid, o.name AS owner_name, '机动车' AS asset_kind,
       v.plate AS asset, v.vehicle_type AS asset_type, v.registered_date AS asset_date,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (o:Person)-[:LEGAL_REP_OF]->(b:Business)
MATCH (o)-[:RECEIVED]->(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND (b.founded_day IS NULL OR pay.pay_day >= b.founded_day)
RETURN '本人' AS basis, o.pid AS owner_pid, o.name AS owner_name, '市场主体' AS asset_kind,
       b.company AS asset, '法定代表人' AS asset_type, b.founded_date AS asset_date,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (o:Person)-[:OWNS_VEHICLE]->(v:Vehicle)
WHERE v.farm = false
MATCH (o)-[m:MEMBER_OF]->(:Household)<-[:FOR_HOUSEHOLD]-(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND pay.pid <> o.pid AND (v.registered_day IS NULL OR pay.pay_day >= v.registered_day)
  AND NOT (coalesce(m.status, '') IN ['迁出', '死亡'] AND (m.status_day IS NULL OR m.status_day < pay.pay_day))
  AND NOT EXISTS { MATCH (o)-[:DIED]->(d:Death) WHERE d.death_day < pay.pay_day }
  AND NOT EXISTS { MATCH (o)-[x:MEMBER_OF]->(:Household) WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < pay.pay_day) }
RETURN '同户' AS basis, o.pid AS owner_pid, o.name AS owner_name, '机动车' AS asset_kind,
       v.plate AS asset, v.vehicle_type AS asset_type, v.registered_date AS asset_date,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
UNION ALL
MATCH (nb:LoadBatch)-[:ADDED]->(pay:Payment)
WHERE nb.bid >= $since
MATCH (o:Person)-[:LEGAL_REP_OF]->(b:Business)
MATCH (o)-[m:MEMBER_OF]->(:Household)<-[:FOR_HOUSEHOLD]-(pay:Payment)
WHERE pay.resolved = true AND pay.means_tested = true AND pay.pid <> o.pid AND (b.founded_day IS NULL OR pay.pay_day >= b.founded_day)
  AND NOT (coalesce(m.status, '') IN ['迁出', '死亡'] AND (m.status_day IS NULL OR m.status_day < pay.pay_day))
  AND NOT EXISTS { MATCH (o)-[:DIED]->(d:Death) WHERE d.death_day < pay.pay_day }
  AND NOT EXISTS { MATCH (o)-[x:MEMBER_OF]->(:Household) WHERE x.status = '死亡' AND (x.status_day IS NULL OR x.status_day < pay.pay_day) }
RETURN '同户' AS basis, o.pid AS owner_pid, o.name AS owner_name, '市场主体' AS asset_kind,
       b.company AS asset, '法定代表人' AS asset_type, b.founded_date AS asset_date,
       pay.pay_id AS pay_id, pay.pid AS pid, pay.name AS name, pay.program AS program, pay.amount AS amount,
       pay.pay_date AS pay_date, pay.period AS period, pay.town AS town, pay.village AS village,
       pay.household_id AS household_id, pay.account_number AS account_number, pay.src_fid AS src_fid,
       pay.src_line AS src_line
