"""The embedded store: LadybugDB (the maintained continuation of Kùzu) in a local folder."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug as lb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph.schema import NodeType, RelType, Schema
from graph.store import STAGED_PARQUET, GraphStore, Staged

_DDL_TYPES = {"STRING": "STRING", "INT64": "INT64", "DOUBLE": "DOUBLE", "BOOL": "BOOLEAN"}
DB_FILE = "graph.lbug"
#: Rows a relationship COPY statement takes at most, per MB of buffer pool (see
#: LadybugStore._copy); COPY_ROWS, when set, instead.
COPY_ROWS_PER_MB = 2_400
COPY_ROWS: int | None = None
#: Share of the buffer pool that data copied since the last checkpoint may take before
#: the store checkpoints (see LadybugStore._copy).
CHECKPOINT_SHARE = 0.125


def buffer_pool_mb(db_file: Path) -> int:
    """The buffer pool for a database: ``WORKBENCH_LADYBUG_BUFFER_MB`` when set, else twice
    the database file, at least 4 GB and at most half the machine's memory.

    Not LadybugDB's default, which reserves most of RAM up front (a second at start, and
    unkind to the Streamlit process beside it). Not a fixed 4 GB either: the models' joins
    over a city's 13.6M payments (a 5.3 GB file) filled a 4 GB pool; with 12 GB the scan
    peaked at 10.2 GB. A load starts from the file it finds, so a first load gets 4 GB and
    leaves the rest of the machine to the loader's own tables.
    """
    if os.environ.get("WORKBENCH_LADYBUG_BUFFER_MB"):
        return int(os.environ["WORKBENCH_LADYBUG_BUFFER_MB"])
    size = db_file.stat().st_size if db_file.is_file() else 0
    half_ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    return max(4096, min(2 * size, half_ram) // 2**20)


class LadybugStore(GraphStore):
    """A LadybugDB database in ``folder/graph.lbug``; side files go beside it."""

    def __init__(self, folder: Path, schema: Schema | None = None, read_only: bool = False) -> None:
        folder = Path(folder)
        super().__init__(schema, state_dir=folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.uri = f"ladybug:{folder}"
        pool_mb = self.pool_mb = buffer_pool_mb(folder / DB_FILE)
        # No checkpoint after every statement: a load is dozens of COPYs and checkpointing
        # each one doubled the write time. _copy checkpoints by volume instead, and flush()
        # once when the load is done.
        self.checkpoint_bytes = int(pool_mb * 1024 * 1024 * CHECKPOINT_SHARE)
        self.checkpoints = 0
        self._unsaved = 0
        #: COPYs do not checkpoint by volume (checkpoints_deferred), and the checkpoint
        #: running beside the caller (flush_beside), which the store's next use waits for
        self._deferring = False
        self._owed = False
        self._pending: Future | None = None
        self._db = lb.Database(
            str(folder / DB_FILE), buffer_pool_size=pool_mb * 1024 * 1024, read_only=read_only, auto_checkpoint=False
        )
        self._conn = lb.Connection(self._db)
        # Reads from another thread get a connection of their own (see _reader).
        self._owner = threading.get_ident()
        self._readers: dict[threading.Thread, lb.Connection] = {}
        self._readers_lock = threading.Lock()
        self._tables_checked = False
        if not read_only:
            self.ensure_schema()

    def _check_tables(self) -> None:
        """A store built by a release with other properties is refused for bulk writes
        (before the first), with what differs: a COPY of the new columns into old tables
        would fail half-way through a load. Reading it, and resetting it, stay possible."""
        if self._tables_checked:
            return
        folder = self.state_dir
        # every table exists: a store opened for writing ran ensure_schema
        for name, kind in [*self.schema.nodes.items(), *self.schema.rels.items()]:
            got = [str(x) for x in self.run(f"CALL table_info('{name}') RETURN name")["name"]]
            want = [p.name for p in kind.properties]
            if got != want:
                extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
                raise StoreSchemaError(
                    f"{folder}: 图数据库中的表 {name} 与当前版本的图模式不同"
                    f"（多出属性: {'、'.join(extra) or '无'}；缺少属性: {'、'.join(missing) or '无'}），"
                    f"请用 workbench load 目录 --store ladybug:{folder} --reset 重新导入"
                )
        self._tables_checked = True

    def _reader(self) -> lb.Connection:
        """The connection for a query from this thread: the store's own in the thread that
        opened it, else one per thread. A connection runs one statement at a time, and
        LadybugDB releases the GIL while it runs one: two threads with a connection each
        ran four of a city's incremental model queries in 2.3 s instead of 4.2 s."""
        self.settle()
        if threading.get_ident() == self._owner:
            return self._conn
        me = threading.current_thread()
        with self._readers_lock:
            conn = self._readers.get(me)
            if conn is None:
                # the connections of threads that have ended (an earlier scan's) are closed,
                # so that a long-running workbench does not gather them
                for thread in [t for t in self._readers if not t.is_alive()]:
                    self._readers.pop(thread).close()
                conn = self._readers[me] = lb.Connection(self._db)
        return conn

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Execute Cypher with parameters; rows as a DataFrame."""
        result = self._reader().execute(cypher, params or {})
        return result.get_as_df()

    def _run_table(self, cypher: str, params: dict[str, Any]) -> pd.DataFrame:
        # through Arrow: text columns come out as the same pandas strings as get_as_df's,
        # without a Python object per value on the way
        return self._reader().execute(cypher, params).get_as_arrow().to_pandas()

    def ensure_schema(self) -> None:
        """CREATE ... IF NOT EXISTS for every node and relationship table."""
        self.settle()
        for node in self.schema.nodes.values():
            cols = ", ".join(f"{p.name} {_DDL_TYPES[p.type]}" for p in node.properties)
            self._conn.execute(f"CREATE NODE TABLE IF NOT EXISTS {node.name}({cols}, PRIMARY KEY ({node.key}))")
        for rel in self.schema.rels.values():
            cols = "".join(f", {p.name} {_DDL_TYPES[p.type]}" for p in rel.properties)
            self._conn.execute(f"CREATE REL TABLE IF NOT EXISTS {rel.name}(FROM {rel.source} TO {rel.target}{cols})")

    def reset(self) -> None:
        """Drop every table of the schema (relationships first), then create them empty."""
        self.settle()
        for name in self.schema.rels:
            self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.schema.nodes:
            self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        self.ensure_schema()
        self._tables_checked = True  # made by this schema just now

    def _insert_nodes(self, node: NodeType, table: pa.Table) -> None:
        self._copy(node.name, table)

    def _insert_rels(self, rel: RelType, table: pa.Table) -> None:
        self._copy(rel.name, table)

    def _copy(self, name: str, table: pa.Table) -> None:
        # COPY ... FROM a Python Arrow table: LadybugDB scans the local variable by name.
        # It is the bulk path; row-by-row CREATE is two orders of magnitude slower.
        # Relationships go at most COPY_ROWS_PER_MB rows a statement per MB of buffer pool:
        # a city's 9M registrations (MEMBER_OF) in one COPY filled a 2 GB buffer pool
        # ("Unable to allocate memory"), and with a 4 GB pool 9M synthetic registrations
        # took 11.7 s in one COPY (and a 0.3 s checkpoint) where nine COPYs of 1M rows,
        # each into a table holding rows, took 13.0 s and a 12.1 s checkpoint. A node table
        # goes in one statement: its primary-key index is built by the bulk path then, and
        # a city's 9M people written in slices, with a checkpoint between two of them, once
        # came out with keys the index could not find (not reproduced in isolation).
        self._check_tables()
        self.settle()
        rel_rows = COPY_ROWS or self.pool_mb * COPY_ROWS_PER_MB
        step = rel_rows if name in self.schema.rels else max(table.num_rows, 1)
        for start in range(0, table.num_rows, step):
            batch = table.slice(start, step)
            self._conn.execute(f"COPY {name} FROM batch")
            self._forget_scans()
            self._unsaved += batch.nbytes
        # Rows copied into a table that already holds rows stay in memory until the next
        # checkpoint and count against the buffer pool: without checkpoints a city's
        # payments filled a 4 GB pool after 65 s. So the store checkpoints, between tables,
        # once the data copied since the last one passes CHECKPOINT_SHARE of the pool
        # (unless deferred: see checkpoints_deferred).
        if self._unsaved >= self.checkpoint_bytes:
            if self._deferring:
                self._owed = True
            else:
                self.flush()

    @contextmanager
    def checkpoints_deferred(self) -> Iterator[None]:
        """COPYs in the block do not checkpoint by volume; the checkpoint they owe is left
        to :meth:`flush_beside` (or the next flush). For COPYs into empty tables only (a
        first load's reference graph): rows copied into a table holding rows stay in the
        buffer pool until a checkpoint, and would fill it.

        Why: the checkpoint after a city's 9.1M people is 5.5–9 s on one core (most of it
        freeing their primary-key index's in-memory form), the other core idle; deferred,
        it runs beside the payments' second pass, which keeps both cores busy. (Measured on
        the people, households and registrations copied alone: the same total, 28.3 s
        either way; 0.7 GB more held until the checkpoint.)"""
        held, self._deferring = self._deferring, True
        try:
            yield
        finally:
            self._deferring = held

    def flush_beside(self) -> None:
        """The checkpoint owed, in a thread of its own: the caller goes on with work that
        needs no store (LadybugDB releases the GIL while it checkpoints). The store's next
        use waits for it, and raises its error. No checkpoint deferred: nothing done."""
        self.settle()
        if not self._owed:
            return
        pool = ThreadPoolExecutor(1, thread_name_prefix="checkpoint")
        self._pending = pool.submit(self._checkpoint)
        pool.shutdown(wait=False)  # its thread ends with the checkpoint

    def settle(self) -> None:
        """Wait for the checkpoint :meth:`flush_beside` started (its error raised here)."""
        pending = self._pending
        if pending is None:
            return
        try:
            pending.result()
        finally:
            if self._pending is pending:
                self._pending = None

    @contextmanager
    def staged(
        self, timings: dict[str, float] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> Iterator[Staged]:
        """Pieces of each table go to a Parquet file beside the store, and each file is
        copied in one COPY on leaving the block (nodes first), then removed.

        Why: LadybugDB's bulk path is one COPY into a table. Copying a city's payments
        68 chunks at a time, each into a table that already held rows, kept each chunk in
        LadybugDB's memory until a checkpoint and grew its heap from checkpoint to
        checkpoint (5.4 GB at the end); 8M synthetic payment rows took 92 s and 7.5 GB
        that way, 43 s and 1.6 GB written to a file and copied once. The store checkpoints
        after each table's COPY. Leaving the block by an exception copies nothing.
        Files given whole (:meth:`Staged.add_file`) go in the same COPY as the table's own.
        """
        self._check_tables()
        folder = Path(tempfile.mkdtemp(prefix="staged-", dir=self.state_dir))
        writers: dict[str, pq.ParquetWriter] = {}

        def take(name: str, df: pd.DataFrame) -> int:
            table = self.arrow_table(name, df)
            if name not in writers:
                writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", table.schema, **STAGED_PARQUET)
            writers[name].write_table(table)
            return table.num_rows

        # files written elsewhere (by the second pass's worker processes), copied with it
        given: dict[str, list[Path]] = {}

        def take_file(name: str, path: Path) -> None:
            given.setdefault(name, []).append(path)

        staged = Staged(take, timings, take_file)
        try:
            yield staged
            for w in writers.values():
                w.close()
            self.settle()  # a checkpoint started beside the block (flush_beside) ends first
            order = [*self.schema.nodes, *self.schema.rels]
            names = sorted({*writers, *given}, key=order.index)
            for i, name in enumerate(names):
                if progress:
                    progress(f"写入 {name}", i, len(names))
                files = ([folder / f"{name}.parquet"] if name in writers else []) + given.get(name, [])
                listed = ", ".join(f"'{_literal(f)}'" for f in files)
                t = time.perf_counter()
                # one COPY of a list of files: one bulk copy into the table, as of one file
                self._conn.execute(f"COPY {name} FROM [{listed}]")
                t2 = time.perf_counter()
                # A checkpoint after each table, not one after all: appending a city's month
                # (141k payments to 13.6M), COPY and checkpoint of Payment, RECEIVED and
                # FOR_HOUSEHOLD took 13.9–15.6 s this way, 16.4–18.5 s with one checkpoint
                # at the end. Into an empty table (a first load), a checkpoint has little to do.
                self.flush()
                for key, seconds in ((f"write:{name}", t2 - t), (f"checkpoint:{name}", time.perf_counter() - t2)):
                    staged.timings[key] = staged.timings.get(key, 0.0) + seconds
        finally:
            for w in writers.values():
                w.close()
            shutil.rmtree(folder, ignore_errors=True)

    def _forget_scans(self) -> None:
        # The ladybug package caches a prepared statement per COPY of a Python object, keyed
        # by the object's identity, and the statement keeps the object bound: every table a
        # load copied stayed in memory until the connection closed (a city's payments, many
        # GB). Each COPY scans a new table, so its statement is never reused: drop it.
        cache = getattr(self._conn, "_pybind_implicit_prepared_cache", None)
        if not cache:
            return
        for key in [k for k in cache if isinstance(k, tuple) and str(k[0]).lstrip().upper().startswith("COPY ")]:
            del cache[key]

    def flush(self) -> None:
        """Checkpoint: move the write-ahead log into the database file."""
        self.settle()
        self._checkpoint()

    def _checkpoint(self) -> None:
        self._conn.execute("CHECKPOINT")
        self._unsaved = 0
        self._owed = False
        self.checkpoints += 1

    def close(self) -> None:
        """Close the connections and database (flushes to disk)."""
        try:
            self.settle()
        finally:
            for conn in self._readers.values():
                conn.close()
            self._readers.clear()
            self._conn.close()
            self._db.close()


class StoreSchemaError(ValueError):
    """The store's tables were made by another version of the graph schema."""


def _literal(path: Path) -> str:
    """A path inside a Cypher string literal (quotes and backslashes escaped): the store's
    folder is the user's to name."""
    return str(path).replace("\\", "\\\\").replace("'", "\\'")
