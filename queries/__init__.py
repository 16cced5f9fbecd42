"""Named Cypher queries: one ``.cypher`` file per query, loaded by name.

A file starts with a header of ``//`` comment lines (title, model code, parameters);
the parameters a query takes are read from its text (``$name``), and a call must
supply exactly those, as datasette's stored queries check theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).parent
# Comments and string literals in one alternation, so that an apostrophe inside a
# comment ("H's") does not open a string and a "//" inside a string is not a comment.
_SKIP = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(ValueError):
    """A named query is missing or was called with the wrong parameters."""


@dataclass(frozen=True)
class Query:
    """A stored query: its name, Cypher text, header and the parameters it uses."""

    name: str
    text: str
    header: str
    params: frozenset[str]

    def check(self, given: dict) -> None:
        """Refuse a call whose parameters differ from the ones the text uses."""
        missing = self.params - given.keys()
        extra = given.keys() - self.params
        if missing or extra:
            parts = []
            if missing:
                parts.append("缺少参数 " + ", ".join(sorted(missing)))
            if extra:
                parts.append("多余参数 " + ", ".join(sorted(extra)))
            raise QueryError(f"查询 {self.name}: " + "；".join(parts))


def code_only(text: str) -> str:
    """The Cypher text with comments blanked and string literals emptied."""
    return _SKIP.sub(lambda m: " " if m.group(0)[0] == "/" else "''", text)


def parameters_of(text: str) -> frozenset[str]:
    """The ``$parameters`` a Cypher text uses, ignoring comments and string literals."""
    return frozenset(_PARAM.findall(code_only(text)))


def query_path(name: str) -> Path:
    """The file of query ``name`` (``models/relative_benefit`` → ``queries/models/relative_benefit.cypher``)."""
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)*", name):
        raise QueryError(f"查询名不合法: {name!r}")
    return QUERY_DIR / f"{name}.cypher"


@cache
def load_query(name: str) -> Query:
    """Load and parse the query called ``name``."""
    path = query_path(name)
    if not path.is_file():
        raise QueryError(f"没有名为 {name} 的查询（{path}）")
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[2:].strip() for line in text.splitlines() if line.startswith("//"))
    return Query(name, text, header, parameters_of(text))


def all_queries() -> list[str]:
    """Names of every stored query, for tests and the linter."""
    return sorted(str(p.relative_to(QUERY_DIR).with_suffix("")) for p in QUERY_DIR.rglob("*.cypher"))
