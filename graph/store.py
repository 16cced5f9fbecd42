"""One interface over both graph stores.

Backends differ only where they must: DDL, bulk insert and how a read is executed
(the Splink ``DatabaseAPI`` split). Everything else — named queries with checked
parameters, idempotent writes, counts — lives here once.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graph.schema import NodeType, RelType, Schema, load_schema
from queries import load_query

#: How the pieces of a staged table are written to Parquet (GraphStore.staged, and files
#: given whole with Staged.add_file): files read once, by one COPY, minutes after. No
#: compression, no statistics, and a dictionary only for a column whose values repeat
#: (pyarrow drops it past 8 KB a column chunk). A city's 200k-row chunk of payment tables
#: took 170 ms to write with pyarrow's defaults and 68 ms so (9 s of the load's second
#: pass, on two cores), and 4M payments copied as fast from either (6.2–6.4 s against
#: 5.9–6.8 s); the files take 3.5 times the room (49 MB a chunk, not 14 MB).
STAGED_PARQUET: dict[str, Any] = {"compression": "none", "write_statistics": False, "dictionary_pagesize_limit": 8192}


class GraphStore(ABC):
    """A Cypher graph the loaders write and the models read."""

    #: Human-readable location, e.g. ``ladybug:data/graph`` or ``neo4j://host``.
    uri: str

    def __init__(self, schema: Schema | None = None, state_dir: Path | None = None) -> None:
        self.schema = schema or load_schema()
        #: Where this store's side files (quarantine report, load report) are written.
        self.state_dir = Path(state_dir or "data")

    # -- what each backend must provide ---------------------------------------------------
    @abstractmethod
    def run(self, cypher: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read query with ``$parameters`` and return its rows. Safe to call from
        several threads at once (an incremental scan runs its models side by side)."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the node/relationship tables (or constraints and indexes) if absent."""

    @abstractmethod
    def reset(self) -> None:
        """Remove all data and schema objects this project created."""

    @abstractmethod
    def _insert_nodes(self, node: NodeType, table: pa.Table) -> None:
        """Insert rows whose keys are known to be new."""

    @abstractmethod
    def _insert_rels(self, rel: RelType, table: pa.Table) -> None:
        """Insert relationships known to be new; endpoints exist."""

    def flush(self) -> None:  # noqa: B027 - optional hook
        """Make written data durable where the backend defers it (called after a load)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    @contextmanager
    def checkpoints_deferred(self) -> Iterator[None]:
        """Writes in the block may leave what a backend makes durable in batches (its
        checkpoints) for :meth:`flush_beside` to do after the block. Here: nothing is
        deferred."""
        yield

    def flush_beside(self) -> None:
        """Make what is owed durable, where a backend can, in a thread beside the caller's
        next work (which must not need the store; the store's next use waits for it). Here:
        :meth:`flush` now."""
        self.flush()

    def settle(self) -> None:  # noqa: B027 - optional hook
        """Wait for what :meth:`flush_beside` started (here it finished before returning)."""

    # -- shared behaviour -----------------------------------------------------------------
    def query(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the stored query ``queries/<name>.cypher`` with checked parameters."""
        return self.run(_checked(name, params), params)

    def query_table(self, name: str, /, **params: Any) -> pd.DataFrame:
        """:meth:`query` for many rows of plain columns (text and numbers, no lists), which
        a backend may fetch a faster way (LadybugDB: as Arrow; a city's 2.7M rows of three
        text columns in 3 s instead of 5.5 s)."""
        return self._run_table(_checked(name, params), params)

    def _run_table(self, cypher: str, params: dict[str, Any]) -> pd.DataFrame:
        return self.run(cypher, params)

    def counts(self) -> dict[str, int]:
        """Number of nodes per label and relationships per type, in schema order."""
        return {name: self.count(name) for name in [*self.schema.nodes, *self.schema.rels]}

    def highest(self, name: str) -> int:
        """The one value the stored query ``name`` returns (a ``max()``: the last load
        batch, the highest payment number), 0 when the store holds none."""
        df = self.query(name)
        return int(df.iloc[0, 0]) if len(df) and pd.notna(df.iloc[0, 0]) else 0

    def count(self, name: str) -> int:
        """Number of nodes of a label or relationships of a type of the schema."""
        # Labels come from the schema, never from user input, so they may be spliced.
        if name in self.schema.nodes:
            cypher = f"MATCH (n:{self.schema.node(name).name}) RETURN count(n) AS c"
        else:
            rel = self.schema.rel(name)
            cypher = f"MATCH (:{rel.source})-[r:{rel.name}]->(:{rel.target}) RETURN count(r) AS c"
        return int(self.run(cypher)["c"].iloc[0])

    def write(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        """Run a writing statement (Neo4j routes it to the cluster's leader)."""
        self.run(cypher, params)

    def keys(self, label: str) -> set[str]:
        """Every key of a node label in the store (labels come from the schema)."""
        node = self.schema.node(label)
        return set(self.run(f"MATCH (n:{node.name}) RETURN n.{node.key} AS k")["k"].dropna())

    def arrow_table(self, name: str, df: pd.DataFrame) -> pa.Table:
        """A node or relationship table as Arrow, in the schema's columns (absent ones
        empty) and types. pyarrow reads None, NaN and pandas' NA as null itself, so the
        frame is not copied into a converted one first."""
        if name in self.schema.nodes:
            node = self.schema.node(name)
            cols, schema = [p.name for p in node.properties], node.arrow_schema()
        else:
            rel = self.schema.rel(name)
            cols, schema = ["from", "to", *[p.name for p in rel.properties]], rel.arrow_schema()
        return pa.Table.from_pandas(df.reindex(columns=cols), schema=schema, preserve_index=False)

    def insert_new(self, name: str, df: pd.DataFrame) -> int:
        """Insert rows of a node label or relationship type known to be new (a streamed
        load's chunks): no read of what the store holds, which at 16M payments would
        cost more than the insert. Missing columns are empty."""
        if df.empty:
            return 0
        if name in self.schema.nodes:
            self._insert_nodes(self.schema.node(name), self.arrow_table(name, df))
        else:
            self._insert_rels(self.schema.rel(name), self.arrow_table(name, df))
        return len(df)

    @contextmanager
    def staged(
        self, timings: dict[str, float] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> Iterator[Staged]:
        """Insert rows known to be new that come a piece at a time (a streamed load's
        chunks): ``with store.staged() as s: s.add(name, df)``. Here each piece is
        inserted as it comes (:meth:`insert_new`); a backend whose bulk path wants one
        statement a table (LadybugDB) collects the pieces and inserts them on leaving
        the block, nodes before relationships (reported to ``progress`` table by table).
        ``timings`` gets ``write:<table>`` seconds (LadybugDB also ``checkpoint:<table>``)."""
        yield Staged(self.insert_new, timings)

    def set_properties(self, label: str, df: pd.DataFrame) -> None:
        """Set properties of existing nodes: ``df`` has the key column and the properties."""
        node = self.schema.node(label)
        props = [c for c in df.columns if c != node.key]
        unknown = set(props) - {p.name for p in node.properties}
        if unknown:
            raise KeyError(f"{label} 没有属性 {', '.join(sorted(unknown))}")
        sets = ", ".join(f"n.{c} = r.{c}" for c in props)
        rows = df.astype(object).where(df.notna(), None).to_dict("records")
        for i in range(0, len(rows), 10_000):
            self.write(
                f"UNWIND $rows AS r MATCH (n:{label} {{{node.key}: r.{node.key}}}) SET {sets}", {"rows": rows[i : i + 10_000]}
            )

    def write_nodes(self, label: str, table: pa.Table) -> int:
        """Insert the rows whose key is not in the store yet; returns how many were new.

        Rows must already be unique by key. Skipping existing keys is what makes a
        reload of the same folder leave the graph as it was.
        """
        node = self.schema.node(label)
        table = table.select([p.name for p in node.properties]).cast(node.arrow_schema())
        existing = self.run(f"MATCH (n:{label}) RETURN n.{node.key} AS k")["k"]
        if len(existing):
            keep = pc.invert(pc.is_in(table[node.key], value_set=pa.array(existing.astype(str))))
            table = table.filter(keep)
        if table.num_rows:
            self._insert_nodes(node, table)
        return table.num_rows

    def write_rels(self, rtype: str, table: pa.Table) -> int:
        """Insert relationships not in the store yet (same ends and same source row; the
        same ends alone for an edge whose source row is its end node's)."""
        rel = self.schema.rel(rtype)
        table = table.select(["from", "to"] + [p.name for p in rel.properties]).cast(rel.arrow_schema())
        src, dst = self.schema.node(rel.source).key, self.schema.node(rel.target).key
        row = "" if rel.provenance else ", r.src_fid AS fid, r.src_line AS line"
        existing = self.run(f"MATCH (a:{rel.source})-[r:{rtype}]->(b:{rel.target}) RETURN a.{src} AS f, b.{dst} AS t{row}")
        if len(existing):
            table = table.filter(pc.invert(pc.is_in(_rel_identity(table), value_set=_rel_identity(existing))))
        if table.num_rows:
            self._insert_rels(rel, table)
        return table.num_rows


class Staged:
    """The pieces given to :meth:`GraphStore.staged`: rows per table, and where they go."""

    def __init__(
        self,
        take: Callable[[str, pd.DataFrame], int],
        timings: dict[str, float] | None = None,
        take_file: Callable[[str, Path], None] | None = None,
    ) -> None:
        self._take = take
        self._take_file = take_file
        self.timings = timings if timings is not None else {}
        #: rows given per table
        self.rows: dict[str, int] = {}

    def add(self, name: str, df: pd.DataFrame) -> int:
        """Give the rows of ``df`` (new rows of table ``name``); returns how many."""
        if df.empty:
            return 0
        t = time.perf_counter()
        n = self._take(name, df)
        self.rows[name] = self.rows.get(name, 0) + n
        self.timings[f"write:{name}"] = self.timings.get(f"write:{name}", 0.0) + time.perf_counter() - t
        return n

    def add_file(self, name: str, path: Path, rows: int) -> None:
        """Give ``rows`` new rows of table ``name`` in a Parquet file made by
        :meth:`GraphStore.arrow_table` (a worker process wrote it). The file is the
        caller's: it must stay until the block is left."""
        if not rows:
            return
        if self._take_file is None:
            self.add(name, pq.read_table(path).to_pandas())
            return
        self._take_file(name, path)
        self.rows[name] = self.rows.get(name, 0) + rows


def _rel_identity(t: pa.Table | pd.DataFrame) -> pa.Array:
    """One string per relationship: both ends and, where the edge has one, its source row."""
    if isinstance(t, pd.DataFrame):
        cols = {"from": t["f"].astype(str), "to": t["t"].astype(str)}
        if "fid" in t:
            cols |= {"src_fid": t["fid"].astype("Int64"), "src_line": t["line"].astype("Int64")}
        t = pa.table(cols)
    return text_key([t[c] for c in ("from", "to", "src_fid", "src_line") if c in t.column_names])


def text_key(columns: list[pa.Array | pa.ChunkedArray]) -> pa.Array | pa.ChunkedArray:
    """One text per row of the columns: each as text, missing as empty, joined by a
    separator no id, code, year or line number holds."""
    parts = [pc.fill_null(pc.cast(c, pa.string()), "") for c in columns]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")


def open_store(uri: str | None = None) -> GraphStore:
    """Open the store named by ``uri``.

    ``None`` or ``ladybug:PATH`` is the embedded LadybugDB store (default
    ``ladybug:data/graph``); ``neo4j://``, ``neo4j+s://``, ``bolt://`` … is a Neo4j
    server or cluster, with credentials from ``NEO4J_USER``/``NEO4J_PASSWORD`` and the
    database from ``NEO4J_DATABASE``.
    """
    import os

    uri = uri or os.environ.get("WORKBENCH_STORE") or "ladybug:data/graph"
    if uri.startswith("ladybug:"):
        from graph.ladybug_store import LadybugStore

        return LadybugStore(Path(uri.removeprefix("ladybug:")))
    if uri.split("://", 1)[0] in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.from_env(uri)
    raise ValueError(f"无法识别的图存储地址: {uri}（应为 ladybug:路径 或 neo4j://主机）")


def _checked(name: str, params: dict[str, Any]) -> str:
    """The text of the stored query ``name`` once ``params`` are checked against it."""
    q = load_query(name)
    q.check(params)
    return q.text
