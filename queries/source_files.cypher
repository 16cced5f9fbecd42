// 来源文件 — Source files
// model: -
// The department files loaded into the graph, for provenance: evidence rows carry
// src_fid and src_line, this names the file.
// params: none
MATCH (f:SourceFile)
RETURN f.fid AS fid, f.name AS name, f.kind AS kind, f.rows AS rows, f.sha256 AS sha256
ORDER BY name, fid
