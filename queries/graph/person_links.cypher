// 人员关系 — What a set of people is linked to, for the relationship map
// model: -
// One row per linked node of the person $pid: relatives (rel RELATIVE_OF< when the
// person is the relative, so the map keeps the cadre → relative direction), household
// registrations, accounts, offices, employers, vehicles, businesses and death records.
// A relative known only from the household registers has '·户籍推断' after the relation
// (a declared one has the bare relation; a split-household one 分户关联户成员).
// rel is the relationship type (its Chinese name comes from the schema); day_from and
// day_to bound the link in time where the data says (term, employment, registration),
// else ±1000000 (typed bounds, not null: a UNION needs one type per column).
// Jurisdiction: only people of the user's area are expanded; a linked person or
// household outside it comes with visible = false and no name (drawn as a bare node).
// One person a call: an equality on the key is an index lookup in both stores, where
// `IN $list` made LadybugDB scan every person (county: 860 ms a call, against 6 ms).
// params: $pid (STRING) the person's key; $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)-[r:RELATIVE_OF]->(q:Person)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
WITH p, r, q, coalesce(($scope_town = '' OR q.town = $scope_town) AND ($scope_village = '' OR q.village = $scope_village), false) AS inside
RETURN p.pid AS pid, 'RELATIVE_OF' AS rel, CASE WHEN r.basis = '户籍推断' THEN r.relation + '·户籍推断' ELSE r.relation END AS detail,
       'Person' AS kind, q.pid AS key,
       CASE WHEN inside THEN q.name ELSE NULL END AS name, -1000000 AS day_from, 1000000 AS day_to, inside AS visible
UNION ALL
MATCH (p:Person)<-[r:RELATIVE_OF]-(q:Person)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
WITH p, r, q, coalesce(($scope_town = '' OR q.town = $scope_town) AND ($scope_village = '' OR q.village = $scope_village), false) AS inside
RETURN p.pid AS pid, 'RELATIVE_OF<' AS rel, CASE WHEN r.basis = '户籍推断' THEN r.relation + '·户籍推断' ELSE r.relation END AS detail,
       'Person' AS kind, q.pid AS key,
       CASE WHEN inside THEN q.name ELSE NULL END AS name, -1000000 AS day_from, 1000000 AS day_to, inside AS visible
UNION ALL
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'MEMBER_OF' AS rel, m.relation_to_head AS detail, 'Household' AS kind, h.hid AS key,
       h.hid AS name, -1000000 AS day_from, coalesce(m.status_day, 1000000) AS day_to,
       coalesce(($scope_town = '' OR h.town = $scope_town) AND ($scope_village = '' OR h.village = $scope_village), false) AS visible
UNION ALL
MATCH (p:Person)-[u:USES_ACCOUNT]->(a:Account)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'USES_ACCOUNT' AS rel, u.holder_name AS detail, 'Account' AS kind, a.number AS key,
       a.number AS name, -1000000 AS day_from, 1000000 AS day_to, true AS visible
UNION ALL
MATCH (p:Person)-[o:HOLDS_OFFICE]->(v:Village)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'HOLDS_OFFICE' AS rel, o.position AS detail, 'Village' AS kind, v.vid AS key,
       v.town + v.name AS name, coalesce(o.term_start_day, -1000000) AS day_from, coalesce(o.term_end_day, 1000000) AS day_to,
       true AS visible
UNION ALL
MATCH (p:Person)-[e:EMPLOYED_AT]->(u:Employer)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'EMPLOYED_AT' AS rel, e.start_date AS detail, 'Employer' AS kind, u.name AS key,
       u.name AS name, coalesce(e.start_day, -1000000) AS day_from, coalesce(e.end_day, 1000000) AS day_to, true AS visible
UNION ALL
MATCH (p:Person)-[:OWNS_VEHICLE]->(v:Vehicle)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'OWNS_VEHICLE' AS rel, v.vehicle_type AS detail, 'Vehicle' AS kind, v.plate AS key,
       v.plate AS name, coalesce(v.registered_day, -1000000) AS day_from, 1000000 AS day_to, true AS visible
UNION ALL
MATCH (p:Person)-[:LEGAL_REP_OF]->(b:Business)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
RETURN p.pid AS pid, 'LEGAL_REP_OF' AS rel, b.credit_code AS detail, 'Business' AS kind, b.bid AS key,
       b.company AS name, coalesce(b.founded_day, -1000000) AS day_from, 1000000 AS day_to, true AS visible
