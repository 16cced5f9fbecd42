// 户籍成员 — Members of a household
// model: -
// Lists the people registered in one household with their relation to the head and
// status, and where each row came from (file and line).
// params: $hid (STRING) household id (户号)
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
WHERE h.hid = $hid
MATCH (f:SourceFile)
WHERE f.fid = m.src_fid
RETURN p.pid AS pid, p.name AS name, m.relation_to_head AS relation_to_head,
       m.status AS status, m.status_date AS status_date, f.name AS source_file, m.src_line AS source_line
ORDER BY source_line
