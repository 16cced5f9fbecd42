// 村与乡镇 — The villages and their towns
// model: -
// Every village with its town, for choosing a jurisdiction (accounts) and the demo
// accounts. Place names only: takes no jurisdiction.
// params: none
MATCH (v:Village)
RETURN v.town AS town, v.name AS village
ORDER BY town, village
