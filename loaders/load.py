"""Load a dataset folder into a graph store and report what happened to every row."""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from graph.schema import APPEND_MODE
from graph.store import GraphStore
from loaders.build import GraphTables, PaymentContext, ResolveOptions, build_graph, isin, payment_links, source_files
from loaders.dataset import discover
from loaders.parse import ParsedFile, quarantine_json, text_chunks
from loaders.stream import (
    CHUNK_ROWS,
    KEYS_FILE,
    PAYMENT_CONTENT,
    PaymentKeys,
    PaymentPass,
    find_clashes,
    keys_in_store,
    parse_reference_file,
    read_files,
    release_freed_memory,
    save_context_keys,
    store_context,
    write_payments,
)
from resolve.engine import Reference

QUARANTINE_FILE = "quarantine.csv"
REPORT_FILE = "load_report.json"


@dataclass
class FileReport:
    """Counts of one file: rows read = loaded + quarantined + duplicates."""

    file: str
    kind: str
    encoding: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duplicates: int
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Seconds spent reading and normalising the file.
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for."""
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.duplicates


@dataclass
class LoadReport:
    """What a load did: per file, per table, and what it wrote beside the store."""

    folder: str
    store: str
    files: list[FileReport]
    inserted: dict[str, int]
    counts: dict[str, int]
    notes: list[str]
    quarantine_path: str
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    #: The load batch number (LoadBatch.bid) and whether it was a full load or an append.
    batch: int = 0
    mode: str = "full"

    @property
    def ok(self) -> bool:
        """No file error and every file balanced."""
        return all(f.error is None and f.balanced for f in self.files)

    def to_json(self) -> str:
        """The report as JSON (written to ``load_report.json``)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


Progress = Callable[[str, int, int], None]


def _dedupe_payment_ids(files: list[ParsedFile]) -> None:
    """A 流水号 seen before (in any file) is the same payment: an identical row is a
    duplicate, a different one is quarantined; nothing is dropped silently.

    Clashes are rare, so they are found vectorised and only the clashing rows are
    compared one by one.
    """
    pay_files = [f for f in files if f.kind == "payments" and f.error is None and len(f.records)]
    if not pay_files:
        return
    ids = pd.concat([f.records["payment_id"] for f in pay_files], ignore_index=True)
    clash = ids.duplicated(keep=False).to_numpy()
    if not clash.any():
        return
    seen: dict[str, tuple[tuple, str, int]] = {}
    offset = 0
    for f in pay_files:
        n = len(f.records)
        rows = np.flatnonzero(clash[offset : offset + n])
        offset += n
        drop = []
        content = f.records[PAYMENT_CONTENT].to_numpy(dtype=object)
        for i in rows:
            pay_id, line = f.records["payment_id"].iat[i], int(f.records["src_line"].iat[i])
            values = tuple(None if v is None or v != v else v for v in content[i])
            prior = seen.get(pay_id)
            if prior is None:
                seen[pay_id] = (values, f.name, line)
                continue
            drop.append(i)
            if prior[0] == values:
                f.duplicates += 1
            else:
                raw = dict(zip(PAYMENT_CONTENT, values, strict=True))
                f.quarantine.append(
                    {
                        "file": f.name,
                        "line": line,
                        "kind": "payments",
                        "reason": f"发放流水号 {pay_id} 与 {prior[1]} 第 {prior[2]} 行重复但内容不同",
                        "raw": {k: ("" if v is None else str(v)) for k, v in raw.items()},
                    }
                )
        if drop:
            f.records = f.records.drop(index=f.records.index[drop]).reset_index(drop=True)


def parse_folder(folder: Path, progress: Progress | None = None) -> tuple[list[ParsedFile], list[str]]:
    """Read and normalise every file of a dataset whole (payments too); file errors are
    kept on their file. For inspection and tests: loads stream the payment files."""
    dataset = discover(Path(folder))
    parsed = []
    for i, entry in enumerate(dataset.files):
        if progress:
            progress(entry.path.name, i, len(dataset.files))
        parsed.append(parse_reference_file(entry, None))
    _dedupe_payment_ids(parsed)
    return parsed, dataset.errors + dataset.skipped


