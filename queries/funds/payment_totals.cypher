// 资金统计 — Payments per program, town, village, year and recipient
// model: -
// One row per program, town, village, pay year and recipient: number of payments and
// amount. Per recipient so that the page can count distinct recipients at any level
// (a count of distinct people per group does not add up across groups). Only payments
// made in the user's jurisdiction.
// params: $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (pay:Payment)
WHERE ($scope_town = '' OR pay.town = $scope_town) AND ($scope_village = '' OR pay.village = $scope_village)
RETURN pay.program AS program, pay.town AS town, pay.village AS village, pay.pay_year AS year, pay.pid AS pid,
       count(pay) AS payments, sum(pay.amount) AS amount
