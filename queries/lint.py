"""Checks that every stored query stays in the Cypher subset both stores run alike.

Two parts: Neo4j's own parser and semantic analysis (the npm package
``@neo4j-cypher/language-support`` run with the machine's Node, through
``tools/cypher-lint``), declared with the schema's labels, relationship types,
property keys and each query's parameters; and the project's portability rules,
which that linter cannot know (they are valid Neo4j but differ on LadybugDB).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from graph.schema import Schema, load_schema
from queries import QUERY_DIR, all_queries, code_only, load_query

LINT_DIR = Path(__file__).resolve().parent.parent / "tools" / "cypher-lint"

# (pattern, why) — each is legal in Neo4j but unsafe across the two stores.
PORTABILITY_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\[\s*\w+\s+IN\s+[^\]]*\|", re.I), "列表推导（list comprehension）两库语义不同"),
    (re.compile(r"\bsubstring\s*\(", re.I), "substring 在 LadybugDB 从 1 起、在 Neo4j 从 0 起"),
    (re.compile(r"\bapoc\.", re.I), "APOC 只有 Neo4j 有"),
    (re.compile(r"\b(date|datetime|localdatetime|duration)\s*\(", re.I), "日期函数：请用 *_day 整数日序"),
    (re.compile(r"\.(year|month|day|week|quarter)\b"), "日期属性访问"),
    (re.compile(r"\(\s*\w*\s*:\s*\w+\s*:\s*\w+"), "多标签节点"),
    (re.compile(r"\b(toInteger|toFloat|toString|split)\s*\(", re.I), "toInteger/toFloat/toString/split 在 LadybugDB 不存在"),
]


def portability_problems(text: str) -> list[str]:
    """The portability rules a query text breaks."""
    code = code_only(text)  # rules look at code, not comments or strings
    return [why for pattern, why in PORTABILITY_RULES if pattern.search(code)]


def neo4j_schema(schema: Schema) -> dict:
    """The DbSchema the Neo4j linter is given: every label, type and property key."""
    return {
        "labels": sorted(schema.nodes),
        "relationshipTypes": sorted(schema.rels),
        "propertyKeys": sorted(schema.property_keys()),
    }


class PendingLint:
    """A Neo4j lint running in a Node child process; ``result()`` waits for its diagnostics.

    The linter needs minutes on a slow 2-core machine (it is Neo4j's Scala front end
    compiled to JavaScript), so the tests start it first and let it run beside the
    other tests instead of after them.
    """

    def __init__(self, names: list[str] | None = None, schema: Schema | None = None, extra: list[dict] | None = None) -> None:
        node = shutil.which("node")
        if node is None or not (LINT_DIR / "node_modules").is_dir():
            raise RuntimeError("Neo4j 语法检查需要 Node 和 tools/cypher-lint 的依赖（make test 会用 npm ci 安装）")
        names = names or all_queries()
        payload = {
            "schema": neo4j_schema(schema or load_schema()),
            "queries": [{"name": n, "text": load_query(n).text, "params": sorted(load_query(n).params)} for n in names]
            + list(extra or []),  # ad-hoc texts ({name, text, params}) linted in the same run
        }
        self._proc = subprocess.Popen(
            [node, str(LINT_DIR / "lint.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=LINT_DIR,
        )
        self._input: str | None = json.dumps(payload)
        self._out: dict[str, list[dict]] | None = None
        # hand the input over now, on a thread, so the child starts working at once
        import threading

        self._thread = threading.Thread(target=self._communicate, daemon=True)
        self._thread.start()

    def _communicate(self) -> None:
        self._stdout, self._stderr = self._proc.communicate(self._input)

    def result(self) -> dict[str, list[dict]]:
        """Diagnostics per query name (waits for the child)."""
        if self._out is None:
            self._thread.join()
            if self._proc.returncode != 0:
                raise RuntimeError(f"cypher-lint 运行失败: {self._stderr.strip()}")
            self._out = json.loads(self._stdout)
        return self._out


def neo4j_lint(names: list[str] | None = None, schema: Schema | None = None) -> dict[str, list[dict]]:
    """Run Neo4j's linter over the named queries (all by default); diagnostics per query."""
    return PendingLint(names, schema).result()


__all__ = ["QUERY_DIR", "PendingLint", "neo4j_lint", "portability_problems"]
