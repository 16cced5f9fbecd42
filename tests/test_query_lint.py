"""Every stored query lints clean against Neo4j's parser and semantic analysis and keeps to the portable subset."""

from __future__ import annotations

import pytest
from conftest import neo4j_diagnostics

from queries import QueryError, all_queries, load_query, parameters_of
from queries.lint import portability_problems


@pytest.fixture(scope="module")
def diagnostics() -> dict[str, list[dict]]:
    return neo4j_diagnostics()  # started when the tests were collected


@pytest.mark.parametrize("name", all_queries())
def test_query_lints_clean_on_neo4j(diagnostics: dict[str, list[dict]], name: str) -> None:
    assert diagnostics[name] == []


@pytest.mark.parametrize("name", all_queries())
def test_query_keeps_to_the_portable_subset(name: str) -> None:
    assert portability_problems(load_query(name).text) == []


@pytest.mark.parametrize("name", all_queries())
def test_query_has_a_header(name: str) -> None:
    header = load_query(name).header
    assert "model:" in header and "params:" in header


def test_the_linter_catches_what_it_should(diagnostics: dict[str, list[dict]]) -> None:
    """The checks can fail: a misspelt label, an undefined parameter, a syntax error (conftest.LINT_PROBES)."""
    assert "Persn" in diagnostics["probe:label"][0]["message"]
    assert "$nope" in diagnostics["probe:param"][0]["message"]
    assert diagnostics["probe:syntax"] and diagnostics["probe:syntax"][0]["severity"] == 1
    assert diagnostics["probe:ok"] == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("MATCH (p:Person) RETURN [x IN p.tags | x] AS t", "列表推导"),
        ("MATCH (p:Person) RETURN substring(p.name, 0, 1) AS s", "substring"),
        ("MATCH (p:Person:Cadre) RETURN p", "多标签"),
        ("RETURN date('2021-01-01').year AS y", "日期函数"),
        ("CALL apoc.help('x')", "APOC"),
    ],
)
def test_portability_rules_catch_unsafe_cypher(text: str, why: str) -> None:
    assert any(why in p for p in portability_problems(text))


def test_rules_ignore_comments_and_strings() -> None:
    assert portability_problems("// substring(x, 0, 1)\nMATCH (p:Person) WHERE p.name = 'a.year' RETURN p") == []


def test_parameters_are_read_from_code_only() -> None:
    assert parameters_of("// $ignored\nMATCH (p) WHERE p.a = $a AND p.b = '$b' RETURN p") == {"a"}
    # an apostrophe in a comment opens no string; "//" in a string opens no comment
    assert parameters_of("// H's day\nMATCH (p) WHERE p.d = $d // $x\nRETURN $e") == {"d", "e"}
    assert parameters_of("MATCH (p) WHERE p.u = 'http://$u' AND p.v = $v RETURN p") == {"v"}
    with pytest.raises(QueryError, match="查询名不合法"):
        load_query("../secrets")
