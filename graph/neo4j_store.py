"""The production store: a Neo4j server or cluster through the official driver.

Reads go with ``RoutingControl.READ`` so a cluster can serve them from followers and
read replicas; writes with ``RoutingControl.WRITE`` to the leader.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd
import pyarrow as pa
from neo4j import GraphDatabase, RoutingControl

from graph.schema import NodeType, RelType, Schema
from graph.store import GraphStore

DEFAULT_BATCH = 10_000


class Neo4jStore(GraphStore):
    """Neo4j behind a ``neo4j://`` (routing) or ``bolt://`` (direct) URI."""

    def __init__(
        self,
        driver: Any,
        uri: str,
        database: str = "neo4j",
        schema: Schema | None = None,
        batch_size: int = DEFAULT_BATCH,
        state_dir: Path | None = None,
    ) -> None:
        super().__init__(schema, state_dir=state_dir or Path("data") / "neo4j")
        self.driver = driver
        self.uri = uri
        self.database = database
        self.batch_size = batch_size

    @classmethod
    def from_env(cls, uri: str) -> Neo4jStore:
        """Connect with ``NEO4J_USER``/``NEO4J_PASSWORD``; database from ``NEO4J_DATABASE``."""
        auth = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        driver = GraphDatabase.driver(uri, auth=auth)
        store = cls(
            driver,
            uri,
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
            batch_size=int(os.environ.get("NEO4J_BATCH_SIZE", DEFAULT_BATCH)),
        )
        store.ensure_schema()
        return store

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """A read, routed to any member of the cluster that can serve it."""
        return self.driver.execute_query(
            cypher,
            params or {},
            database_=self.database,
            routing_=RoutingControl.READ,
            result_transformer_=neo4j.Result.to_df,
        )

    def _write(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        self.driver.execute_query(cypher, params or {}, database_=self.database, routing_=RoutingControl.WRITE)

    def write(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        """A writing statement, routed to the cluster's leader."""
        self._write(cypher, params)

    def ensure_schema(self) -> None:
        """A uniqueness constraint per node key (it is also the key's index) and the lookup indexes."""
        for node in self.schema.nodes.values():
            self._write(
                f"CREATE CONSTRAINT {node.name.lower()}_key IF NOT EXISTS FOR (n:{node.name}) REQUIRE n.{node.key} IS UNIQUE"
            )
            for prop in node.indexes:
                self._write(f"CREATE INDEX {node.name.lower()}_{prop} IF NOT EXISTS FOR (n:{node.name}) ON (n.{prop})")

    def reset(self) -> None:
        """Delete every node of the schema's labels in batches (relationships go with them)."""
        for name in self.schema.nodes:
            while True:
                df = self.driver.execute_query(
                    f"MATCH (n:{name}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS c",
                    {"limit": self.batch_size},
                    database_=self.database,
                    routing_=RoutingControl.WRITE,
                    result_transformer_=neo4j.Result.to_df,
                )
                if int(df["c"].iloc[0]) == 0:
                    break

    def _batches(self, table: pa.Table) -> list[list[dict[str, Any]]]:
        return [b.to_pylist() for b in table.to_batches(max_chunksize=self.batch_size)]

    def _insert_nodes(self, node: NodeType, table: pa.Table) -> None:
        # MERGE on the key, not CREATE: two loads racing on one cluster stay idempotent.
        cypher = f"UNWIND $rows AS row MERGE (n:{node.name} {{{node.key}: row.{node.key}}}) ON CREATE SET n = row"
        for rows in self._batches(table):
            self._write(cypher, {"rows": rows})

    def _insert_rels(self, rel: RelType, table: pa.Table) -> None:
        src = self.schema.node(rel.source).key
        dst = self.schema.node(rel.target).key
        cypher = (
            f"UNWIND $rows AS row "
            f"MATCH (a:{rel.source} {{{src}: row.from}}) "
            f"MATCH (b:{rel.target} {{{dst}: row.to}}) "
            f"CREATE (a)-[r:{rel.name}]->(b) SET r = row.props"
        )
        names = [p.name for p in rel.properties]
        for rows in self._batches(table):
            payload = [{"from": r["from"], "to": r["to"], "props": {k: r[k] for k in names}} for r in rows]
            self._write(cypher, {"rows": payload})

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()
