"""The Neo4j store's exact Cypher and parameters, against a recording stand-in for the driver."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
from neo4j import RoutingControl

from graph.neo4j_store import Neo4jStore


class RecordingDriver:
    """Records execute_query calls; answers reads with a canned DataFrame."""

    def __init__(self, answers: list[pd.DataFrame] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answers = list(answers or [])
        self.closed = False

    def execute_query(self, query: str, parameters: dict | None = None, **kw: Any) -> Any:
        self.calls.append({"query": query, "parameters": parameters, **kw})
        if "result_transformer_" in kw:
            return self.answers.pop(0) if self.answers else pd.DataFrame({"c": [0]})
        return None

    def close(self) -> None:
        self.closed = True


def test_reads_are_routed_to_readers_with_parameters() -> None:
    driver = RecordingDriver([pd.DataFrame({"pid": ["X"]})])
    store = Neo4jStore(driver, "neo4j://cluster:7687", database="county")
    df = store.query("person_by_id", pid="X", scope_town="", scope_village="")
    assert df["pid"].tolist() == ["X"]
    (call,) = driver.calls
    assert call["parameters"] == {"pid": "X", "scope_town": "", "scope_village": ""}
    assert call["routing_"] is RoutingControl.READ
    assert call["database_"] == "county"
    assert call["query"].startswith("// 按身份证号查人员")


def test_schema_creates_a_uniqueness_constraint_per_key_and_the_indexes() -> None:
    driver = RecordingDriver()
    Neo4jStore(driver, "bolt://x").ensure_schema()
    queries = [c["query"] for c in driver.calls]
    assert "CREATE CONSTRAINT person_key IF NOT EXISTS FOR (n:Person) REQUIRE n.pid IS UNIQUE" in queries
    assert "CREATE CONSTRAINT payment_key IF NOT EXISTS FOR (n:Payment) REQUIRE n.pay_no IS UNIQUE" in queries
    # the 流水号 beside the key, which evidence lookups match on
    assert "CREATE INDEX payment_pay_id IF NOT EXISTS FOR (n:Payment) ON (n.pay_id)" in queries
    assert "CREATE INDEX payment_household_id IF NOT EXISTS FOR (n:Payment) ON (n.household_id)" in queries
    assert all(c["routing_"] is RoutingControl.WRITE for c in driver.calls)
    assert sum(q.startswith("CREATE CONSTRAINT") for q in queries) == 13


def test_nodes_are_merged_in_batches_of_unwind_rows() -> None:
    driver = RecordingDriver([pd.DataFrame({"k": []})])
    store = Neo4jStore(driver, "bolt://x", batch_size=2)
    table = pa.table({"name": ["甲镇", "乙镇", "丙镇"], "src_fid": [1, 1, 1], "src_line": [2, 3, 4]})
    assert store.write_nodes("Town", table) == 3
    read, *writes = driver.calls
    assert read["query"] == "MATCH (n:Town) RETURN n.name AS k"
    assert [w["query"] for w in writes] == ["UNWIND $rows AS row MERGE (n:Town {name: row.name}) ON CREATE SET n = row"] * 2
    assert writes[0]["parameters"] == {
        "rows": [{"name": "甲镇", "src_fid": 1, "src_line": 2}, {"name": "乙镇", "src_fid": 1, "src_line": 3}]
    }
    assert writes[1]["parameters"] == {"rows": [{"name": "丙镇", "src_fid": 1, "src_line": 4}]}


def test_existing_node_keys_are_not_sent_again() -> None:
    driver = RecordingDriver([pd.DataFrame({"k": ["甲镇"]})])
    store = Neo4jStore(driver, "bolt://x")
    table = pa.table({"name": ["甲镇", "乙镇"], "src_fid": [1, 1], "src_line": [2, 3]})
    assert store.write_nodes("Town", table) == 1
    assert driver.calls[1]["parameters"] == {"rows": [{"name": "乙镇", "src_fid": 1, "src_line": 3}]}


def test_relationships_match_both_ends_by_key_and_carry_properties() -> None:
    driver = RecordingDriver([pd.DataFrame({"f": [], "t": [], "fid": [], "line": []})])
    store = Neo4jStore(driver, "bolt://x")
    table = pa.table({"from": ["甲镇/东村"], "to": ["甲镇"], "src_fid": [7], "src_line": [9]})
    assert store.write_rels("IN_TOWN", table) == 1
    read, write = driver.calls
    assert read["query"] == (
        "MATCH (a:Village)-[r:IN_TOWN]->(b:Town) RETURN a.vid AS f, b.name AS t, r.src_fid AS fid, r.src_line AS line"
    )
    assert write["query"] == (
        "UNWIND $rows AS row MATCH (a:Village {vid: row.from}) MATCH (b:Town {name: row.to}) "
        "CREATE (a)-[r:IN_TOWN]->(b) SET r = row.props"
    )
    assert write["parameters"] == {"rows": [{"from": "甲镇/东村", "to": "甲镇", "props": {"src_fid": 7, "src_line": 9}}]}
    assert write["routing_"] is RoutingControl.WRITE


def test_reset_deletes_in_batches_until_nothing_is_left() -> None:
    answers = [pd.DataFrame({"c": [5]}), pd.DataFrame({"c": [0]})] + [pd.DataFrame({"c": [0]})] * 11
    driver = RecordingDriver(answers)
    Neo4jStore(driver, "bolt://x", batch_size=5).reset()
    first = driver.calls[0]
    assert first["query"] == "MATCH (n:SourceFile) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS c"
    assert first["parameters"] == {"limit": 5}
    assert len(driver.calls) == 14  # SourceFile twice, then one call for each of the 12 other labels


def test_from_env_reads_credentials_and_database(monkeypatch) -> None:
    seen: dict[str, Any] = {}

    def fake_driver(uri: str, auth: tuple[str, str]) -> RecordingDriver:
        seen.update(uri=uri, auth=auth)
        return RecordingDriver()

    monkeypatch.setattr("graph.neo4j_store.GraphDatabase.driver", fake_driver)
    monkeypatch.setenv("NEO4J_USER", "auditor")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("NEO4J_DATABASE", "county")
    store = Neo4jStore.from_env("neo4j://cluster:7687")
    assert seen == {"uri": "neo4j://cluster:7687", "auth": ("auditor", "s3cret")}
    assert store.database == "county"
    store.close()
    assert store.driver.closed


def test_a_streamed_chunk_and_the_home_fixes_go_to_the_leader_without_reading_first() -> None:
    driver = RecordingDriver()
    store = Neo4jStore(driver, "neo4j://cluster", batch_size=2)
    chunk = pd.DataFrame({"from": ["P1", "P2", "P3"], "to": [1, 2, 3], "src_fid": [7, 7, 7], "src_line": [2, 3, 4]})
    assert store.insert_new("RECEIVED", chunk) == 3
    store.set_properties("Person", pd.DataFrame({"pid": ["P1"], "town": ["青山镇"], "village": [None]}))
    assert [c["routing_"] for c in driver.calls] == [RoutingControl.WRITE] * 3  # two batches of rows, one update
    first, second, update = driver.calls
    assert first["query"].startswith("UNWIND $rows AS row MATCH (a:Person {pid: row.from}) MATCH (b:Payment {pay_no: row.to})")
    assert [r["from"] for r in first["parameters"]["rows"]] == ["P1", "P2"]
    # RECEIVED's source row is its payment's (schema: provenance): no properties of its own
    assert second["parameters"]["rows"][0] == {"from": "P3", "to": 3, "props": {}}
    assert update["query"] == "UNWIND $rows AS r MATCH (n:Person {pid: r.pid}) SET n.town = r.town, n.village = r.village"
    assert update["parameters"] == {"rows": [{"pid": "P1", "town": "青山镇", "village": None}]}


def test_a_file_a_worker_wrote_is_inserted_as_its_rows(tmp_path) -> None:
    import pyarrow.parquet as pq

    driver = RecordingDriver()
    store = Neo4jStore(driver, "neo4j://cluster", batch_size=10)
    chunk = pd.DataFrame({"from": ["P1", "P2"], "to": [1, 2]})
    path = tmp_path / "RECEIVED-00000.parquet"
    pq.write_table(store.arrow_table("RECEIVED", chunk), path)  # as the second pass's workers write them
    with store.staged() as staged:
        staged.add_file("RECEIVED", path, 2)
    assert staged.rows == {"RECEIVED": 2}
    (call,) = driver.calls
    assert call["query"].startswith("UNWIND $rows AS row MATCH (a:Person {pid: row.from}) MATCH (b:Payment {pay_no: row.to})")
    assert call["parameters"]["rows"] == [{"from": "P1", "to": 1, "props": {}}, {"from": "P2", "to": 2, "props": {}}]
