// 人员发放（按项目） — Payments of a person grouped per program, for the map
// model: -
// One row per program the person $pid was paid by: number of payments, total amount,
// first and last pay date, between day numbers $day_from and $day_to (inclusive); only
// a person and payments inside the user's jurisdiction. One person a call (an index
// lookup; a list made LadybugDB scan every person).
// params: $pid (STRING) the person's key; $day_from, $day_to (INT64) pay day range;
//         $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)-[:RECEIVED]->(pay:Payment)
WHERE p.pid = $pid AND pay.pay_day >= $day_from AND pay.pay_day <= $day_to
  AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village) AND ($scope_town = '' OR pay.town = $scope_town) AND ($scope_village = '' OR pay.village = $scope_village)
RETURN p.pid AS pid, pay.program AS program, count(pay) AS payments, sum(pay.amount) AS amount,
       min(pay.pay_date) AS first_date, max(pay.pay_date) AS last_date
