// 人员检索索引 — Everyone a search can find, with place and role
// model: -
// One row per person of the user's jurisdiction: name, whether the ID number is valid,
// the town and village the person belongs to (household registration, else office,
// else payment; set at load) and a cadre position if any. The workbench builds its
// fuzzy name index (typos, traditional characters, pinyin initials) from these rows
// once per data load and jurisdiction.
// params: $scope_town, $scope_village (STRING, '' = any) the user's jurisdiction
MATCH (p:Person)
WHERE ($scope_town = '' OR p.town = $scope_town) AND ($scope_village = '' OR p.village = $scope_village)
OPTIONAL MATCH (p)-[o:HOLDS_OFFICE]->(:Village)
RETURN p.pid AS pid, p.name AS name, p.id_valid AS id_valid, p.town AS town, p.village AS village,
       min(o.position) AS position
