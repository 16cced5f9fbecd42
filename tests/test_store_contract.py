"""The GraphStore contract, run against every store that is available.

LadybugDB always runs. Neo4j runs live when NEO4J_URI is set (with NEO4J_USER,
NEO4J_PASSWORD, NEO4J_DATABASE); otherwise its cases are skipped with the reason.
The live Neo4j database is emptied of this schema's labels: point it at a scratch database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from graph.store import GraphStore, open_store
from queries import QueryError

NEO4J_REASON = "NEO4J_URI is not set: no Neo4j server on this machine, the live Neo4j store tests are skipped"


@pytest.fixture(params=["ladybug", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "neo4j":
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            pytest.skip(NEO4J_REASON)
        s = open_store(uri)
        s.reset()
    else:
        s = open_store(f"ladybug:{tmp_path / 'g'}")
    yield s
    s.close()


def person_table(pids: list[str]) -> pa.Table:
    n = len(pids)
    return pa.table(
        {
            "pid": pids,
            "id_number": pids,
            "id_valid": [True] * n,
            "id_problem": [None] * n,
            "name": [f"人{i}" for i in range(n)],
            "sex": ["男"] * n,
            "birth_date": ["1970-05-01"] * n,
            "birth_day": [120] * n,
            "birth_year": [1970] * n,
            "town": ["青山镇"] * n,
            "village": ["东村"] * n,
            "src_fid": [1] * n,
            "src_line": list(range(2, n + 2)),
        }
    )


def relative_table(pairs: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {
            "from": [a for a, _, _ in pairs],
            "to": [b for _, b, _ in pairs],
            "relation": ["儿子"] * len(pairs),
            "close": [True] * len(pairs),
            "declared_name": ["某"] * len(pairs),
            "declared_id": [None] * len(pairs),
            "declared_village": [None] * len(pairs),
            "matched_by": ["身份证号"] * len(pairs),
            "match_score": [None] * len(pairs),
            "match_reasons": [None] * len(pairs),
            "src_fid": [2] * len(pairs),
            "src_line": [line for _, _, line in pairs],
        }
    )


def test_write_nodes_skips_existing_keys(store: GraphStore) -> None:
    assert store.write_nodes("Person", person_table(["A", "B"])) == 2
    assert store.write_nodes("Person", person_table(["B", "C"])) == 1
    assert store.counts()["Person"] == 3


def test_write_rels_skips_the_same_source_row(store: GraphStore) -> None:
    store.write_nodes("Person", person_table(["A", "B", "C"]))
    assert store.write_rels("DECLARED_RELATIVE", relative_table([("A", "B", 5), ("A", "C", 6)])) == 2
    assert store.write_rels("DECLARED_RELATIVE", relative_table([("A", "B", 5), ("A", "B", 9)])) == 1
    assert store.counts()["DECLARED_RELATIVE"] == 3


def test_query_by_name_with_parameters(store: GraphStore) -> None:
    store.write_nodes("Person", person_table(["370123197005010116", "B"]))
    df = store.query("person_by_id", pid="370123197005010116", scope_town="", scope_village="")
    assert df["name"].tolist() == ["人0"]
    assert bool(df["id_valid"].iloc[0]) is True


def test_query_parameters_are_checked_before_running(store: GraphStore) -> None:
    with pytest.raises(QueryError, match="缺少参数 pid"):
        store.query("person_by_id")
    with pytest.raises(QueryError, match="多余参数 name"):
        store.query("person_by_id", pid="x", name="y", scope_town="", scope_village="")


def test_values_travel_as_parameters_not_text(store: GraphStore) -> None:
    hostile = "x' OR 1=1 //"
    store.write_nodes("Person", person_table([hostile, "B"]))
    assert store.query("person_by_id", pid=hostile, scope_town="", scope_village="")["pid"].tolist() == [hostile]
    assert store.query("person_by_id", pid="x", scope_town="", scope_village="")["pid"].tolist() == []


def test_reset_empties_every_table(store: GraphStore) -> None:
    store.write_nodes("Person", person_table(["A", "B"]))
    store.write_rels("DECLARED_RELATIVE", relative_table([("A", "B", 5)]))
    store.reset()
    assert set(store.counts().values()) == {0}


def test_counts_cover_the_whole_schema(store: GraphStore) -> None:
    counts = store.counts()
    assert list(counts) == list(store.schema.nodes) + list(store.schema.rels)


def test_unknown_store_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="无法识别的图存储地址"):
        open_store("postgres://x")


def test_staged_pieces_are_all_inserted(store: GraphStore) -> None:
    with store.staged() as staged:
        assert staged.add("Person", person_table(["A", "B"]).to_pandas()) == 2
        assert staged.add("Person", person_table(["C"]).to_pandas()) == 1
        assert staged.add("DECLARED_RELATIVE", relative_table([("A", "B", 5), ("A", "C", 6)]).to_pandas()) == 2
        assert staged.add("Person", person_table([]).to_pandas()) == 0
    assert staged.rows == {"Person": 3, "DECLARED_RELATIVE": 2}
    assert {k for k in staged.timings if k.startswith("write:")} == {"write:Person", "write:DECLARED_RELATIVE"}
    assert sorted(store.run("MATCH (p:Person) RETURN p.pid AS pid")["pid"]) == ["A", "B", "C"]
    rels = store.run("MATCH (a:Person)-[r:DECLARED_RELATIVE]->(b:Person) RETURN a.pid AS a, b.pid AS b, r.src_line AS line")
    assert sorted(zip(rels["a"], rels["b"], rels["line"], strict=True)) == [("A", "B", 5), ("A", "C", 6)]


def test_ladybug_copies_staged_pieces_once_on_leaving_and_nothing_on_an_error(tmp_path: Path) -> None:
    store = open_store("ladybug:" + str(tmp_path / "it's a store"))  # a quote in the folder: the COPY's path literal
    with store.staged() as staged:
        staged.add("Person", person_table(["A"]).to_pandas())
        staged.add("Person", person_table(["B"]).to_pandas())
        assert store.count("Person") == 0  # held back until the block ends
        assert [p.name for p in tmp_path.glob("*/staged-*/*")] == ["Person.parquet"]
    assert store.count("Person") == 2
    with pytest.raises(RuntimeError), store.staged() as staged:
        staged.add("Person", person_table(["C"]).to_pandas())
        raise RuntimeError("a chunk failed")
    assert store.count("Person") == 2
    assert list(tmp_path.glob("*/staged-*")) == []
    store.close()


def test_write_rels_of_an_edge_without_its_own_source_row_skips_the_same_ends(store: GraphStore) -> None:
    # RECEIVED takes its source row from the payment (schema: provenance): the ends alone
    # say whether it is there already
    store.write_nodes("Person", person_table(["A", "B"]))
    payments = pa.table({"pay_no": [1, 2], "pay_id": ["X1", "X2"], "src_fid": [1, 1], "src_line": [2, 3]})
    store.write_nodes("Payment", store.arrow_table("Payment", payments.to_pandas()))
    rels = pd.DataFrame({"from": ["A", "B"], "to": [1, 2]})
    assert store.write_rels("RECEIVED", store.arrow_table("RECEIVED", rels)) == 2
    assert store.write_rels("RECEIVED", store.arrow_table("RECEIVED", rels.iloc[:1])) == 0
    assert store.counts()["RECEIVED"] == 2


def test_ladybug_refuses_to_write_into_tables_of_another_schema_and_names_the_way_out(tmp_path: Path) -> None:
    import ladybug as lb

    from graph.ladybug_store import DB_FILE, StoreSchemaError

    folder = tmp_path / "old"
    folder.mkdir()
    # a store of the release before RECEIVED lost its own source row
    old = lb.Database(str(folder / DB_FILE))
    conn = lb.Connection(old)
    conn.execute("CREATE NODE TABLE Person(pid STRING, PRIMARY KEY (pid))")
    conn.execute("CREATE NODE TABLE Payment(pay_id STRING, PRIMARY KEY (pay_id))")
    conn.execute("CREATE REL TABLE RECEIVED(FROM Person TO Payment, src_fid INT64, src_line INT64)")
    conn.close()
    old.close()
    store = open_store(f"ladybug:{folder}")
    assert store.count("Person") == 0  # reading is still possible
    with pytest.raises(StoreSchemaError, match=r"表 Person .*缺少属性: .*id_number") as e:
        store.write_nodes("Person", person_table(["A"]))
    assert "--reset" in str(e.value) and str(folder) in str(e.value)
    assert store.count("Person") == 0  # nothing written
    store.reset()  # what the message says to do works
    assert store.write_nodes("Person", person_table(["A"])) == 1
    store.close()