def _check_endpoints(tables: dict[str, pd.DataFrame], rels: dict[str, pd.DataFrame], store: GraphStore) -> None:
    """Every relationship's ends must be nodes of this load (a builder bug otherwise).

    The ends of each label are looked up together, in one hash table of its keys: a
    city's 9.1M people made one table for each of the eight relationships ending at a
    person, 23 s of the load. (Concatenating Arrow-string ends links their chunks, it
    does not copy them: on 4M synthetic keys Arrow's peak was 327 MB this way, 313 MB
    probing the chunks one by one.)"""
    ends: dict[str, list[tuple[str, str, pd.Series]]] = {}
    for name, df in rels.items():
        rel = store.schema.rel(name)
        for end, label in (("from", rel.source), ("to", rel.target)):
            ends.setdefault(label, []).append((name, end, df[end]))
    for label, cols in ends.items():
        keys = tables[label][store.schema.node(label).key]
        missing = ~_among([c for *_, c in cols], keys)
        start = 0
        for name, end, col in cols:
            lost = missing[start : start + len(col)]
            start += len(col)
            if lost.any():
                example = col.iloc[int(lost.argmax())]
                raise RuntimeError(
                    f"{name}: {int(lost.sum())} 条关系的 {end} 端 {label} 不存在，例如 {'空值' if pd.isna(example) else example}"
                )


def _write_table(store: GraphStore, name: str, df: pd.DataFrame, timings: dict[str, float]) -> int:
    """One built node or relationship table written (its seconds in ``timings``); the rows
    new to the store. The table is collected right after: a city's take gigabytes."""
    started = time.perf_counter()
    write = store.write_nodes if name in store.schema.nodes else store.write_rels
    n = write(name, store.arrow_table(name, df))
    timings[f"write:{name}"] = time.perf_counter() - started
    del df
    gc.collect()
    return n


def _checked(tables: GraphTables, store: GraphStore) -> None:
    """The built tables' relationship ends checked (:func:`_check_endpoints`), and the
    check's hash tables (about 1 GB for a city's 9M people) handed back to the system."""
    _check_endpoints(tables.nodes, tables.rels, store)
    release_freed_memory()


def _context(tables: GraphTables, batch: int, into_store: bool) -> tuple[PaymentContext, set[str]]:
    """The payments' context made from the built tables, and the people this load gives a
    home (for a store's context; a set of a city's 9M ids is a gigabyte: only made when
    there is one)."""
    base = PaymentContext.from_tables(tables, batch)
    placed = set(tables.nodes["Person"]["pid"]) - base.homeless if into_store else set()
    return base, placed


def _among(columns: list[pd.Series], keys: pd.Series) -> np.ndarray:
    """For each value of the columns one after the other, whether it is among ``keys``
    (missing values are among nothing). Each column goes to Arrow as it is: put together
    by pandas first, a column of Python objects among Arrow strings (the offices' village
    ids) made all 9.5M ends of the people Python text (1.5 s), and Arrow then read them
    back (1 s)."""
    arrays = [pa.array(c, from_pandas=True) for c in columns]
    if all(pa.types.is_string(a.type) or pa.types.is_large_string(a.type) or pa.types.is_null(a.type) for a in arrays):
        key_arr = pa.array(keys, from_pandas=True)
        key_arr = key_arr.combine_chunks() if isinstance(key_arr, pa.ChunkedArray) else key_arr
        if pa.types.is_string(key_arr.type) or pa.types.is_null(key_arr.type):
            key_arr = key_arr.cast(pa.large_string())
        if pa.types.is_large_string(key_arr.type):
            found = pc.is_in(text_chunks(arrays), value_set=key_arr, skip_nulls=True)
            return found.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return isin(pd.concat(columns, ignore_index=True), keys)


def load_dataset(
    folder: Path,
    store: GraphStore,
    reset: bool = False,
    progress: Progress | None = None,
    resolution: ResolveOptions | None = None,
    chunk_rows: int | None = CHUNK_ROWS,
    append: bool = False,
    workers: int | None = None,
) -> LoadReport:
    """Load every file of ``folder`` into ``store``; write the quarantine and load reports
    and identity resolution's review list. The load is recorded as a batch (LoadBatch).

    Payment files are read ``chunk_rows`` rows at a time (``loaders/stream.py``), so
    memory does not grow with their size. Without ``reset`` only nodes and relationships
    not yet in the store are added, and a payment already loaded counts as a duplicate,
    so loading the same folder twice leaves the graph as it was. ``append``: only the
    folder's payment files are read (a new month), against the people, households and
    programs already in the store. ``resolution`` defaults to identity resolution on,
    with the reviewers' decisions from the workbench database. ``workers``: processes
    reading the files and making the chunks' payment tables (default one per core; only
    when the files are large).
    """
    from resolve.review import load_decisions

    if append and reset:
        raise ValueError("追加导入（--append）与清空重导（--reset）不能同时使用")
    if resolution is None:
        resolution = ResolveOptions(decisions=load_decisions())
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    dataset = discover(Path(folder))
    notes = dataset.errors + dataset.skipped
    pay_entries = [e for e in dataset.files if e.kind == "payments"]
    others = [e for e in dataset.files if e.kind != "payments"]
    if append and others:
        notes.append("追加导入只读取发放明细，跳过: " + "、".join(e.path.name for e in others))
        others = []
    with _imports_frozen():
        read, parsed = read_files(pay_entries + others, chunk_rows, progress, workers)
        timings["parse"] = time.perf_counter() - t0
        release_freed_memory()  # what putting the workers' results together freed, before the build
        try:
            return _load(folder, store, reset, append, progress, resolution, parsed, read, notes, started, t0, timings)
        finally:
            read.close()


