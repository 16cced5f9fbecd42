// 人员检索索引 — Everyone a search can find, with place and role
// model: -
// One row per person: name, whether the ID number is valid, the town and village of a
// household registration (else of an office, else of a payment), and a cadre position if any. The
// workbench builds its fuzzy name index (typos, traditional characters, pinyin
// initials) from these rows once per data load.
// params: none
MATCH (p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household)
OPTIONAL MATCH (p)-[o:HOLDS_OFFICE]->(:Village)
WITH p, coalesce(min(h.town), min(o.town)) AS h_town, coalesce(min(h.village), min(o.village)) AS h_village,
     min(o.position) AS position
OPTIONAL MATCH (p)-[:RECEIVED]->(pay:Payment)
WITH p, h_town, h_village, position, min(pay.town) AS p_town, min(pay.village) AS p_village
RETURN p.pid AS pid, p.name AS name, p.id_valid AS id_valid, coalesce(h_town, p_town) AS town,
       coalesce(h_village, p_village) AS village, position
