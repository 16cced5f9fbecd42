"""The embedded store: LadybugDB (the maintained continuation of Kùzu) in a local folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ladybug as lb
import pandas as pd
import pyarrow as pa

from graph.schema import NodeType, RelType, Schema
from graph.store import GraphStore

_DDL_TYPES = {"STRING": "STRING", "INT64": "INT64", "DOUBLE": "DOUBLE", "BOOL": "BOOLEAN"}
DB_FILE = "graph.lbug"
#: Rows a COPY statement takes at most (see LadybugStore._copy).
COPY_ROWS = 1_000_000


class LadybugStore(GraphStore):
    """A LadybugDB database in ``folder/graph.lbug``; side files go beside it."""

    def __init__(self, folder: Path, schema: Schema | None = None, read_only: bool = False) -> None:
        folder = Path(folder)
        super().__init__(schema, state_dir=folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.uri = f"ladybug:{folder}"
        # An explicit buffer pool: the default reserves most of RAM up front, which
        # costs a second at start and is unkind to the Streamlit process beside it.
        pool_mb = int(os.environ.get("WORKBENCH_LADYBUG_BUFFER_MB", "4096"))
        # No checkpoint after every statement: a load is dozens of COPYs and checkpointing
        # each one doubled the write time; flush() checkpoints once when the load is done.
        self._db = lb.Database(
            str(folder / DB_FILE), buffer_pool_size=pool_mb * 1024 * 1024, read_only=read_only, auto_checkpoint=False
        )
        self._conn = lb.Connection(self._db)
        if not read_only:
            self.ensure_schema()

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Execute Cypher with parameters; rows as a DataFrame."""
        result = self._conn.execute(cypher, params or {})
        return result.get_as_df()

    def ensure_schema(self) -> None:
        """CREATE ... IF NOT EXISTS for every node and relationship table."""
        for node in self.schema.nodes.values():
            cols = ", ".join(f"{p.name} {_DDL_TYPES[p.type]}" for p in node.properties)
            self._conn.execute(f"CREATE NODE TABLE IF NOT EXISTS {node.name}({cols}, PRIMARY KEY ({node.key}))")
        for rel in self.schema.rels.values():
            cols = "".join(f", {p.name} {_DDL_TYPES[p.type]}" for p in rel.properties)
            self._conn.execute(f"CREATE REL TABLE IF NOT EXISTS {rel.name}(FROM {rel.source} TO {rel.target}{cols})")

    def reset(self) -> None:
        """Drop every table of the schema (relationships first), then create them empty."""
        for name in self.schema.rels:
            self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.schema.nodes:
            self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        self.ensure_schema()

    def _insert_nodes(self, node: NodeType, table: pa.Table) -> None:
        self._copy(node.name, table)

    def _insert_rels(self, rel: RelType, table: pa.Table) -> None:
        self._copy(rel.name, table)

    def _copy(self, name: str, table: pa.Table) -> None:
        # COPY ... FROM a Python Arrow table: LadybugDB scans the local variable by name.
        # It is the bulk path; row-by-row CREATE is two orders of magnitude slower. At most
        # COPY_ROWS rows a statement: a city's 9M registrations (MEMBER_OF) in one COPY
        # filled a 2 GB buffer pool ("Unable to allocate memory").
        for start in range(0, table.num_rows, COPY_ROWS):
            batch = table.slice(start, COPY_ROWS)  # noqa: F841 - referenced by name inside the COPY statement
            self._conn.execute(f"COPY {name} FROM batch")

    def flush(self) -> None:
        """Checkpoint: move the write-ahead log into the database file."""
        self._conn.execute("CHECKPOINT")

    def close(self) -> None:
        """Close the connection and database (flushes to disk)."""
        self._conn.close()
        self._db.close()
