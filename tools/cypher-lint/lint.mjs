// Lints Cypher with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
// stdin:  {"schema": {labels, relationshipTypes, propertyKeys}, "queries": [{"name", "text", "params": [...]}]}
// stdout: {"name": [{"severity": 1|2, "message", "line", "column"}], ...}   (1 = error, 2 = warning)
import { lintCypherQuery } from '@neo4j-cypher/language-support';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const { schema, queries } = JSON.parse(input);
const out = {};
for (const q of queries) {
  const parameters = Object.fromEntries(q.params.map((p) => [p, null]));
  const { diagnostics } = lintCypherQuery(q.text, { ...schema, parameters });
  out[q.name] = diagnostics.map((d) => ({
    severity: d.severity,
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
}
process.stdout.write(JSON.stringify(out));
