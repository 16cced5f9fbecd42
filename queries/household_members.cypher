// 户籍成员 — Members of a household
// model: -
// Lists the people registered in one household with their relation to the head and
// status, and where each row came from (file and line). A household outside the user's
// jurisdiction gives no rows; a member placed outside it comes without name.
// params: $hid (STRING) household id (户号); $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
WHERE h.hid = $hid AND ($scope_town = '' OR h.town = $scope_town) AND ($scope_village = '' OR h.village = $scope_village)
MATCH (f:SourceFile)
WHERE f.fid = m.src_fid
RETURN p.pid AS pid, CASE WHEN ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village) THEN p.name ELSE NULL END AS name, m.relation_to_head AS relation_to_head,
       m.status AS status, m.status_date AS status_date, f.name AS source_file, m.src_line AS source_line
ORDER BY source_line
