"""Load a dataset folder into a graph store and report what happened to every row."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from graph.store import GraphStore
from loaders.build import ResolveOptions, build_graph
from loaders.dataset import discover
from loaders.parse import ParsedFile, file_id, parse_table, quarantine_json
from loaders.read import FileError, read_table

QUARANTINE_FILE = "quarantine.csv"
REPORT_FILE = "load_report.json"
_PAYMENT_CONTENT = [
    "program", "department", "name", "id_number", "household_id", "town", "village",
    "amount", "pay_date", "period", "account_number", "account_holder",
]  # fmt: skip


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
        content = f.records[_PAYMENT_CONTENT].to_numpy(dtype=object)
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
                raw = dict(zip(_PAYMENT_CONTENT, values, strict=True))
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
    """Read and normalise every file of a dataset; file errors are kept on their file."""
    dataset = discover(Path(folder))
    notes = dataset.errors + dataset.skipped
    parsed: list[ParsedFile] = []
    for i, entry in enumerate(dataset.files):
        if progress:
            progress(entry.path.name, i, len(dataset.files))
        started = time.perf_counter()
        try:
            raw = read_table(entry.path, entry.sheet)
            parsed.append(parse_table(raw, entry.path, entry.kind, entry.aliases))
        except FileError as e:
            parsed.append(ParsedFile(entry.path, entry.kind, file_id(entry.path.name), error=str(e)))
        parsed[-1].seconds = time.perf_counter() - started
    _dedupe_payment_ids(parsed)
    return parsed, notes


def _check_endpoints(tables: dict[str, pd.DataFrame], rels: dict[str, pd.DataFrame], store: GraphStore) -> None:
    """Every relationship's ends must be nodes of this load (a builder bug otherwise)."""
    for name, df in rels.items():
        rel = store.schema.rel(name)
        for end, label in (("from", rel.source), ("to", rel.target)):
            keys = tables[label][store.schema.node(label).key]
            missing = ~df[end].isin(keys)
            if missing.any():
                raise RuntimeError(
                    f"{name}: {int(missing.sum())} 条关系的 {end} 端 {label} 不存在，例如 {df[end][missing].iloc[0]}"
                )


def load_dataset(
    folder: Path,
    store: GraphStore,
    reset: bool = False,
    progress: Progress | None = None,
    resolution: ResolveOptions | None = None,
) -> LoadReport:
    """Load every file of ``folder`` into ``store``; write the quarantine and load reports
    and identity resolution's review list.

    Without ``reset`` only nodes and relationships not yet in the store are added, so
    loading the same folder twice leaves the graph as it was. ``resolution`` defaults to
    identity resolution on, with the reviewers' decisions from the workbench database.
    """
    from resolve.review import load_decisions, write_review

    if resolution is None:
        resolution = ResolveOptions(decisions=load_decisions())
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    parsed, notes = parse_folder(folder, progress)
    timings["parse"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    tables = build_graph([f for f in parsed if f.error is None], store.schema, resolution)
    timings["build"] = time.perf_counter() - t1
    timings["resolve"] = tables.resolution.seconds
    _check_endpoints(tables.nodes, tables.rels, store)
    t2 = time.perf_counter()
    if reset:
        store.reset()
    inserted: dict[str, int] = {}
    steps = [("node", n, df) for n, df in tables.nodes.items()] + [("rel", r, df) for r, df in tables.rels.items()]
    for i, (what, name, df) in enumerate(steps):
        if progress:
            progress(f"写入 {name}", i, len(steps))
        started = time.perf_counter()
        if what == "node":
            schema = store.schema.node(name).arrow_schema()
            inserted[name] = store.write_nodes(name, pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        else:
            schema = store.schema.rel(name).arrow_schema()
            inserted[name] = store.write_rels(name, pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        timings[f"write:{name}"] = time.perf_counter() - started
    t3 = time.perf_counter()
    store.flush()
    timings["flush"] = time.perf_counter() - t3
    timings["write"] = time.perf_counter() - t2
    counts = store.counts()
    store.state_dir.mkdir(parents=True, exist_ok=True)
    qpath = store.state_dir / QUARANTINE_FILE
    write_quarantine(parsed, qpath)
    write_review(store.state_dir, tables.resolution, tables.mentions, {f.fid: f.name for f in parsed})
    files = [
        FileReport(
            f.name,
            f.kind,
            f.encoding,
            f.rows_read,
            f.rows_loaded,
            len(f.quarantine),
            f.duplicates,
            f.error,
            f.notes,
            round(f.seconds, 3),
        )
        for f in parsed
    ]
    report = LoadReport(
        str(folder), store.uri, files, inserted, counts, notes + tables.notes, str(qpath),
        round(time.perf_counter() - t0, 3), {k: round(v, 3) for k, v in timings.items()},
    )  # fmt: skip
    (store.state_dir / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
    return report


def write_quarantine(parsed: list[ParsedFile], path: Path) -> int:
    """All quarantined rows as CSV (UTF-8 with BOM so Excel opens it): file, line, reason, raw values."""
    rows = [q for f in parsed for q in f.quarantine]
    rows.sort(key=lambda q: (q["file"], q["line"]))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["文件", "行号", "数据类别", "原因", "原始值"])
        for q in rows:
            w.writerow([q["file"], q["line"], q["kind"], q["reason"], quarantine_json(q["raw"])])
    return len(rows)
