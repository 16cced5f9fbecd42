// 人员发放（按项目） — Payments of a set of people grouped per program, for the map
// model: -
// One row per person in $pids and program: number of payments, total amount, first
// and last pay date, between day numbers $day_from and $day_to (inclusive); only
// people and payments inside the user's jurisdiction.
// params: $pids (list of STRING) person keys; $day_from, $day_to (INT64) pay day range;
//         $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid IN $pids AND pay.pay_day >= $day_from AND pay.pay_day <= $day_to
  AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village) AND ($scope_town = '' OR pay.town = $scope_town) AND ($scope_village = '' OR pay.village = $scope_village)
RETURN p.pid AS pid, pay.program AS program, count(pay) AS payments, sum(pay.amount) AS amount,
       min(pay.pay_date) AS first_date, max(pay.pay_date) AS last_date