@contextlib.contextmanager
def _imports_frozen() -> Iterator[None]:
    """The objects alive when a load starts (modules and their tables, above all
    pypinyin's phrase dictionary: 200k lists) left out of the cyclic collector's passes
    for the load's length. The load collects after each table it writes, to hand a
    city's gigabytes back at once; each of those full passes walked all of them (0.08 s
    each, 2.8 s of a county's 24 s load), and the forked workers' passes wrote to every
    one of them, copying their pages. Frozen objects are still freed when their last
    reference goes; they are handed back to the collector when the load ends."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _load(
    folder: Path,
    store: GraphStore,
    reset: bool,
    append: bool,
    progress: Progress | None,
    resolution: ResolveOptions,
    parsed: list[ParsedFile],
    read: PaymentPass,
    notes: list[str],
    started: str,
    t0: float,
    timings: dict[str, float],
) -> LoadReport:
    """The writing half of :func:`load_dataset`."""
    from resolve.review import write_review

    t1 = time.perf_counter()
    if reset:
        store.reset()
    batch = store.highest("load/last_batch") + 1
    prior = keys_in_store(store)
    names = _source_names(store)
    names.update({f.fid: f.name for f in read.files})

    def clashes() -> None:
        find_clashes(read, prior, names)
        # not read again until the end (_kept_keys): on disk meanwhile, mapped
        read.keys = read.keys.parked(read.spill / "keys")

    files_ok = [f for f in parsed + read.files if f.error is None]
    inserted: dict[str, int] = {}
    if append:
        clashes()
        tables = GraphTables()
        mentions = read.summary.mentions
        # a city's reference is 1.7 GB (its sources' rows, repeats kept): only read when there is something to resolve
        reference = _saved_reference(store.state_dir) if resolution.enabled and len(mentions) else None
        if reference is not None:
            from resolve.engine import resolve
            from resolve.records import reference_from

            month = reference_from({"payments": read.summary.reference_rows}, payments_distinct=True, distinct=False)
            reference = _merge_reference(reference, month)
            tables.resolution = resolve(mentions, reference, resolution.settings, resolution.decisions)
            tables.mentions = mentions
            _save_reference(store.state_dir, reference)
        elif resolution.enabled and len(mentions):
            notes.append("存储旁没有身份解析参照数据（请先完整导入一次），本批身份证号无效的记录未做身份解析")
        tables.nodes["SourceFile"] = source_files(files_ok, batch)
        timings["build"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        inserted["SourceFile"] = store.write_nodes("SourceFile", store.arrow_table("SourceFile", tables.nodes["SourceFile"]))
        ctx = store_context(store, batch)
    else:
        if progress:
            progress("构建关系图", 0, 1)
        # The 流水号 clashes are looked for beside the build, which needs none of them (the
        # source files' rows read are what it takes from the payment files): a city's 13.6M
        # keys took 2.4 s of one core, the other idle, between the first pass and the build.
        # Their hash tables (pandas') run without the GIL.
        with ThreadPoolExecutor(1, thread_name_prefix="load-clashes") as pool:
            found = pool.submit(clashes)
            save = partial(_save_reference, store.state_dir)
            tables = build_graph(files_ok, store.schema, resolution, streamed=read.summary, on_reference=save)
            found.result()
        tables.nodes["SourceFile"] = tables.nodes["SourceFile"].assign(batch=batch)
        # the payments' reference rows (0.4 GB for a city) served identity resolution in
        # the build and are saved with its reference: not held through the second pass
        read.summary.reference_rows = read.summary.reference_rows.iloc[0:0]
        timings["build"] = time.perf_counter() - t1
        timings["resolve"] = tables.resolution.seconds
        into_store = not reset and len(prior) > 0
        # The relationship ends are checked and the payments' context made in a thread while
        # this one copies the node tables: both are Python over the built tables and need no
        # store, and the COPYs keep one core busy for seconds (the Person checkpoint: 9 s of
        # a city's load), where they took 7 s of one core before any COPY. The largest table
        # waits for the check (whose hash tables beside the Person COPY made the load's
        # highest point, 7.7 GB), and a relationship is written only once it has passed; a
        # failed check (a builder bug) stops the node writes at the next table.
        built = GraphTables(dict(tables.nodes), dict(tables.rels))
        largest = max(tables.nodes, key=lambda n: len(tables.nodes[n]))
        # Into empty tables, the reference graph's checkpoint waits for the second pass,
        # beside which it runs (write_payments; LadybugStore.checkpoints_deferred).
        deferred = store.checkpoints_deferred() if not into_store else contextlib.nullcontext()
        with deferred, ThreadPoolExecutor(1, thread_name_prefix="load-context") as pool:
            checked = pool.submit(_checked, built, store)
            made = pool.submit(_context, built, batch, into_store)
            del built
            # Memory: a city's household register is 9M rows. Its records are not needed once
            # the tables are built, and each table goes as soon as it is written.
            for f in parsed:
                f.streamed_rows, f.records = f.rows_loaded, pd.DataFrame()
            gc.collect()
            t2 = time.perf_counter()
            nodes = list(tables.nodes)
            try:
                for i, name in enumerate(nodes):
                    if name == largest or (checked.done() and checked.exception() is not None):
                        checked.result()
                    if progress:
                        progress(f"写入 {name}", i, len(nodes) + len(tables.rels))
                    inserted[name] = _write_table(store, name, tables.nodes.pop(name), timings)
                checked.result()
            except BaseException:
                made.cancel()  # not made for a load that fails
                raise
            base, placed = made.result()
            rels = list(tables.rels)
            for i, name in enumerate(rels):
                if progress:
                    progress(f"写入 {name}", len(nodes) + i, len(nodes) + len(rels))
                inserted[name] = _write_table(store, name, tables.rels.pop(name), timings)
        # a store loaded before holds keys this folder's tables do not: read them too
        ctx = store_context(store, batch, base) if into_store else base
        ctx.homeless.difference_update(placed)
        del placed
        release_freed_memory()
    links = payment_links(tables.resolution)
    read.first_no = store.highest("load/last_payment_no") + 1  # numbered on from the store's highest
    # an append's payment keys, for its ADDED edges (a full load links none: not held)
    added_nos: list[pd.Series] | None = [] if append else None

    def keys_beside() -> None:
        # the keys the next load or append starts from, written while the store copies the
        # payments (each is read back only when its count is the store's)
        store.state_dir.mkdir(parents=True, exist_ok=True)
        _kept_keys(read).save_after(store.state_dir / KEYS_FILE, prior)
        save_context_keys(store, ctx)

    for name, n in write_payments(store, read, links, ctx, progress, timings, added_nos, beside=keys_beside).items():
        inserted[name] = inserted.get(name, 0) + n
    notes.extend(tables.notes + ctx.notes())
    files = [
        FileReport(
            f.name, f.kind, f.encoding, f.rows_read, f.rows_loaded, len(f.quarantine), f.duplicates, f.error, f.notes,
            round(f.seconds, 3),
        )
        for f in parsed + read.files
    ]  # fmt: skip
    seconds = time.perf_counter() - t0
    store.write_nodes(
        "LoadBatch",
        store.arrow_table(
            "LoadBatch",
            pd.DataFrame(
                [
                    {
                        "bid": batch,
                        "mode": APPEND_MODE if append else ("清空重导" if reset else "导入"),
                        "started": started,
                        "seconds": round(seconds, 3),
                        "files": "、".join(f.file for f in files),
                        "rows_read": sum(f.rows_read for f in files),
                        "rows_loaded": sum(f.rows_loaded for f in files),
                        "rows_quarantined": sum(f.rows_quarantined for f in files),
                        "duplicates": sum(f.duplicates for f in files),
                        "payments_added": inserted.get("Payment", 0),
                    }
                ]
            ),
        ),
    )
    if append:
        # the batch's own payments, for `scan --since` (their batch node exists only now)
        added = pd.DataFrame({"to": pd.concat(added_nos, ignore_index=True) if added_nos else pd.Series([], dtype="int64")})
        inserted["ADDED"] = store.insert_new("ADDED", added.assign(**{"from": batch}))
    t3 = time.perf_counter()
    store.flush()
    timings["flush"] = time.perf_counter() - t3
    timings["write"] = time.perf_counter() - t2
    counts = store.counts()
    qpath = store.state_dir / QUARANTINE_FILE
    write_quarantine(parsed + read.files, qpath, keep_earlier=append)
    write_review(store.state_dir, tables.resolution, tables.mentions, names, append=append)
    report = LoadReport(
        str(folder), store.uri, files, inserted, counts, notes, str(qpath),
        round(time.perf_counter() - t0, 3), {k: round(v, 3) for k, v in timings.items()}, batch=batch,
        mode="append" if append else "full",
    )  # fmt: skip
    (store.state_dir / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
    return report


def _source_names(store: GraphStore) -> dict[int, str]:
    """File id → name of the files already in the store."""
    df = store.query("source_files")
    return {int(f): str(n) for f, n in zip(df["fid"], df["name"], strict=True)}


def _kept_keys(read: PaymentPass) -> PaymentKeys:
    """The keys of the rows the load added (clashing rows left out), in load order: the
    parked keys themselves when none was left out (a city's 13.6M: 0.9 s to copy)."""
    dropped = read.dropped()
    if not len(dropped):
        return read.keys
    keep = np.ones(len(read.keys), bool)
    keep[dropped] = False
    k = read.keys
    return PaymentKeys(k.id_hash[keep], k.content_hash[keep], k.fid[keep], k.line[keep])


#: Identity resolution's reference beside the store: one Arrow IPC file a table.
REFERENCE_DIR = "resolve_reference"
#: The single pickle an earlier version wrote instead (still read).
REFERENCE_FILE = "resolve_reference.pkl"
_REFERENCE_TABLES = ("people", "places", "households", "accounts")


def _save_reference(state_dir: Path, reference: Reference) -> None:
    """Identity resolution's reference, kept so that an append resolves against it.

    Arrow IPC files, not a pickle: a city's reference (9M people, 1.4 GB one row of each)
    took 6.5 s to pickle, on the one core the build keeps busy, and 0.9 s to write this
    way (1.7 GB and 1.5 s as a load keeps it, its sources' rows with their repeats). The files
    are written to a folder beside, which replaces the old one once they are complete: a
    crash while writing leaves the old reference (one between the two renames, none, and
    the next append then says it has no reference)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    folder, part = state_dir / REFERENCE_DIR, state_dir / f"{REFERENCE_DIR}.part"
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir()
    for name in _REFERENCE_TABLES:
        feather.write_feather(getattr(reference, name), part / f"{name}.arrow", compression="uncompressed")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(part, folder)
    (state_dir / REFERENCE_FILE).unlink(missing_ok=True)


def _saved_reference(state_dir: Path) -> Reference | None:
    """The reference :func:`_save_reference` kept (or an earlier version's pickle), or None."""
    folder = state_dir / REFERENCE_DIR
    if all((folder / f"{name}.arrow").is_file() for name in _REFERENCE_TABLES):
        # a load keeps its sources' rows with their repeats (reference_from(distinct=False))
        return Reference(*(pd.read_feather(folder / f"{name}.arrow") for name in _REFERENCE_TABLES), repeats=True)
    path = state_dir / REFERENCE_FILE
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return pickle.load(fh)


def _merge_reference(a: Reference, b: Reference) -> Reference:
    """The saved reference and a month's, one after the other. Repeats are kept, as a
    load keeps them (``reference_from(distinct=False)``): identity resolution gives the
    same outcomes, and deduplicating a city's 12M rows took longer than the append."""

    def cat(x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([x, y], ignore_index=True)

    return Reference(
        cat(a.people, b.people), cat(a.places, b.places), cat(a.households, b.households), cat(a.accounts, b.accounts),
        repeats=True,
    )  # fmt: skip


def write_quarantine(parsed: list[ParsedFile], path: Path, keep_earlier: bool = False) -> int:
    """All quarantined rows as CSV (UTF-8 with BOM so Excel opens it): file, line, reason, raw values.

    ``keep_earlier`` (an append): the rows of earlier loads stay in the file, before these.
    """
    rows = [q for f in parsed for q in f.quarantine]
    rows.sort(key=lambda q: (q["file"], q["line"]))
    earlier: list[list[str]] = []
    if keep_earlier and path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            earlier = list(csv.reader(fh))[1:]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["文件", "行号", "数据类别", "原因", "原始值"])
        w.writerows(earlier)
        for q in rows:
            w.writerow([q["file"], q["line"], q["kind"], q["reason"], quarantine_json(q["raw"])])
    return len(rows)
