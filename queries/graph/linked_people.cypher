// 同户与共用账户人员 — The people of a household and of an account, for the map
// model: -
// One row per member of the household $hid and per user of the account $account (one
// key each a call, '' for none: an index lookup; a list made LadybugDB scan them all).
// Jurisdiction: households outside the user's area give no rows; a person outside it
// comes with visible = false and no name or detail.
// params: $hid (STRING) a household id; $account (STRING) an account number;
//         $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (q:Person)-[m:MEMBER_OF]->(h:Household)
WHERE h.hid = $hid AND ($scope_town = '' OR h.town = $scope_town) AND ($scope_village = '' OR h.village = $scope_village)
WITH h, m, q, coalesce(($scope_town = '' OR q.town = $scope_town) AND ($scope_village = '' OR q.village = $scope_village), false) AS inside
RETURN 'Household' AS kind, h.hid AS key, 'MEMBER_OF' AS rel, CASE WHEN inside THEN m.relation_to_head ELSE NULL END AS detail,
       q.pid AS pid, CASE WHEN inside THEN q.name ELSE NULL END AS name, inside AS visible
UNION ALL
MATCH (q:Person)-[u:USES_ACCOUNT]->(a:Account)
WHERE a.number = $account
WITH a, u, q, coalesce(($scope_town = '' OR q.town = $scope_town) AND ($scope_village = '' OR q.village = $scope_village), false) AS inside
RETURN 'Account' AS kind, a.number AS key, 'USES_ACCOUNT' AS rel, CASE WHEN inside THEN u.holder_name ELSE NULL END AS detail,
       q.pid AS pid, CASE WHEN inside THEN q.name ELSE NULL END AS name, inside AS visible
