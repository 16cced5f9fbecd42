// 发放明细 — The payments behind one cell of 资金统计 (drill-down)
// model: -
// Payments of a program, town, village and pay year, oldest first, at most $limit;
// an empty string (year 0) means any value. Only payments in the user's jurisdiction.
// params: $program, $town, $village (STRING, '' = any); $year (INT64, 0 = any); $limit (INT64);
//         $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (pay:Payment)
WHERE ($program = '' OR pay.program = $program)
  AND ($town = '' OR pay.town = $town)
  AND ($village = '' OR pay.village = $village)
  AND ($year = 0 OR pay.pay_year = $year)
  AND ($scope_town = '' OR pay.town = $scope_town) AND ($scope_village = '' OR pay.village = $scope_village)
RETURN pay.pay_id AS pay_id, pay.name AS name, pay.pid AS pid, pay.program AS program, pay.town AS town,
       pay.village AS village, pay.household_id AS household_id, pay.amount AS amount, pay.pay_date AS pay_date,
       pay.period AS period, pay.account_number AS account_number, pay.src_fid AS src_fid, pay.src_line AS src_line
ORDER BY pay.pay_day, pay.pay_id
LIMIT $limit
