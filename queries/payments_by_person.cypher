// 个人发放明细 — Payments received by a person
// model: -
// All payments received by one person of the user's jurisdiction, made inside it,
// newest first, with program, place and source.
// params: $pid (STRING) person key; $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village) AND ($scope_town = '' OR pay.town = $scope_town) AND ($scope_village = '' OR pay.village = $scope_village)
RETURN pay.pay_id AS pay_id, pay.program AS program, pay.amount AS amount, pay.pay_date AS pay_date,
       pay.period AS period, pay.town AS town, pay.village AS village, pay.household_id AS household_id,
       pay.account_number AS account_number, pay.src_fid AS src_fid, pay.src_line AS src_line
ORDER BY pay_date DESC, pay_id
