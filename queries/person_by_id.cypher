// 按身份证号查人员 — Person by ID number
// model: -
// Finds one person by the normalised ID number (the person key) with their
// household registrations.
// params: $pid (STRING) normalised 18-digit ID number, or the normalised invalid value
MATCH (p:Person)
WHERE p.pid = $pid
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household)
RETURN p.pid AS pid, p.name AS name, p.id_valid AS id_valid, p.sex AS sex,
       p.birth_date AS birth_date, h.hid AS household_id, m.relation_to_head AS relation_to_head,
       m.status AS status, h.town AS town, h.village AS village
ORDER BY household_id
