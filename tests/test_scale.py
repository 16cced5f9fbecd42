"""City scale: chunked loads, appended batches and incremental scans (issue 7).

Each test builds its own stores from the hand-checkable fixtures, so that what a chunked
or appended load wrote can be compared property by property with a load in one piece.
"""

from __future__ import annotations

import csv
import json
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, GOLDEN_DIR

from graph.ladybug_store import LadybugStore
from loaders.build import KeySet
from loaders.load import load_dataset
from scan.models import BY_CODE, MODELS
from scan.runner import run_scan, save_scan
from scan.warnings import evidence_frame, warnings_frame

#: Properties a batch number lives in: the same data loaded in other batches differs only there.
#: What tells the loads apart: batch numbers, and the payments each append added (ADDED).
BATCH_FIELDS = {"LoadBatch", "SourceFile.batch", "Payment.batch", "ADDED"}


def dump(store: LadybugStore, skip: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every node and relationship with all its properties, sorted: two equal dumps are
    two equal graphs."""
    out: dict[str, list[tuple]] = {}
    for name, node in store.schema.nodes.items():
        if name in skip:
            continue
        props = [p.name for p in node.properties if f"{name}.{p.name}" not in skip]
        df = store.run(f"MATCH (n:{name}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in props))
        out[name] = sorted(tuple(_plain(v) for v in row) for row in df.itertuples(index=False))
    for name, rel in store.schema.rels.items():
        if name in skip:
            continue
        src, dst = store.schema.node(rel.source).key, store.schema.node(rel.target).key
        cols = "".join(f", r.{p.name} AS {p.name}" for p in rel.properties)
        df = store.run(f"MATCH (a:{rel.source})-[r:{name}]->(b:{rel.target}) RETURN a.{src} AS f, b.{dst} AS t{cols}")
        out[name] = sorted(tuple(_plain(v) for v in row) for row in df.itertuples(index=False))
    return out


def _plain(v: object) -> object:
    """None for every kind of missing value, so sorting and comparing work."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    return v


def numbered_in_load_order(store: LadybugStore) -> list[int]:
    """The payments' keys (pay_no), in the order of their files and lines, after checking
    that they run 1, 2, 3 ... without a gap in that order (a dropped row takes no number)."""
    df = store.run("MATCH (p:Payment) RETURN p.pay_no AS n, p.src_fid AS f, p.src_line AS l ORDER BY f, l")
    assert df["n"].tolist() == list(range(1, len(df) + 1))
    return df["n"].tolist()


def _load(folder: Path, tmp: Path, name: str, **kw) -> tuple[LadybugStore, object]:
    store = LadybugStore(tmp / name)
    return store, load_dataset(folder, store, reset=kw.pop("reset", True), **kw)


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    from fixtures import tiny_xlsx

    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", folder)
    tiny_xlsx.write_all(folder)
    return folder


@pytest.mark.parametrize("which", ["golden", "tiny"])
def test_a_chunked_load_equals_the_load_in_one_piece(which: str, tmp_path: Path, request) -> None:
    folder = GOLDEN_DIR if which == "golden" else request.getfixturevalue("tiny_folder")
    whole, whole_report = _load(folder, tmp_path, "whole", chunk_rows=None)
    chunked, chunked_report = _load(folder, tmp_path, "chunked", chunk_rows=3)
    pay_rows = sum(f.rows_read for f in whole_report.files if f.kind == "payments")
    assert pay_rows > 3 * 3  # several chunks of every payment file worth the name
    assert dump(chunked, {"LoadBatch"}) == dump(whole, {"LoadBatch"})  # but for the seconds it took
    assert len(numbered_in_load_order(chunked)) == chunked.count("Payment")  # the key: load order, from 1
    # the same report, file by file: rows read, loaded, quarantined, duplicates
    counts = [(f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates) for f in whole_report.files]
    assert [(f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates) for f in chunked_report.files] == counts
    assert all(f.balanced for f in chunked_report.files)
    q_whole = (whole.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert (chunked.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig") == q_whole
    whole.close()
    chunked.close()


@pytest.mark.parametrize("which", ["golden", "tiny"])
def test_files_read_by_worker_processes_load_the_same_graph(which: str, tmp_path: Path, monkeypatch, request) -> None:
    import loaders.stream

    folder = GOLDEN_DIR if which == "golden" else request.getfixturevalue("tiny_folder")
    seen: list[str] = []
    whole, whole_report = _load(folder, tmp_path, "whole", chunk_rows=None, workers=1)
    monkeypatch.setattr(loaders.stream, "PARALLEL_BYTES", 0)  # a city's files, at fixture size
    pools: list[int] = []
    real = loaders.stream._read_in_processes
    second: list[int] = []
    real_second = loaders.stream._parts_in_processes

    def counted(*args, **kw):
        pools.append(args[-1])
        return real(*args, **kw)

    def counted_second(store, read, *args, **kw):
        second.append(read.workers)
        return real_second(store, read, *args, **kw)

    monkeypatch.setattr(loaders.stream, "_read_in_processes", counted)
    monkeypatch.setattr(loaders.stream, "_parts_in_processes", counted_second)
    # the reference graph's COPYs owe a checkpoint, as a city's do: it runs in a thread
    # beside the forked workers of the second pass
    import graph.ladybug_store

    monkeypatch.setattr(graph.ladybug_store, "CHECKPOINT_SHARE", 0.0)
    checkpoint, threads = LadybugStore._checkpoint, []

    def traced(self: LadybugStore) -> None:
        threads.append(threading.current_thread().name)
        checkpoint(self)

    monkeypatch.setattr(LadybugStore, "_checkpoint", traced)
    parallel, report = _load(folder, tmp_path, "parallel", chunk_rows=3, workers=2, progress=lambda what, i, n: seen.append(what))
    assert [t for t in threads if t.startswith("checkpoint")] == ["checkpoint_0"]
    assert pools == [2]  # read by two worker processes
    # and the payment tables of its chunks made by two worker processes, each chunk
    # against the context as it was when they started (new people and their homes across chunks)
    assert second == [2]
    assert dump(parallel, {"LoadBatch"}) == dump(whole, {"LoadBatch"})
    numbered_in_load_order(parallel)  # each worker numbered its chunks where they fall in the load
    counts = [(f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates) for f in whole_report.files]
    assert [(f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates) for f in report.files] == counts
    q_whole = (whole.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert (parallel.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig") == q_whole
    # the workers' progress reached the caller: a step per file read
    assert {f"读取 {f.file}" for f in report.files} <= set(seen)
    whole.close()
    parallel.close()


def _ranged_folder(tmp_path: Path) -> Path:
    """The golden files, their payments made a file to cut in byte ranges: rows repeated
    far apart (a record, a quarantined row, one without 流水号), a 流水号 again with other
    content, blank lines and CRLF; and a second file whose quoted cell runs over a line
    break (a range cannot be read apart from it: that file is read whole)."""
    folder = tmp_path / "ranged"
    shutil.copytree(GOLDEN_DIR, folder)
    path = folder / "payments.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    bad = [*body[3][:7], "三百", *body[3][8:]]  # an amount that is none: quarantined
    bad[0] = "B001"
    unnamed = ["", *body[5][1:]]  # no 流水号: its id is made from the row
    again = [body[7][0], *body[7][1:7], "999", *body[7][8:]]  # the 8th's 流水号, another amount
    lines = [header, *body[:20], bad, unnamed, [], *body[20:40], body[1], bad, unnamed, again, [], *body[40:], body[2], bad]
    text = "\r\n".join(",".join(r) for r in lines) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    quoted = [header, *[[f"Q{i:03d}", *r[1:]] for i, r in enumerate(body[:30])]]
    quoted[17][7] = '"1\n00"'  # an amount over a line break: quarantined either way
    (folder / "payments_quoted.csv").write_text("\n".join(",".join(r) for r in quoted) + "\n", encoding="utf-8")
    return folder


def test_a_payment_file_read_in_byte_ranges_loads_what_the_whole_file_loads(tmp_path: Path, monkeypatch) -> None:
    import loaders.read
    import loaders.stream

    folder = _ranged_folder(tmp_path)
    whole, whole_report = _load(folder, tmp_path, "whole", chunk_rows=None, workers=1)
    monkeypatch.setattr(loaders.stream, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(loaders.read, "RANGE_BYTES", 900)  # payments.csv in 7 ranges
    joined: list[tuple[str, int]] = []
    real = loaders.stream._join_ranges

    def counted(entry, parts, *args):
        out = real(entry, parts, *args)
        joined.append((entry.path.name, len(parts) if out is not None else 0))
        if out is not None:  # a range's short last chunk and the next range's first: one chunk
            assert any(c.more for c in out.chunks) and all(2 * c.rows >= 3 for c in out.chunks[:-1])
        return out

    monkeypatch.setattr(loaders.stream, "_join_ranges", counted)
    ranged, report = _load(folder, tmp_path, "ranged", chunk_rows=3, workers=2)
    size = (folder / "payments.csv").stat().st_size
    # payments.csv put together from its ranges; the quoted file's ranges given up, read whole
    assert sorted(joined) == [("payments.csv", -(-size // 900)), ("payments_quoted.csv", 0)]
    assert dump(ranged, {"LoadBatch"}) == dump(whole, {"LoadBatch"})
    counts = [
        (f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates, f.encoding, f.error, f.notes)
        for f in whole_report.files
    ]
    assert [
        (f.file, f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates, f.encoding, f.error, f.notes) for f in report.files
    ] == counts
    pay = next(f for f in report.files if f.file == "payments.csv")
    assert (pay.duplicates, pay.rows_quarantined) == (5, 2)  # body[1], body[2], unnamed, bad twice; bad, again
    q_whole = (whole.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert (ranged.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig") == q_whole
    whole.close()
    ranged.close()


def test_the_second_pass_hands_freed_memory_back_after_every_chunk(tmp_path: Path, monkeypatch) -> None:
    import loaders.stream as stream

    events: list[str] = []
    monkeypatch.setattr(stream, "release_freed_memory", lambda: events.append("release"))
    _, report = _load(GOLDEN_DIR, tmp_path, "s", chunk_rows=10, progress=lambda what, i, n: events.append(what))
    written = [i for i, e in enumerate(events) if e == "写入发放记录"]
    rows = next(f for f in report.files if f.file == "payments.csv").rows_read
    assert len(written) == -(-rows // 10) > 1  # a step per chunk of 10 rows
    assert all(events[i - 1] == "release" for i in written)  # each after its chunk's memory went back


def test_a_load_keeps_what_lived_before_it_out_of_the_collector_and_hands_it_back(tmp_path: Path) -> None:
    import gc

    import loaders.load as load

    marker = [[i] for i in range(1000)]  # alive before the load, as an imported table is
    frozen: list[int] = []
    write = load._write_table

    def counting(*args: object, **kw: object) -> int:
        frozen.append(gc.get_freeze_count())
        return write(*args, **kw)

    before = gc.get_freeze_count()
    try:
        load._write_table = counting
        store, _ = _load(GOLDEN_DIR, tmp_path, "s")
    finally:
        load._write_table = write
    assert frozen and min(frozen) >= before + len(marker)  # left out while the tables were written
    assert gc.get_freeze_count() == before  # and handed back to the collector afterwards
    assert len(marker) == 1000
    store.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_second_pass_copies_each_payment_table_once_whatever_the_chunks(workers: int, tmp_path: Path, monkeypatch) -> None:
    import loaders.stream

    statements: list[str] = []
    store = LadybugStore(tmp_path / "s")
    execute = store._conn.execute

    def spy(cypher: str, *args, **kw):
        statements.append(cypher)
        return execute(cypher, *args, **kw)

    monkeypatch.setattr(store._conn, "execute", spy)
    monkeypatch.setattr(loaders.stream, "PARALLEL_BYTES", 0)
    report = load_dataset(GOLDEN_DIR, store, reset=True, chunk_rows=10, workers=workers)
    payment_rows = next(f for f in report.files if f.file == "payments.csv").rows_read
    assert payment_rows > 30  # several chunks of 10
    copies = [c for c in statements if c.startswith("COPY ")]
    # a COPY into a table that holds rows keeps them in LadybugDB's memory until a
    # checkpoint: a city's 68 chunks grew its heap by GBs. One COPY a table, from a file
    # (from the file each worker process wrote a chunk's rows to, with two workers).
    chunks = sum(-(-f.rows_read // 10) for f in report.files if f.kind == "payments")
    for name in ("Payment", "RECEIVED"):
        (copy,) = [c for c in copies if c.split()[1] == name]
        assert copy.count(".parquet'") == (1 if workers == 1 else chunks), name
    assert [c.split()[1] for c in copies].count("FOR_HOUSEHOLD") == 1
    loaded = sum(f.rows_loaded for f in report.files if f.kind == "payments")
    assert store.count("Payment") == report.inserted["Payment"] == loaded
    store.close()


def test_the_second_pass_does_not_hold_the_payments_reference_rows(tmp_path: Path, monkeypatch) -> None:
    import loaders.load as load

    seen: dict[str, int] = {}
    build, write = load.build_graph, load.write_payments

    def counting_build(*args, **kw):
        seen["build"] = len(kw["streamed"].reference_rows)
        return build(*args, **kw)

    def counting_write(store, read, *args, **kw):
        seen["write"] = len(read.summary.reference_rows)
        return write(store, read, *args, **kw)

    monkeypatch.setattr(load, "build_graph", counting_build)
    monkeypatch.setattr(load, "write_payments", counting_write)
    store, report = _load(GOLDEN_DIR, tmp_path, "s", chunk_rows=10)
    assert seen["build"] > 0 and seen["write"] == 0  # identity resolution had them; pass 2 does not
    assert report.inserted["Payment"] > 0
    store.close()


def test_a_duplicate_row_in_a_later_chunk_is_counted_once(tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    shutil.copytree(GOLDEN_DIR, folder)
    path = folder / "payments.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    # the first payment again, 30 rows later: many chunks apart, and chunks after it
    # (whose payments are numbered after its rows but for the dropped ones)
    rows.insert(31, rows[1])
    rows.insert(32, [rows[2][0], *rows[2][1:7], "999", *rows[2][8:]])  # the second's 流水号, another amount
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    store, report = _load(folder, tmp_path, "s", chunk_rows=4)
    pay = next(f for f in report.files if f.file == "payments.csv")
    assert (pay.rows_read, pay.duplicates, pay.rows_quarantined) == (len(rows) - 1, 1, 1)
    assert pay.rows_loaded == len(rows) - 3
    assert numbered_in_load_order(store)[-1] == pay.rows_loaded  # the dropped rows took no number
    quarantine = (store.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert f"发放流水号 {rows[2][0]} 与 payments.csv 第 3 行重复但内容不同" in quarantine
    store.close()


def test_an_append_finds_serials_the_store_holds_and_serials_repeated_in_the_month(tmp_path: Path) -> None:
    """A month's 流水号 already loaded: the same row is a duplicate, other content goes to
    quarantine naming the stored row's file and line; a 流水号 twice in the month, likewise."""
    with (GOLDEN_DIR / "payments.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, g001, g002 = rows[0], rows[1], rows[2]
    fresh = ["N100", *g001[1:8], "2024-01-10", "2024-01", "", ""]
    month = tmp_path / "month"
    month.mkdir()
    with (month / "payments_2024-01.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                header,
                g001,  # line 2: the stored G001 again
                [*g002[:7], "999", *g002[8:]],  # line 3: G002 with another amount
                fresh,  # line 4: new
                [*fresh[:7], "888", *fresh[8:]],  # line 5: N100 again, another amount
                ["N101", *fresh[1:]],  # line 6: new
            ]
        )
    store, _ = _load(GOLDEN_DIR, tmp_path, "clash")
    before = store.count("Payment")
    added = load_dataset(month, store, append=True)
    f = added.files[0]
    assert (f.rows_read, f.rows_loaded, f.duplicates, f.rows_quarantined) == (5, 2, 1, 2)
    assert store.count("Payment") == before + 2
    quarantine = (store.state_dir / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert f"发放流水号 {g002[0]} 与 payments.csv 第 3 行重复但内容不同" in quarantine
    assert "发放流水号 N100 与 payments_2024-01.csv 第 4 行重复但内容不同" in quarantine
    amounts = store.run("MATCH (p:Payment) WHERE p.pay_id IN ['G002', 'N100'] RETURN p.pay_id AS i, p.amount AS a ORDER BY i")
    assert amounts.values.tolist() == [["G002", float(g002[7])], ["N100", float(g001[7])]]
    store.close()


def _split_golden(tmp: Path, new_rows: int = 12) -> tuple[Path, Path, Path]:
    """The golden folder without its last payments; a folder with only those (a new
    month's file); and a folder with both files (the same data loaded at once)."""
    base, month, both = tmp / "base", tmp / "month", tmp / "both"
    shutil.copytree(GOLDEN_DIR, base)
    with (base / "payments.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    with (base / "payments.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body[:-new_rows]])
    month.mkdir()
    with (month / "payments_2024-01.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body[-new_rows:]])
    shutil.copytree(base, both)
    shutil.copy(month / "payments_2024-01.csv", both)
    return base, month, both


def test_an_append_adds_the_new_month_once_and_equals_a_load_of_everything(tmp_path: Path) -> None:
    base, month, both = _split_golden(tmp_path)
    store, first = _load(base, tmp_path, "appended")
    added = load_dataset(month, store, append=True)
    assert (first.batch, added.batch, added.mode) == (1, 2, "append")
    assert [f.file for f in added.files] == ["payments_2024-01.csv"]  # nothing else is read again
    assert added.inserted["Payment"] == 12 and added.files[0].duplicates == 0
    # the month's payments are numbered on from the highest number the store held
    month_nos = store.run("MATCH (p:Payment) WHERE p.batch = 2 RETURN p.pay_no AS n ORDER BY n")["n"].tolist()
    assert month_nos == list(range(first.inserted["Payment"] + 1, first.inserted["Payment"] + 13))
    after_first = dump(store)

    again = load_dataset(month, store, append=True)  # the same month twice
    assert again.batch == 3 and again.inserted.get("Payment", 0) == 0
    f = again.files[0]
    assert (f.rows_read, f.rows_loaded, f.duplicates, f.rows_quarantined) == (12, 0, 12, 0)
    assert sum(again.inserted.values()) == 0
    assert dump(store, {"LoadBatch"}) == {k: v for k, v in after_first.items() if k != "LoadBatch"}
    batches = store.query("load/batches")
    assert batches["bid"].tolist() == [3, 2, 1]
    assert batches["payments_added"].tolist() == [0, 12, first.inserted["Payment"]]
    assert batches["duplicates"].tolist()[0] == 12

    at_once, _ = _load(both, tmp_path, "at_once")
    assert dump(store, BATCH_FIELDS) == dump(at_once, BATCH_FIELDS)
    payment_batches = store.run("MATCH (p:Payment) RETURN p.batch AS b, count(*) AS n ORDER BY b")
    assert payment_batches.values.tolist() == [[1, first.inserted["Payment"]], [2, 12]]
    # the append's batch leads to its own 12 payments (what `scan --since` starts from); a full load's to none
    added = store.run("MATCH (b:LoadBatch)-[:ADDED]->(p:Payment) RETURN b.bid AS b, p.batch AS pb, count(*) AS n")
    assert added.values.tolist() == [[2, 2, 12]]
    assert store.count("ADDED") == 12 and at_once.count("ADDED") == 0
    store.close()
    at_once.close()


def _scan_append_rescan(base: Path, month: Path, tmp: Path, name: str):
    """Load ``base`` and scan it; append ``month``; then scan ``--since`` it and in full.
    Returns the store and the three scans: before, incremental, full."""
    store, _ = _load(base, tmp, name)
    before = run_scan(store)
    save_scan(before, store.state_dir)
    load_dataset(month, store, append=True)
    # workers=3: the models side by side, whatever the cores of the machine running the tests
    return store, before, run_scan(store, since=2, workers=3), run_scan(store)


def _same_warnings(a, b) -> pd.DataFrame:
    """Both scans' warnings, column for column (the second's returned, by warning id)."""
    cols = ["warning_id", "model", "grade", "score", "subject_id", "amount", "payments", "first_date", "last_date", "reason"]
    x = warnings_frame(a.warnings)[cols].sort_values("warning_id").reset_index(drop=True)
    y = warnings_frame(b.warnings)[cols].sort_values("warning_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(x, y)
    return y


def test_an_incremental_scan_equals_a_full_scan_and_keeps_the_warning_ids(tmp_path: Path) -> None:
    base, month, _ = _split_golden(tmp_path)
    store, before, incremental, full = _scan_append_rescan(base, month, tmp_path, "scan")
    assert sorted(incremental.incremental) == sorted(m for m in full.models if m in incremental.rows)
    assert len(incremental.incremental) == 11  # all but HOUSEHOLD_SPLIT, which runs in full
    b = _same_warnings(incremental, full)
    # the new month brought new warnings; every old id is still there, with its evidence
    old = warnings_frame(before.warnings).set_index("warning_id")
    new = b.set_index("warning_id")
    assert set(old.index) < set(new.index)
    assert (new.loc[old.index, "payments"] >= old["payments"]).all()
    # the incremental models read only the new batch's payments
    rows_new = {r.code: r.rows for r in incremental.runs}
    assert all(rows_new[c] == len(incremental.rows[c].rows) for c in incremental.incremental)
    # and their since queries found rows of the new month (not only the rows kept)
    month_ids = set(store.run("MATCH (p:Payment) WHERE p.batch = 2 RETURN p.pay_id AS i")["i"])
    found = {c for c in incremental.incremental if set(incremental.rows[c].rows["pay_id"]) & month_ids}
    assert found == {"RELATIVE_BENEFIT", "ASSET_INELIGIBLE", "INVALID_ID"}
    store.close()


def test_models_run_side_by_side_give_what_one_at_a_time_gives(tmp_path: Path) -> None:
    base, month, _ = _split_golden(tmp_path)
    store, _ = _load(base, tmp_path, "threads")
    save_scan(run_scan(store), store.state_dir)
    load_dataset(month, store, append=True)
    seen: list[tuple[str, int, int, bool]] = []

    def progress(model, i: int, n: int) -> None:
        seen.append((model.code, i, n, threading.current_thread() is threading.main_thread()))

    side = run_scan(store, since=2, workers=4, progress=progress)
    serial = run_scan(store, since=2, workers=1)
    assert len(side.incremental) == 11 and side.incremental == serial.incremental
    _same_warnings(side, serial)
    assert [r.code for r in side.runs] == [r.code for r in serial.runs] == [m.code for m in MODELS]
    for code, kept in serial.rows.items():
        pd.testing.assert_frame_equal(side.rows[code].rows, kept.rows)
    # progress: once a model, from the calling thread only (Streamlit's widgets need it)
    assert sorted(c for c, *_ in seen) == sorted(m.code for m in MODELS)
    assert [i for _, i, _, _ in seen] == list(range(1, len(MODELS) + 1))
    assert all(main for *_, main in seen)
    # the threads queried through connections of their own, kept until the store closes
    assert len(store._readers) >= 2
    store.close()
    assert store._readers == {}


def test_models_side_by_side_start_with_those_the_last_scan_spent_longest_on(tmp_path: Path) -> None:
    from scan.runner import _longest_first, warnings_dir

    models = MODELS[:4]
    assert _longest_first(models, tmp_path) == [0, 1, 2, 3]  # no scan yet: the models' order
    runs = [{"code": m.code, "query_seconds": q, "grade_seconds": 0.5} for m, q in zip(models[1:], (0.2, 3.0, 1.0), strict=True)]
    warnings_dir(tmp_path).mkdir(parents=True)
    (warnings_dir(tmp_path) / "scan.json").write_text(json.dumps({"runs": runs}), encoding="utf-8")
    # models[0] was not run last time: first; then 3.5 s, 1.5 s, 0.7 s
    assert _longest_first(models, tmp_path) == [0, 2, 3, 1]


def test_a_query_from_another_thread_gets_its_own_connection(tmp_path: Path) -> None:
    store, _ = _load(GOLDEN_DIR, tmp_path, "reader")
    here = store.query("load/payment_count")
    with ThreadPoolExecutor(2) as pool:
        there = [f.result() for f in [pool.submit(store.query, "load/payment_count") for _ in range(4)]]
    assert all(t.equals(here) for t in there) and int(here["n"].iloc[0]) > 0
    first = dict(store._readers)
    assert 1 <= len(first) <= 2 and all(c is not store._conn for c in first.values())
    # the next threads' connections replace those of the threads that have ended
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(store.query, "load/payment_count").result().equals(here)
    assert len(store._readers) == 1 and not set(first) & set(store._readers)
    store.close()


# A month whose payments pair with payments loaded before: 黄某 paid in 东村 for the period
# 西村 paid him (a new DUPLICATE_RECEIPT), 陈某 paid in a third village (his warning grows),
# 马某 paid by 特困人员救助供养 for a month 最低生活保障 paid (a new EXCLUSIVE_PROGRAMS), and
# 黄某, of another household, on the account of household H14's three (a new
# SHARED_ACCOUNT), and 周一 paid again on 王会计's account (that warning grows).
PAIRING_MONTH = [
    ["N001", "最低生活保障", "黄某", "37012319670404138X", "H37", "青山镇", "东村", "300", "2024-01-10", "2021-04", "", ""],
    ["N002", "最低生活保障", "陈某", "370123196603031377", "H08", "青山镇", "西村", "300", "2024-01-10", "2021-03", "", ""],
    ["N003", "特困人员救助供养", "马某", "370123195707071424", "H38", "白水镇", "南村", "640", "2024-01-12", "2021-05", "", ""],
    ["N004", "耕地地力保护补贴", "黄某", "37012319670404138X", "H37", "青山镇", "东村", "150", "2024-01-20", "2024",
     "6222000000000003", "同户父"],
    ["N005", "耕地地力保护补贴", "周一", "370123196001011459", "H11", "白水镇", "南村", "150", "2024-01-20", "2024",
     "6222000000000001", "王会计"],
]  # fmt: skip


def test_an_incremental_scan_pairs_a_new_months_payments_with_the_old_ones(tmp_path: Path) -> None:
    """SHARED_ACCOUNT queries again only the accounts the new month paid to, the other
    pairing models run in full; the warnings equal a full scan's: new ones, a grown one,
    and the others untouched."""
    base = tmp_path / "base"
    shutil.copytree(GOLDEN_DIR, base)
    month = tmp_path / "month"
    month.mkdir()
    header = (base / "payments.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    with (month / "payments_2024-01.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *PAIRING_MONTH])
    store, before, incremental, full = _scan_append_rescan(base, month, tmp_path, "pairing")
    pairing = {"DUPLICATE_RECEIPT", "EXCLUSIVE_PROGRAMS", "SHARED_ACCOUNT"}
    assert pairing <= set(incremental.incremental)
    _same_warnings(incremental, full)
    # the same evidence payments, warning for warning
    ev_a = evidence_frame(incremental.warnings)[["warning_id", "pay_id"]].sort_values(["warning_id", "pay_id"])
    ev_b = evidence_frame(full.warnings)[["warning_id", "pay_id"]].sort_values(["warning_id", "pay_id"])
    pd.testing.assert_frame_equal(ev_a.reset_index(drop=True), ev_b.reset_index(drop=True))

    def names(result) -> dict[str, set[tuple[str, int]]]:
        w = warnings_frame(result.warnings)
        w = w[w["model"].isin(pairing)]
        return {m: set(zip(g["subject_name"], g["payments"], strict=True)) for m, g in w.groupby("model")}

    assert names(before) == {
        "DUPLICATE_RECEIPT": {("陈某", 2)},
        "EXCLUSIVE_PROGRAMS": {("林某", 2)},
        "SHARED_ACCOUNT": {("王会计", 3), ("张建国", 3)},
    }
    assert names(incremental) == {
        "DUPLICATE_RECEIPT": {("陈某", 3), ("黄某", 2)},
        "EXCLUSIVE_PROGRAMS": {("林某", 2), ("马某", 2)},
        "SHARED_ACCOUNT": {("同户父", 4), ("王会计", 4), ("张建国", 3)},
    }
    # the rows kept for the next scan are a full scan's, each once
    keep, whole = incremental.rows["SHARED_ACCOUNT"].rows, full.rows["SHARED_ACCOUNT"].rows
    key = sorted(whole.columns)
    pd.testing.assert_frame_equal(
        keep[key].sort_values(key).reset_index(drop=True),
        whole[key].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    # the accounts the month paid to, both candidates now
    shared = BY_CODE["SHARED_ACCOUNT"]
    params = {"shared_account_min_persons": 3}
    flags = store.query(shared.since_candidates, since=2, **params)
    assert dict(flags.itertuples(index=False)) == {"6222000000000001": True, "6222000000000003": True}
    # only they were queried again: 张建国's account's rows are the kept ones
    assert set(shared.rows(store, params, since=2)["account"]) == {"6222000000000001", "6222000000000003"}
    assert len(incremental.rows["SHARED_ACCOUNT"].rows) == 11  # 4 + 4 new, 3 kept
    # DUPLICATE_RECEIPT and EXCLUSIVE_PROGRAMS: the kept summary with the month's merged in is
    # a full scan's, group for group, and the rows kept for the next scan are a full scan's
    for code in ("DUPLICATE_RECEIPT", "EXCLUSIVE_PROGRAMS"):
        merged, whole = incremental.rows[code], full.rows[code]
        keys = list(whole.summary.columns)
        old = before.rows[code].summary.sort_values(keys).reset_index(drop=True)
        assert not old.equals(merged.summary.sort_values(keys).reset_index(drop=True))  # the month changed it
        pd.testing.assert_frame_equal(
            merged.summary.sort_values(keys).reset_index(drop=True), whole.summary.sort_values(keys).reset_index(drop=True)
        )
        cols = sorted(c for c in whole.rows.columns if c not in ("other_villages", "other_programs"))
        pd.testing.assert_frame_equal(
            merged.rows[cols].sort_values(cols).reset_index(drop=True),
            whole.rows[cols].sort_values(cols).reset_index(drop=True),
            check_dtype=False,
        )
    # only the people whose groups the month gave a second value were queried again
    dup = BY_CODE["DUPLICATE_RECEIPT"]
    again = dup.rows(store, {}, since=2, summary=before.rows["DUPLICATE_RECEIPT"].summary)
    assert set(again["name"]) == {"陈某", "黄某"}
    excl = BY_CODE["EXCLUSIVE_PROGRAMS"]
    assert set(excl.rows(store, {}, since=2, summary=before.rows["EXCLUSIVE_PROGRAMS"].summary)["name"]) == {"马某"}
    store.close()


def test_each_since_query_returns_its_full_querys_rows_for_the_appended_payments(tmp_path: Path) -> None:
    """Every golden payment appended as one batch: each incremental model's since query
    (from ADDED) must return exactly the rows of its full query, case for case."""
    from scan.models import MODELS
    from scan.runner import default_params

    base, month = tmp_path / "reference", tmp_path / "all_payments"
    shutil.copytree(GOLDEN_DIR, base)
    month.mkdir()
    (base / "payments.csv").rename(month / "payments_2024-01.csv")
    header = (month / "payments_2024-01.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (base / "payments.csv").write_text(header + "\n", encoding="utf-8")  # the first load: no payments
    store, _ = _load(base, tmp_path, "since_all")
    load_dataset(month, store, append=True)
    assert store.count("Payment") == store.count("ADDED") > 40
    values = default_params()
    checked = 0
    for m in (m for m in MODELS if m.incremental):
        params = {k: values[k] for k in m.defaults}
        full, since = m.rows(store, params), m.rows(store, params, since=2)
        assert len(full) > 0, m.code  # the golden data has a case of every model
        cols = sorted(full.columns)
        order = [c for c in cols if full[c].map(lambda v: not isinstance(v, list)).all()]
        a = full[cols].sort_values(order).reset_index(drop=True)
        b = since[cols].sort_values(order).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=m.code)
        checked += 1
    assert checked == 11
    store.close()


def test_an_incremental_scan_after_a_full_load_runs_in_full(tmp_path: Path) -> None:
    """A load of reference files may change any payment's rows: --since a batch that was
    not an append reads everything again."""
    base, _, both = _split_golden(tmp_path)
    store, _ = _load(base, tmp_path, "reloaded")
    save_scan(run_scan(store), store.state_dir)
    load_dataset(both, store)  # batch 2: a full load that brings the new month with the reference files
    assert store.count("ADDED") == 0
    assert run_scan(store, since=2).incremental == []
    store.close()


def test_an_incremental_scan_after_a_missed_batch_runs_in_full(tmp_path: Path) -> None:
    base, month, _ = _split_golden(tmp_path)
    store, _ = _load(base, tmp_path, "missed")
    save_scan(run_scan(store), store.state_dir)
    load_dataset(month, store, append=True)  # batch 2, never scanned
    load_dataset(month, store, append=True)  # batch 3
    result = run_scan(store, since=3)  # the rows kept saw batch 1 only: they cannot be extended
    assert result.incremental == []
    store.close()


def test_neo4j_import_files_hold_every_node_and_relationship_with_typed_headers(tiny_store, tmp_path: Path) -> None:
    from graph.neo4j_export import export_import_files

    command, _ = export_import_files(tiny_store, tmp_path / "import")
    counts = tiny_store.counts()
    folder = tmp_path / "import"
    person_header = (folder / "Person.header.csv").read_text(encoding="utf-8").strip().split(",")
    assert person_header[:3] == [":ID(Person)", "pid:string", "id_number:string"]
    assert "birth_day:long" in person_header and "id_valid:boolean" in person_header
    assert (folder / "RECEIVED.header.csv").read_text(encoding="utf-8") == ":START_ID(Person),:END_ID(Payment)\n"
    header = (folder / "FOR_HOUSEHOLD.header.csv").read_text(encoding="utf-8")
    assert header == ":START_ID(Payment),:END_ID(Household),inferred:boolean\n"
    for name, n in counts.items():
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            assert sum(1 for _ in csv.reader(fh)) == n, name
    assert command.startswith("neo4j-admin database import full --id-type=string")
    assert f"--relationships=RECEIVED={folder / 'RECEIVED.header.csv'},{folder / 'RECEIVED.csv'}" in command
    assert command.endswith(" neo4j")


def test_typed_records_load_the_same_graph_as_python_objects(tmp_path: Path, monkeypatch) -> None:
    import loaders.stream

    compact, _ = _load(GOLDEN_DIR, tmp_path, "compact", chunk_rows=5)
    with monkeypatch.context() as m:
        m.setattr(loaders.stream, "typed_columns", lambda records: records)  # records as parse_table makes them
        plain, _ = _load(GOLDEN_DIR, tmp_path, "plain")
    assert dump(compact, {"LoadBatch"}) == dump(plain, {"LoadBatch"})
    plain.close()
    compact.close()


def test_isin_in_arrow_agrees_with_pandas_on_text_and_missing_values() -> None:
    from loaders.build import isin

    values = pd.Series(["a", None, "b", "c", "a"], dtype="str")
    members = pd.Series(["a", "c", None], dtype=object)
    assert isin(values, members).tolist() == [True, False, False, True, True]
    assert isin(values.astype(object), members.astype("str")).tolist() == [True, False, False, True, True]
    assert isin(values, pd.Series([], dtype=object)).tolist() == [False] * 5
    assert isin(pd.Series([None, None], dtype=object), members).tolist() == [False, False]


def test_a_table_copied_in_slices_equals_one_copy(tmp_path: Path, monkeypatch) -> None:
    import graph.ladybug_store

    whole, _ = _load(GOLDEN_DIR, tmp_path, "whole")
    monkeypatch.setattr(graph.ladybug_store, "COPY_ROWS", 2)  # a city's 9M registrations, at fixture size
    sliced, _ = _load(GOLDEN_DIR, tmp_path, "sliced")
    assert sum(len(v) for v in dump(whole).values()) > 100
    assert dump(sliced, {"LoadBatch"}) == dump(whole, {"LoadBatch"})
    whole.close()
    sliced.close()


def test_checkpoints_by_volume_give_the_same_graph(tmp_path: Path, monkeypatch) -> None:
    import graph.ladybug_store

    whole, report = _load(GOLDEN_DIR, tmp_path, "whole")
    staged = sorted(k.removeprefix("checkpoint:") for k in report.timings if k.startswith("checkpoint:"))
    assert {"Payment", "RECEIVED", "FOR_HOUSEHOLD", "USES_ACCOUNT"} <= set(staged)
    # one after each staged payment table and the load's closing flush: the fixture is far below the share
    assert whole.checkpoints == len(staged) + 1
    monkeypatch.setattr(graph.ladybug_store, "CHECKPOINT_SHARE", 0.0)  # a checkpoint after every COPY...
    deferred, _ = _load(GOLDEN_DIR, tmp_path, "deferred")
    # ...but a first load's reference graph owes one, run beside the second pass (then
    # the staged tables', the LoadBatch node's and the closing one)
    assert deferred.checkpoints == 1 + len(staged) + 2
    assert dump(deferred, {"LoadBatch"}) == dump(whole, {"LoadBatch"})

    @contextmanager
    def not_deferred(self: LadybugStore) -> Iterator[None]:
        yield

    monkeypatch.setattr(LadybugStore, "checkpoints_deferred", not_deferred)
    often, _ = _load(GOLDEN_DIR, tmp_path, "often")
    assert often.checkpoints > 20
    assert dump(often, {"LoadBatch"}) == dump(whole, {"LoadBatch"})
    for store in (whole, deferred, often):
        store.close()


def test_a_checkpoint_run_beside_is_waited_for_by_the_next_use_of_the_store(tmp_path: Path, monkeypatch) -> None:
    import graph.ladybug_store

    monkeypatch.setattr(graph.ladybug_store, "CHECKPOINT_SHARE", 0.0)
    store = LadybugStore(tmp_path / "s")
    towns = store.arrow_table("Town", pd.DataFrame({"name": ["甲镇", "乙镇"]}))
    with store.checkpoints_deferred():
        store.write_nodes("Town", towns)
    assert store.checkpoints == 0  # owed, not run
    release = threading.Event()
    ran_in: list[str] = []
    checkpoint = LadybugStore._checkpoint

    def slow_checkpoint(self: LadybugStore) -> None:
        ran_in.append(threading.current_thread().name)
        release.wait(5)
        checkpoint(self)

    monkeypatch.setattr(LadybugStore, "_checkpoint", slow_checkpoint)
    store.flush_beside()
    assert store.checkpoints == 0  # returned while the checkpoint waits
    threading.Timer(0.2, release.set).start()
    assert store.run("MATCH (t:Town) RETURN count(*) AS n")["n"].iloc[0] == 2  # waited for it
    assert store.checkpoints == 1 and ran_in[0].startswith("checkpoint")
    store.flush_beside()  # nothing owed: nothing run
    assert store.checkpoints == 1

    def failing(self: LadybugStore) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(LadybugStore, "_checkpoint", failing)
    with store.checkpoints_deferred():
        store.write_nodes("Town", store.arrow_table("Town", pd.DataFrame({"name": ["丙镇"]})))
    store.flush_beside()
    with pytest.raises(RuntimeError, match="磁盘已满"):
        store.run("MATCH (t:Town) RETURN count(*) AS n")
    monkeypatch.setattr(LadybugStore, "_checkpoint", checkpoint)
    assert store.run("MATCH (t:Town) RETURN count(*) AS n")["n"].iloc[0] == 3  # raised once, then gone
    store.close()


def test_a_copied_table_is_not_kept_by_the_store(tmp_path: Path) -> None:
    import gc

    import pyarrow as pa

    store = LadybugStore(tmp_path / "s")
    names = pd.DataFrame({"name": [f"第{i}镇" for i in range(100_000)]})
    before = pa.total_allocated_bytes()
    table = store.arrow_table("Town", names)
    size = table.nbytes
    assert store.write_nodes("Town", table) == 100_000
    del table
    gc.collect()
    # the ladybug package's statement cache held every copied table until the connection
    # closed: a city load kept all its payments in memory
    assert size > 1_000_000
    assert pa.total_allocated_bytes() - before < size // 10
    assert store.run("MATCH (t:Town) RETURN count(*) AS n")["n"].iloc[0] == 100_000
    store.close()


def test_payment_keys_hash_as_the_saved_ones_were_made() -> None:
    """The hashes are saved beside a store: they must stay the values they were."""
    from loaders.stream import PAYMENT_CONTENT, PaymentKeys, content_hash

    n = 7
    cols = {c: [f"{c}{i % 3}" for i in range(n)] for c in PAYMENT_CONTENT}
    cols["name"] = ["张三", None, float("nan"), "李四", "", "张三", "王五"]
    cols["household_id"] = [1, 2, None, 4, 5, 6, 7]  # numbers in an object column
    cols["amount"] = ["812.21", 300, None, "", 1e-07, float("nan"), 150.5]
    records = pd.DataFrame(cols, dtype=object)
    records["town"] = pd.Series(["青山镇", None, "白水镇", "青山镇", None, "", "x"], dtype="str")  # Arrow strings
    records["payment_id"] = [f"F{i}" for i in range(n)]
    records["src_fid"], records["src_line"] = 1, range(2, n + 2)

    # The values the first version gave (pandas' hash_pandas_object of the columns as text,
    # missing as ""): the hashes saved beside every store were made so. Another value here
    # (a new way to hash, or pandas hashing otherwise) would make the next append take the
    # stored payments' 流水号 for new ones, or their content for other content.
    assert content_hash(records).tolist() == [
        5463854258694899820, 10348368693599567592, 11730913362028060517, 14856201432660150406,
        16790905553910139746, 17558952094240579050, 7749288442045095997,
    ]  # fmt: skip
    keys = PaymentKeys.of(records)
    assert keys.id_hash.tolist() == [
        14341009483095705114, 15354380306804730999, 16579239197149137946, 13443982146939535251,
        7024362999783816650, 12403107852982027721, 16935388108017961775,
    ]  # fmt: skip
    as_arrow = records.assign(payment_id=records["payment_id"].astype("str"))
    assert PaymentKeys.of(as_arrow).id_hash.tolist() == keys.id_hash.tolist()


def test_keyset_holds_text_keys_like_a_set() -> None:
    from loaders.build import KeySet

    keys = KeySet(pd.Series(["甲", "乙", None], dtype="str"))
    assert len(keys) == 2 and "甲" in keys and "丙" not in keys
    # Python and Arrow text hash alike; a missing value is in no set
    assert keys.contains(pd.Series(["乙", None, "丙", "甲"], dtype=object)).tolist() == [True, False, False, True]
    many = [f"330102{i:012d}" for i in range(300_000)]
    grown = KeySet()
    for start in range(0, len(many), 20_000):  # chunk by chunk, each chunk's keys seen twice
        grown.update(many[start : start + 20_000])
        grown.update(many[start : start + 500])
    assert len(grown) == 300_000
    assert grown.contains(many).all()
    assert not grown.contains([f"330103{i:012d}" for i in range(10_000)]).any()


def test_buffer_pool_follows_the_database_file(tmp_path: Path, monkeypatch) -> None:
    import os

    from graph.ladybug_store import buffer_pool_mb

    monkeypatch.delenv("WORKBENCH_LADYBUG_BUFFER_MB", raising=False)
    db = tmp_path / "graph.lbug"
    assert buffer_pool_mb(db) == 4096  # a first load: no file yet
    with db.open("wb") as fh:  # a sparse 3 GB file: a city store's size class
        fh.truncate(3 * 2**30)
    half_ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2 // 2**20
    assert buffer_pool_mb(db) == max(4096, min(6144, half_ram_mb))
    monkeypatch.setenv("WORKBENCH_LADYBUG_BUFFER_MB", "1024")
    assert buffer_pool_mb(db) == 1024


def test_an_append_takes_the_saved_context_keys_and_equals_one_that_reads_the_store(tmp_path: Path, monkeypatch) -> None:
    from loaders.stream import CONTEXT_FILE

    base, month, _ = _split_golden(tmp_path)
    with (month / "payments_2024-01.csv").open("a", encoding="utf-8", newline="") as fh:
        # a registered person (household H08) paid without 户号: linked to the household
        # through the registrations the append asks the store for
        row = ["G900", "最低生活保障", "陈某", "370123196603031377", "", "白水镇", "南村", "300", "2024-01-20", "2024-01"]
        csv.writer(fh).writerow([*row, "", ""])
    saved, _ = _load(base, tmp_path, "saved")
    read, _ = _load(base, tmp_path, "read")
    assert (saved.state_dir / CONTEXT_FILE / "Person.npy").is_file()
    shutil.rmtree(read.state_dir / CONTEXT_FILE)
    # the saved keys count what the store holds, so the append never reads them back
    monkeypatch.setattr(saved, "keys", lambda label: pytest.fail(f"{label} keys read from the store"))
    a = load_dataset(month, saved, append=True)
    monkeypatch.undo()
    b = load_dataset(month, read, append=True)
    assert a.inserted == b.inserted and a.inserted["Payment"] == 13
    assert dump(saved, {"LoadBatch"}) == dump(read, {"LoadBatch"})
    inferred = saved.run("MATCH (p:Payment)-[r:FOR_HOUSEHOLD]->() WHERE p.batch = 2 AND r.inferred RETURN count(*) AS n")
    assert inferred["n"].iloc[0] == 1
    # a store changed another way (here: a node the file does not know) is read again
    saved.run("CREATE (:Town {name: '新设镇'})")
    monkeypatch.setattr(saved, "keys", lambda label: pytest.fail("read"))
    with pytest.raises(pytest.fail.Exception):
        load_dataset(month, saved, append=True)
    saved.close()
    read.close()


def test_keys_beside_the_store_are_read_back_mapped_and_from_an_earlier_versions_file(tmp_path: Path) -> None:
    import numpy as np

    from loaders.stream import PaymentKeys

    rng = np.random.default_rng(7)
    keys = PaymentKeys(
        rng.integers(0, 2**63, 1000, dtype=np.uint64), rng.integers(0, 2**63, 1000, dtype=np.uint64),
        np.arange(1000, dtype=np.int64) % 3, np.arange(1000, dtype=np.int64) + 2,
    )  # fmt: skip
    path = tmp_path / "payment_keys"
    # an earlier version wrote one .npz file: it is read, and replaced by the next save
    np.savez(path.with_suffix(".npz"), id_hash=keys.id_hash, content_hash=keys.content_hash, fid=keys.fid, line=keys.line)
    old = PaymentKeys.read(path)
    assert old is not None and (old.id_hash == keys.id_hash).all() and (old.line == keys.line).all()
    grown = PaymentKeys.concat([old, PaymentKeys(*(a[:10] for a in (keys.id_hash, keys.content_hash, keys.fid, keys.line)))])
    grown.save(path)  # over the arrays it was read from
    assert not path.with_suffix(".npz").exists()
    back = PaymentKeys.read(path)
    assert back is not None and isinstance(back.id_hash, np.memmap) and len(back) == 1010
    for f in ("id_hash", "content_hash", "fid", "line"):
        assert (getattr(back, f) == getattr(grown, f)).all() and getattr(back, f).dtype == getattr(keys, f).dtype
    assert not list(path.glob("*.part"))
    # arrays of different lengths (a save cut short) are not taken
    np.save(path / "line.npy", keys.line[:5])
    assert PaymentKeys.read(path) is None


def test_the_resolution_reference_is_kept_as_arrow_files_and_an_earlier_pickle_is_read(tmp_path: Path) -> None:
    import pickle

    from loaders.load import REFERENCE_DIR, REFERENCE_FILE, _save_reference, _saved_reference
    from resolve.engine import Reference

    def frame(a: str, b: str, rows: list[tuple]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=[a, b]).astype("str")

    ref = Reference(
        frame("pid", "name", [("110101199001010011", "张三"), ("110101199001010011", "张叁")]),
        frame("pid", "vid", [("110101199001010011", "青山镇/上徐沟村")]),
        frame("pid", "hid", [("110101199001010011", "青0000001")]),
        pd.DataFrame(columns=["pid", "account"]),  # no payments: nothing typed
    )
    assert _saved_reference(tmp_path) is None
    # an earlier version's pickle is read, and replaced by the next save
    with (tmp_path / REFERENCE_FILE).open("wb") as fh:
        pickle.dump(ref, fh)
    old = _saved_reference(tmp_path)
    assert old is not None and old.people.equals(ref.people)
    _save_reference(tmp_path, ref)
    assert not (tmp_path / REFERENCE_FILE).exists() and not (tmp_path / f"{REFERENCE_DIR}.part").exists()
    assert sorted(f.name for f in (tmp_path / REFERENCE_DIR).iterdir()) == [
        "accounts.arrow", "households.arrow", "people.arrow", "places.arrow",
    ]  # fmt: skip
    back = _saved_reference(tmp_path)
    assert back is not None
    for name in ("people", "places", "households"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(ref, name))
    assert back.people["name"].tolist() == ["张三", "张叁"] and back.accounts.empty
    assert back.accounts.columns.tolist() == ["pid", "account"]
    # saved again over it: the new tables, whole
    _save_reference(tmp_path, Reference(ref.people.iloc[:1], ref.places, ref.households, ref.accounts))
    again = _saved_reference(tmp_path)
    assert again is not None and again.people["name"].tolist() == ["张三"]


def test_keys_of_an_append_are_added_to_the_saved_files_in_place(tmp_path: Path) -> None:
    import numpy as np

    from loaders.stream import PaymentKeys, append_arrays

    def keys(n: int, seed: int) -> PaymentKeys:
        rng = np.random.default_rng(seed)
        return PaymentKeys(
            rng.integers(0, 2**63, n, dtype=np.uint64), rng.integers(0, 2**63, n, dtype=np.uint64),
            np.full(n, seed, dtype=np.int64), np.arange(n, dtype=np.int64) + 2,
        )  # fmt: skip

    path = tmp_path / "payment_keys"
    prior, month = keys(999, 1), keys(120, 2)
    prior.save(path)
    held = PaymentKeys.read(path)  # mapped, as keys_in_store hands them to the load
    assert held is not None
    files = {f: (path / f"{f}.npy").stat().st_ino for f in ("id_hash", "content_hash", "fid", "line")}
    month.save_after(path, held)
    back = PaymentKeys.read(path)
    whole = PaymentKeys.concat([prior, month])
    assert back is not None and len(back) == 1119
    for f in files:
        assert (getattr(back, f) == getattr(whole, f)).all()
        assert (path / f"{f}.npy").stat().st_ino == files[f]  # the same file, grown
    # bytes a crash left after the last row are not read, and the next append writes over them
    with (path / "line.npy").open("ab") as fh:
        fh.write(b"\x01" * 24)
    assert (PaymentKeys.read(path).line == whole.line).all()
    keys(3, 3).save_after(path, PaymentKeys.read(path))
    assert (PaymentKeys.read(path).line[-4:] == [121, 2, 3, 4]).all()
    # another dtype: nothing written, the caller saves the whole again
    before = (path / "fid.npy").read_bytes()
    assert not append_arrays(path, {"id_hash": np.zeros(2, np.uint64), "fid": np.zeros(2, np.int32)}, after=1122)
    # files that hold another number of rows than the caller's: nothing written either
    assert not append_arrays(path, {"id_hash": np.zeros(2, np.uint64)}, after=1121)
    assert (path / "fid.npy").read_bytes() == before and len(PaymentKeys.read(path)) == 1122
    # after a reset the store holds no keys: the files are written again, whole
    month.save_after(path, PaymentKeys())
    assert len(PaymentKeys.read(path)) == 120
    # keys that are not what the files hold: written whole
    month.save_after(path, prior)
    assert len(PaymentKeys.read(path)) == 1119


def test_a_worker_spills_each_chunk_of_a_reference_file_and_the_chunks_make_the_whole(tmp_path: Path, monkeypatch) -> None:
    import loaders.stream as stream
    from loaders.dataset import discover

    entry = next(e for e in discover(GOLDEN_DIR).files if e.kind == "households")
    whole = stream.parse_reference_file(entry, None)
    monkeypatch.setattr(stream, "_report", lambda *a: None)  # no progress queue outside a pool
    parsed, paths = stream._worker_reference(3, entry, 4, tmp_path)
    # a file a chunk, and nothing of the records held in the worker's result
    assert len(paths) == -(-whole.rows_read // 4) and len(paths) > 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]
    assert parsed.records.empty
    records = stream.read_spilled_records(entry, paths)
    assert not list(tmp_path.iterdir())  # the spilled chunks are gone once read
    pd.testing.assert_frame_equal(records, whole.records)
    assert (parsed.rows_read, parsed.duplicates, len(parsed.quarantine)) == (
        whole.rows_read,
        whole.duplicates,
        len(whole.quarantine),
    )


def test_content_hashes_from_the_parse_codes_equal_those_of_the_records(tmp_path: Path) -> None:
    from loaders.parse import parse_table
    from loaders.read import iter_table
    from loaders.stream import column_hashes

    odd = tmp_path / "payments_odd.csv"
    odd.write_text(
        "项目名称,主管部门,姓名,身份证号,户号,乡镇,村,发放金额,发放日期,所属期,银行账号,账户户名\n"
        '低保,民政局,张三,110101199003071234,H1,青山镇,上村,"1,200.50",2023-05-20,,6217 0001,张三\n'
        "低保,民政局,ＬＩ四,1101011990030712,,,,300,2023年5月20日,2023-05,,\n"
        "临时救助,,王五,110101199003071234,H1,青山镇,上村,abc,2023-05-20,2023-05,6217,王五\n"
        "临时救助,,王五,110101199003071234,H1,青山镇,上村,0300.0,2023/5/21,,6217,王五\n",
        encoding="utf-8",
    )
    files = [GOLDEN_DIR / "payments.csv", FIXTURES / "tiny" / "payments.csv", odd]
    compared = 0
    for path in files:
        seen = KeySet()
        for raw in iter_table(path, None, 3):
            part = parse_table(raw, path, "payments", {}, seen, {})
            if part.records.empty:
                continue
            assert part.coded  # the chunked parse keeps the codes
            via_codes, again = column_hashes(part.records, part.coded), column_hashes(part.records)
            for c in again:
                assert via_codes[c].tolist() == again[c].tolist(), (path.name, c)
            compared += len(part.records)
    assert compared > 10


def test_a_spilled_frame_reads_back_equal_column_by_column(tmp_path: Path) -> None:
    import pickle

    import loaders.stream as stream

    frame = pd.DataFrame(
        {
            "payment_id": pd.Series(["P1", "P2", None], dtype=object),
            "amount": pd.Series([1.5, None, "x"], dtype=object),  # mixed Python objects
            "valid": pd.Series([True, False, True], dtype=object),
            "name": pd.Series(["甲", None, "乙"], dtype="str"),  # Arrow strings (the register's)
            "src_line": np.array([2, 3, 4], dtype=np.int64),
            "ok": np.array([True, False, True]),
        }
    )
    paths = [tmp_path / "a.pkl", tmp_path / "b.pkl"]
    stream.spill_frame(frame, paths[0])
    stream.spill_frame(frame.iloc[1:].reset_index(drop=True), paths[1])
    # the column count, then a pickle a column
    with paths[0].open("rb") as fh:
        assert pickle.load(fh) == 6
        assert pickle.load(fh).tolist() == ["P1", "P2", None]
    first, second = stream.read_spilled(paths)
    pd.testing.assert_frame_equal(first, frame)
    pd.testing.assert_frame_equal(second, frame.iloc[1:].reset_index(drop=True))
    assert not list(tmp_path.iterdir())


def test_a_worker_leaves_no_spilled_chunks_of_a_file_that_fails(tmp_path: Path, monkeypatch) -> None:
    import loaders.stream as stream
    from loaders.dataset import discover
    from loaders.read import FileError

    entry = next(e for e in discover(GOLDEN_DIR).files if e.kind == "households")
    real = stream.iter_table

    def broken(*args, **kw):  # two good chunks, then the file turns out unreadable
        for i, raw in enumerate(real(*args, **kw)):
            if i == 2:
                raise FileError(f"{entry.path.name}: 第 9 行无法解码")
            yield raw

    monkeypatch.setattr(stream, "iter_table", broken)
    monkeypatch.setattr(stream, "_report", lambda *a: None)
    parsed, paths = stream._worker_reference(0, entry, 4, tmp_path)
    assert parsed.error == f"{entry.path.name}: 第 9 行无法解码"
    assert paths == [] and not list(tmp_path.iterdir())


def test_key_hashes_taken_in_slices_equal_the_whole_columns(monkeypatch) -> None:
    import loaders.build as build

    keys = pd.Series([f"3301{i:014d}" if i % 7 else None for i in range(5_000)], dtype="str")
    whole, present = build._hashes(keys)
    monkeypatch.setattr(build, "HASH_SLICE", 333)
    sliced, present_sliced = build._hashes(keys)
    assert (present == present_sliced).all() and present.sum() == 5_000 - 715
    assert len(whole) == present.sum() and (whole == sliced).all()
    # the hashes saved beside a store by earlier loads: pandas' hash of the Python text
    expected = pd.util.hash_array(keys[present].astype(object).to_numpy(dtype=object))
    assert (sliced == expected).all()


def test_keys_that_are_not_text_hash_as_their_text() -> None:
    import loaders.build as build

    # a batch number, a float, text that looks like a number: hashed as str(v), as the
    # hashes saved beside earlier stores were
    mixed = pd.Series(["7", 7, 2.5, "甲", None], dtype=object)
    h, present = build._hashes(mixed)
    assert present.tolist() == [True, True, True, True, False]
    assert (h == pd.util.hash_array(np.array(["7", "7", "2.5", "甲"], dtype=object))).all()
    assert h[0] == h[1]
    known = build.KeySet(["甲"])
    df = pd.DataFrame({"k": pd.Series(["甲", "乙", None, "丙"], dtype="str"), "n": [1, 2, 3, 4]})
    assert build._new(df, "k", known)["n"].tolist() == [2, 3, 4]  # a missing key is never known
    assert len(known) == 3 and build._new(df, "k", known)["n"].tolist() == [3]


def _home_by_merge(persons: pd.DataFrame, member: pd.DataFrame, households: pd.DataFrame, office, villages) -> pd.DataFrame:
    """The first registration by household id with a town, else an office's village: the
    merge-and-map form that ``_with_home`` replaced, to hold it to the same answer."""
    h = member[["from", "to"]].merge(households[["hid", "town", "village"]], left_on="to", right_on="hid")
    o = office[["from", "to"]].merge(villages[["vid", "town", "name"]], left_on="to", right_on="vid")
    homes = [h.sort_values(["from", "to"])[["from", "town", "village"]]]
    homes.append(o.sort_values(["from", "to"]).rename(columns={"name": "village"})[["from", "town", "village"]])
    home = pd.concat(homes, ignore_index=True).dropna(subset=["town"]).drop_duplicates("from").set_index("from")
    return persons.assign(town=persons["pid"].map(home["town"]), village=persons["pid"].map(home["village"]))


@pytest.mark.parametrize("dtype", ["str", object])
def test_a_home_is_the_first_registration_by_household_id_else_an_office(dtype) -> None:
    from loaders.build import GraphTables, _with_home
    from loaders.parse import text_codes

    def frame(**cols) -> pd.DataFrame:
        return pd.DataFrame(cols).astype(dtype)

    households = frame(hid=["H9", "H1", "H5", "HX"], town=["乙镇", "甲镇", "丙镇", None], village=["北村", "东村", "南村", None])
    member = frame(
        # A: two registrations, H1 sorts first though listed second; B: only in a household
        # without a place, and an office; C: an office only; D: nothing; E: a household
        # the register does not hold, and H5; a registration without a person id
        **{"from": ["A", "A", "B", "E", "E", None], "to": ["H9", "H1", "HX", "H0", "H5", "H1"]}
    )
    villages = frame(vid=["甲镇/西村", "乙镇/北村"], town=["甲镇", "乙镇"], name=["西村", "北村"])
    office = frame(**{"from": ["C", "B", "C"], "to": ["乙镇/北村", "甲镇/西村", "甲镇/西村"]})
    persons = frame(pid=["D", "C", "B", "A", "E"], name=["丁", "丙", "乙", "甲", "戊"]).set_axis([7, 3, 9, 1, 5])
    out = GraphTables(nodes={"Household": households, "Village": villages}, rels={"MEMBER_OF": member, "HOLDS_OFFICE": office})
    got = _with_home(persons, out)
    cols = got[["pid", "town", "village"]].astype(object)
    assert cols.where(cols.notna(), None).values.tolist() == [
        ["D", None, None],
        ["C", "乙镇", "北村"],  # of two offices, the first by village id (乙 sorts before 甲)
        ["B", "甲镇", "西村"],
        ["A", "甲镇", "东村"],
        ["E", "丙镇", "南村"],
    ]
    # the same with the ids coded once for both (the persons' codes 0, 1, 2 ... in order)
    person_codes, member_codes = text_codes([persons["pid"], member["from"]])
    assert person_codes.tolist() == [0, 1, 2, 3, 4]
    coded = _with_home(persons, out, (person_codes, member_codes))
    assert (
        coded.astype(object).where(coded.notna(), None).values.tolist()
        == got.astype(object).where(got.notna(), None).values.tolist()
    )
    expected = _home_by_merge(persons, member, households, office, villages)
    for c in ("town", "village"):
        assert (
            got[c].astype(object).where(got[c].notna(), None).tolist()
            == expected[c].astype(object).where(expected[c].notna(), None).tolist()
        )


def test_homes_and_household_provenance_alike_whether_or_not_every_registration_has_an_id() -> None:
    """With an id on every registration the build codes the registrations' ids with the
    register's person rows (the same ids, in order); with one missing, apart. Either way
    each person's home is the first registration by household id, and a household's
    provenance is its first row."""
    from loaders.build import ResolveOptions, build_graph
    from loaders.load import parse_folder

    files = [f for f in parse_folder(GOLDEN_DIR)[0] if f.error is None]
    register = next(f for f in files if f.kind == "households")
    records = register.records
    assert records["id_number"].notna().all()  # the coded-once path
    assert records["id_number"].duplicated().any()  # people registered twice: the first counts

    def homes(tables) -> dict[str, tuple]:
        person = tables.nodes["Person"].astype(object)
        person = person.where(person.notna(), None)
        return {p: (t, v) for p, t, v in zip(person["pid"], person["town"], person["village"], strict=True)}

    whole = build_graph(files, resolution=ResolveOptions(enabled=False))
    # a registration without an id (the first row), coded apart from the people's ids
    gone = records["id_number"].iloc[0]
    register.records = records.assign(id_number=records["id_number"].where(records.index != 0, None))
    try:
        apart = build_graph(files, resolution=ResolveOptions(enabled=False))
    finally:
        register.records = records
    a, b = homes(whole), homes(apart)
    assert {p: h for p, h in a.items() if p != gone} == {p: h for p, h in b.items() if p != gone}
    expected = _home_by_merge(
        whole.nodes["Person"],
        whole.rels["MEMBER_OF"],
        whole.nodes["Household"],
        whole.rels["HOLDS_OFFICE"],
        whole.nodes["Village"],
    )
    placed = expected[expected["town"].notna()]
    assert len(placed) > 0 and all(
        a[p] == (t, v) for p, t, v in zip(placed["pid"], placed["town"], placed["village"], strict=True)
    )
    # a household's file and line are its first row's
    hh = whole.nodes["Household"].set_index("hid")
    first = records.drop_duplicates("household_id").set_index("household_id")
    assert hh.loc[first.index, "src_line"].tolist() == first["src_line"].tolist()
    assert hh.loc[first.index, "src_fid"].tolist() == first["src_fid"].tolist()


@pytest.mark.parametrize("dtype", ["str", object])
def test_dates_read_from_their_characters_are_what_pandas_reads(dtype) -> None:
    from loaders.build import _days, _ymd
    from loaders.normalize import EPOCH

    values = [
        None, "", "2020-02-29", "2021-02-29", "2020-13-01", "2020-00-10", "2020-12-00", "2020-12-31", "1970-01-01",
        "1969-12-31", "1677-09-21", "1678-01-01", "2261-12-31", "2262-04-11", "9999-12-31",
        # spellings pandas reads with this format, and ones it does not
        "2020-1-5", "1999-1-1", "2000-01-1", "20200101", "2020/01/01", " 2020-01-01", "2020-01-01T00:00", "abcd",
        "２０２０-01-01", "2020-0１-01", "2020-01-0é",
    ]  # fmt: skip
    iso = pd.Series(values, dtype=dtype, index=np.arange(len(values)) * 3 + 7)
    expected = (pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce") - pd.Timestamp(EPOCH)).dt.days.astype("Int64")
    got = _days(iso)
    assert got.index.equals(iso.index) and str(got.dtype) == "Int64"
    assert got.astype(object).where(got.notna(), None).tolist() == expected.astype(object).where(expected.notna(), None).tolist()
    assert got.iloc[2] == 18321 and got.iloc[8] == 0 and got.isna().iloc[3]  # 2020-02-29; 1970-01-01; no 2021-02-29
    year, md, has_year, is_date = _ymd(iso)
    assert has_year.tolist() == [bool(v) and v[:4].isascii() and v[:4].isdigit() for v in [v or "" for v in values]]
    assert is_date.tolist()[:4] == [False, False, True, True] and not is_date[values.index("2020-1-5")]
    assert (year[2], md[2]) == (2020, 229)


def test_date_characters_are_read_from_arrow_buffers_whatever_a_missing_value_keeps() -> None:
    import pyarrow as pa

    from loaders.build import _leading_bytes

    # a missing value whose slot still holds ten bytes in the buffer (Arrow allows it)
    data = b"2020-01-022021-03-041999-12-31"
    offsets = pa.py_buffer(np.array([0, 10, 20, 30], dtype=np.int64).tobytes())
    validity = pa.py_buffer(np.packbits([1, 0, 1], bitorder="little").tobytes())
    arr = pa.Array.from_buffers(pa.large_string(), 3, [validity, offsets, pa.py_buffer(data)])
    got = _leading_bytes(pd.Series(pd.arrays.ArrowStringArray(arr)), 10)
    assert [bytes(r) for r in got] == [b"2020-01-02", bytes(10), b"1999-12-31"]
    # values of other lengths, and longer than read
    got = _leading_bytes(pd.Series(["2020-1-5", None, "2020-01-01T00", ""], dtype="str"), 10)
    assert [bytes(r) for r in got] == [b"2020-1-5\0\0", bytes(10), b"2020-01-01", bytes(10)]


def test_codes_give_missing_values_a_code_of_their_own() -> None:
    from loaders.parse import text_codes

    # a registration without a person id must not share (or break) another person's code
    (got,) = text_codes([pd.Series(["乙", None, "甲", "乙", None], dtype="str")])
    assert got.tolist() == [0, 1, 2, 0, 1]
    assert text_codes([pd.Series([None, None], dtype=object)])[0].tolist() == [0, 0]
    # or, asked for, one code for all of them (the reference's rows without a value)
    assert text_codes([pd.Series(["乙", None, "甲"], dtype="str"), pd.Series(["甲", None])], missing=-1)[1].tolist() == [1, -1]

    # columns of many chunks (a concatenation of slices), empty ones among them: the codes
    # of the values one after the other, by first appearance
    rng = np.random.default_rng(2)
    for _ in range(50):
        pool = pd.Series(rng.choice([*"甲乙丙丁戊己", None], size=300), dtype="str")
        columns = []
        for _ in range(int(rng.integers(1, 5))):
            cuts = np.sort(rng.integers(0, 300, size=int(rng.integers(0, 6))))
            columns.append(pd.concat([pool.iloc[a:b] for a, b in pairwise(cuts)] or [pool.iloc[0:0]]))
        whole = pd.concat(columns, ignore_index=True)
        expected = pd.factorize(whole.fillna("\0"))[0]  # a missing value: a code of its own
        got = text_codes(columns)
        assert [len(g) for g in got] == [len(c) for c in columns]
        assert np.concatenate(got).tolist() == expected.tolist()
        masked = np.concatenate(text_codes(columns, missing=-1))
        assert masked.tolist() == np.where(whole.isna(), -1, pd.factorize(whole)[0]).tolist()


def test_one_person_row_per_id_with_its_first_name() -> None:
    from loaders.build import _first_of_each
    from loaders.parse import text_codes

    rows = pd.DataFrame(
        {
            "pid": ["p1", "p2", "p1", "p3", "p2", "p1"],
            "name": [None, "乙", "甲", "", "乙二", "甲二"],
            "src_line": [1, 2, 3, 4, 5, 6],
        }
    ).astype({"pid": "str", "name": "str"})
    got = _first_of_each(rows)
    assert got["pid"].tolist() == ["p1", "p2", "p3"] and got["src_line"].tolist() == [1, 2, 4]
    # coded together with other ids (the registrations'), after them in the coding: the same rows
    codes, others = text_codes([rows["pid"], pd.Series(["p9", "p2", None, "p4"], dtype="str")])
    assert others.tolist()[:2] == [3, 1] and others[2] not in codes and others[3] not in codes
    assert _first_of_each(rows, codes).equals(got)
    assert got["name"].astype(object).where(got["name"].notna(), None).tolist() == ["甲", "乙", None]


def test_each_code_s_first_row_whether_or_not_the_codes_run_in_order_of_first_appearance() -> None:
    from loaders.build import _first_rows
    from loaders.parse import text_codes

    rng = np.random.default_rng(1)
    for _ in range(100):
        values = pd.Series(rng.choice([*"甲乙丙丁戊", None], size=int(rng.integers(0, 40))), dtype="str")
        (code,) = text_codes([values])  # in order of first appearance, a missing value coded too
        assert _first_rows(code).tolist() == np.unique(code, return_index=True)[1].tolist()
        assert values.iloc[_first_rows(code)].tolist() == values.drop_duplicates().tolist()
        shuffled = (len(code) - 1 - code) if len(code) else code  # codes that do not run so
        assert _first_rows(shuffled).tolist() == np.unique(shuffled, return_index=True)[1].tolist()


def test_rows_taken_as_runs_of_neighbours_equal_rows_taken_by_position() -> None:
    """_rows_at puts a few runs of neighbouring rows together from slices (text columns
    keep their Arrow buffers, in chunks) and takes any others by position: the same rows
    either way."""
    import pyarrow as pa

    from loaders.build import _rows_at

    rng = np.random.default_rng(5)
    n = 500
    df = pd.DataFrame(
        {"t": pd.Series([None if i % 7 == 0 else f"人{i}" for i in range(n)], dtype="str"), "i": np.arange(n) * 3},
        index=np.arange(n) + 1000,
    )
    for _ in range(200):
        kind = rng.integers(0, 3)
        if kind == 0:  # a register less a few repeated rows
            rows = np.setdiff1d(np.arange(n), rng.choice(n, size=int(rng.integers(0, 5)), replace=False))
        elif kind == 1:  # anywhere, increasing
            rows = np.sort(rng.choice(n, size=int(rng.integers(0, n)), replace=False))
        else:  # any order, repeats too
            rows = rng.integers(0, n, size=int(rng.integers(0, 50)))
        got = _rows_at(df, rows, most_runs=8)
        pd.testing.assert_frame_equal(got, df.iloc[rows].reset_index(drop=True))
    got = _rows_at(df, np.r_[0:100, 101:500])
    assert isinstance(got["t"].array._pa_array, pa.ChunkedArray) and got["t"].array._pa_array.num_chunks == 2


def test_day_numbers_and_years_of_date_text_are_what_pandas_reads() -> None:
    """_days and _year read dates from their characters with numpy (a column of digits
    at a time): the day numbers pd.to_datetime gives for YYYY-MM-DD, the year of any
    value starting with four digits, missing otherwise."""
    from loaders.build import _days, _year

    rng = np.random.default_rng(9)
    values: list[str | None] = [None, "", "2021-02-29", "2020-02-29", "1677-12-31", "2262-04-12", "0000-00-00", "１９９０-01-01"]
    for _ in range(3000):
        y, m, d = int(rng.integers(0, 10000)), int(rng.integers(0, 14)), int(rng.integers(0, 33))
        text = f"{y:04d}-{m:02d}-{d:02d}"
        cut = int(rng.integers(0, 3))
        values.append(text if cut == 0 else text[: int(rng.integers(0, 12))] if cut == 1 else text.replace("-", "/"))
    series = pd.Series(values, dtype="str")
    expected = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
    want = [None if pd.isna(t) else (t - pd.Timestamp("1970-01-01")).days for t in expected]
    assert [None if pd.isna(v) else int(v) for v in _days(series)] == want
    years = [int(v[:4]) if isinstance(v, str) and len(v) >= 4 and v[:4].isascii() and v[:4].isdigit() else None for v in values]
    assert [None if pd.isna(v) else int(v) for v in _year(series)] == years


def test_placeholder_people_added_to_the_built_people_equal_a_build_with_them_last() -> None:
    """The people are built while identity resolution runs and the placeholders of the
    declarations matching no one join them afterwards: the table must be the one a build
    of all the rows, placeholders last, gives (a placeholder id a file holds too
    included: that person's row stays, and takes the placeholder's name if it has none)."""
    from loaders.build import PERSON_TEXT, GraphTables, _days, _first_of_each, _text, _with_home, _with_placeholders, _year

    def built(rows: pd.DataFrame) -> pd.DataFrame:
        people = _first_of_each(rows.reset_index(drop=True))
        people["birth_day"], people["birth_year"] = _days(people["birth_date"]), _year(people["birth_date"])
        return _with_home(people, GraphTables())

    columns = ["pid", "name", "birth_date", "src_line"]

    def people_of(rows: list[tuple]) -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=columns, dtype=object)
        return _text(
            df.assign(
                id_number=df["pid"], id_valid=df["birth_date"].notna(), sex=None, src_fid=1,
                id_problem=df["birth_date"].map(lambda b: None if b else "申报亲属未匹配到人员"),
            ),
            PERSON_TEXT,
        )  # fmt: skip

    people = people_of(
        [("P1", "王芳", "1950-01-02", 1), ("P2", None, "1960-12-31", 2), ("P1", "王芳芳", "1950-01-02", 3),
         ("未匹配:00aa", "", None, 4), ("P3", "李强", "1970-07-07", 5)]
    )  # fmt: skip
    placeholders = people_of(
        [
            ("未匹配:11bb", "赵敏", None, 7),
            ("P2", "张三", None, 8),
            ("未匹配:00aa", "李四", None, 9),
            ("未匹配:22cc", "", None, 10),
        ]
    )
    expected = built(pd.concat([people, placeholders], ignore_index=True))
    got = _with_placeholders(built(people), placeholders)
    pd.testing.assert_frame_equal(got, expected)
    assert got["pid"].tolist() == ["P1", "P2", "未匹配:00aa", "P3", "未匹配:11bb", "未匹配:22cc"]
    assert got["name"].tolist()[:3] == ["王芳", "张三", "李四"]  # named by the placeholder only where nameless
    pd.testing.assert_frame_equal(_with_placeholders(built(people), pd.DataFrame()), built(people))


def test_a_declaration_without_an_id_is_matched_by_a_unique_name_in_its_villages() -> None:
    from loaders.build import _declared_by_rule

    households = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H5"],
            "town": ["甲镇", "甲镇", "乙镇", "乙镇", "甲镇"],
            "village": ["东村", "东村", "东村", "西村", "西村"],
            "name": ["王芳", "王芳", "李强", "赵敏", "赵敏"],
            "id_number": ["P1", "P2", "P3", "P4", "P5"],
        }
    ).astype("str")
    cadres = pd.DataFrame({"id_number": ["C1"], "town": ["乙镇"], "village": ["西村"]}).astype("str")
    relatives = pd.DataFrame(
        {
            "cadre_id_number": ["C1", "C1", "C1", "C1"],
            "name": ["李强", "王芳", "赵敏", "李强"],
            # 东村 of either town; no village: the cadre's office village (乙镇/西村)
            "village": ["东村", "东村", None, None],
            "id_number": [None, None, None, None],
            "id_number_valid": [False, False, False, False],
            "relation": ["儿子", "配偶", "女儿", "父亲"],
            "src_fid": [1, 1, 1, 1],
            "src_line": [2, 3, 4, 5],
        },
        dtype=object,  # Python objects (None for no village), as the loader keeps all but the register
    )
    got = _declared_by_rule(relatives, cadres, households)
    assert got.targets == ["P3", None, "P4", None]  # 王芳: two in 东村; 李强 is in 东村, not 西村
    assert got.candidates == [1, 2, 1, 0]
    assert got.matched[0] == got.matched[2] == "姓名唯一匹配"


def test_a_relationship_end_missing_from_the_nodes_is_named(tmp_path: Path) -> None:
    from loaders.load import _check_endpoints

    store = LadybugStore(tmp_path / "s")
    nodes = {
        "Person": pd.DataFrame({"pid": ["P1", "P2"]}),
        "Household": pd.DataFrame({"hid": ["H1"]}),
        "Payment": pd.DataFrame({"pay_no": [1]}),
    }
    good = {"MEMBER_OF": pd.DataFrame({"from": ["P1", "P2"], "to": ["H1", "H1"]})}
    _check_endpoints(nodes, {**good, "RECEIVED": pd.DataFrame({"from": ["P2"], "to": [1]})}, store)
    # the ends of one label are looked up together: the error still names the relationship
    bad = {**good, "RECEIVED": pd.DataFrame({"from": ["P1", "P9", "P8"], "to": [1, 1, 1]})}
    with pytest.raises(RuntimeError, match="RECEIVED: 1 条关系的 to 端 Payment 不存在，例如 2"):
        _check_endpoints(nodes, {**good, "RECEIVED": pd.DataFrame({"from": ["P1", "P2"], "to": [1, 2]})}, store)
    with pytest.raises(RuntimeError, match="RECEIVED: 2 条关系的 from 端 Person 不存在，例如 P9"):
        _check_endpoints(nodes, bad, store)
    with pytest.raises(RuntimeError, match="MEMBER_OF: 1 条关系的 to 端 Household 不存在，例如 H2"):
        _check_endpoints(nodes, {"MEMBER_OF": pd.DataFrame({"from": ["P1", "P2"], "to": ["H1", "H2"]})}, store)
    # Arrow strings beside Python objects, and a missing end (never a node)
    typed = {"MEMBER_OF": good["MEMBER_OF"].astype("str"), "RECEIVED": pd.DataFrame({"from": ["P2", None], "to": [1, 1]})}
    with pytest.raises(RuntimeError, match="RECEIVED: 1 条关系的 from 端 Person 不存在，例如 空值"):
        _check_endpoints({**nodes, "Person": nodes["Person"].astype("str")}, typed, store)
    store.close()


def test_a_failed_end_check_beside_the_node_copies_writes_no_relationship(tiny_folder: Path, tmp_path: Path, monkeypatch) -> None:
    """The ends are checked in a thread while the node tables are copied: the load still
    fails with the check's error, the node writes stop at the next table, and not one
    relationship is written."""
    import threading

    from loaders import load as load_mod

    checked_in: list[str] = []
    real = load_mod._check_endpoints

    def failing(nodes: dict, rels: dict, store: LadybugStore) -> None:
        checked_in.append(threading.current_thread().name)
        real(nodes, rels, store)  # the real check passes on the tiny folder
        raise RuntimeError("MEMBER_OF: 1 条关系的 to 端 Household 不存在，例如 H9")

    monkeypatch.setattr(load_mod, "_check_endpoints", failing)
    store = LadybugStore(tmp_path / "s")
    with pytest.raises(RuntimeError, match="例如 H9"):
        load_dataset(tiny_folder, store, reset=True)
    assert checked_in and checked_in[0].startswith("load-context")
    assert all(store.count(name) == 0 for name in store.schema.rels)
    assert store.count("Payment") == 0
    store.close()
    # without the failure the same folder loads, its context made in that thread
    monkeypatch.setattr(load_mod, "_check_endpoints", real)
    store, report = _load(tiny_folder, tmp_path, "ok")
    assert report.inserted["Payment"] > 0 and report.inserted["MEMBER_OF"] > 0
    store.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_person_only_payments_name_lives_where_the_earliest_payment_was_made(workers: int, tmp_path: Path, monkeypatch) -> None:
    """Someone in no household register and no office gets the place of their earliest
    payment (by date), wherever in the files and chunks it comes: here in the last chunk,
    after rows paid later in another village. With two workers, each chunk's parts are
    made against the context as it was when the workers started."""
    import loaders.stream
    from loaders.normalize import id_check_char

    folder = tmp_path / "data"
    shutil.copytree(GOLDEN_DIR, folder)
    first17 = "37012319650101001"
    new_id = first17 + id_check_char(first17)
    rows = [
        [f"N{i:02d}", "最低生活保障", "赵新", new_id, "", "青山镇", village, "300", day, day[:7], "", ""]
        for i, (village, day) in enumerate(
            [("东村", "2022-05-10"), ("东村", "2022-06-10"), ("东村", "2022-07-10"), ("西村", "2021-01-10")]
        )
    ]
    with (folder / "payments.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        # the first row alone in its chunk (chunks of 3), the earliest in the file's last chunk
        writer.writerow(rows[0])
        other = ["最低生活保障", "王秀英", "370123197203021043", "H01", "青山镇", "东村", "300", "2023-01-10", "2023-01", "", ""]
        writer.writerows([f"F{i:02d}", *other] for i in range(5))  # paid to someone else, between them
        writer.writerows(rows[1:])
    monkeypatch.setattr(loaders.stream, "PARALLEL_BYTES", 0)
    store, report = _load(folder, tmp_path, "s", chunk_rows=3, workers=workers)
    assert sum(f.rows_quarantined for f in report.files) == sum(
        f.rows_quarantined for f in _load(GOLDEN_DIR, tmp_path, "g", chunk_rows=3, workers=1)[1].files
    )
    got = store.run("MATCH (p:Person {pid: $pid}) RETURN p.town AS town, p.village AS village", {"pid": new_id})
    assert got.to_dict("records") == [{"town": "青山镇", "village": "西村"}]
    store.close()


def test_years_and_ages_from_date_strings() -> None:
    from loaders.build import _age, _year

    birth = pd.Series(["1980-03-10", "1980-03-10", "1980-03-10", "2000-02-29", None, "", "1980-03-10", "1980"], dtype=object)
    on = pd.Series(["2021-03-09", "2021-03-10", "2021-03-11", "2021-02-28", "2021-01-01", "2021-01-01", None, "2021-01-01"])
    # the day before the birthday, the day itself, the day after; a leap-day birth;
    # missing and empty values; a year alone has a year but no birthday to compare
    assert _age(birth, on).tolist() == [40, 41, 41, 20, pd.NA, pd.NA, pd.NA, 41]
    assert _age(birth.astype("str"), on.astype("str")).tolist() == [40, 41, 41, 20, pd.NA, pd.NA, pd.NA, 41]
    assert _year(birth).tolist() == [1980, 1980, 1980, 2000, pd.NA, pd.NA, 1980, 1980]
    assert str(_year(birth).dtype) == str(_age(birth, on).dtype) == "Int64"
    assert _year(pd.Series(["2021-03-10"], index=[7])).index.tolist() == [7]  # aligned with its input


def test_a_failure_in_a_second_pass_worker_stops_the_load_and_copies_no_payment(tmp_path: Path, monkeypatch) -> None:
    import gc

    import loaders.build
    import loaders.stream

    real = loaders.build.payment_parts
    calls = {"n": 0}

    def failing(payments, ctx):  # in a worker (forked with this patch): the third chunk fails
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("第三块出错")
        return real(payments, ctx)

    monkeypatch.setattr(loaders.stream, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(loaders.stream, "payment_parts", failing)
    store = LadybugStore(tmp_path / "s")
    with pytest.raises(ValueError, match="第三块出错"):
        load_dataset(GOLDEN_DIR, store, reset=True, chunk_rows=3, workers=2)
    assert store.count("Payment") == 0 and store.count("RECEIVED") == 0  # the staged tables were not copied
    assert store.count("Person") > 0  # the reference graph was written before the pass
    assert gc.get_freeze_count() == 0 and loaders.stream._second_pass is None  # the pass cleaned up after itself
    store.close()


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)])
def test_reference_rows_of_files_folded_as_they_come_keep_the_first_files_row(order: tuple[int, ...]) -> None:
    """The files' reference rows are folded in as worker processes hand them back, in any
    order; what is kept is what one pass over the files in their order keeps: each row
    once, the first file's."""
    from loaders.parse import ParsedFile
    from loaders.stream import PaymentKeys, _FileRead, drop_repeats

    rows = [["a", "b", "c", "x"], ["b", "d", "a"], ["d", "e", "c", "f"]]

    def read(i: int) -> _FileRead:
        names = rows[i]
        hashes = np.array([hash(n) & 0xFFFFFFFF for n in names], dtype=np.uint64)
        ref = pd.DataFrame({"name": names, "town": [f"file{i}"] * len(names)})
        return _FileRead(ParsedFile(Path(f"p{i}.csv"), "payments", i), [], PaymentKeys(), ref, pd.DataFrame(), hashes)

    come: dict[int, _FileRead] = {}
    for i in order:
        come[i] = read(i)
        drop_repeats(come, i)
    got = pd.concat([come[i].ref for i in range(3)], ignore_index=True)
    assert list(zip(got["name"], got["town"], strict=True)) == [
        ("a", "file0"), ("b", "file0"), ("c", "file0"), ("x", "file0"), ("d", "file1"), ("e", "file2"), ("f", "file2"),
    ]  # fmt: skip
    assert all(len(come[i].ref) == len(come[i].ref_hash) for i in range(3))
