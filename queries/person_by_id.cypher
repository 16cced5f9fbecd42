// 按身份证号查人员 — Person by ID number
// model: -
// Finds one person by the normalised ID number (the person key) with their
// household registrations; nothing for a person outside the user's jurisdiction.
// params: $pid (STRING) normalised 18-digit ID number, or the normalised invalid value;
//         $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)
WHERE p.pid = $pid AND ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household)
WHERE ($scope_town = '' OR h.town = $scope_town) AND ($scope_village = '' OR h.village = $scope_village)
RETURN p.pid AS pid, p.name AS name, p.id_valid AS id_valid, p.sex AS sex,
       p.birth_date AS birth_date, h.hid AS household_id, m.relation_to_head AS relation_to_head,
       m.status AS status, h.town AS town, h.village AS village
ORDER BY household_id
