"""The scale benchmark's account of where a load's time went (bench/scale.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def scale():
    sys.path.insert(0, str(BENCH))
    try:
        import scale as module
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_load_phases_group_the_step_lines_and_give_the_cores_kept_busy(scale) -> None:
    # step lines: seconds, MB, busy core-seconds so far, step
    steps = [
        ["1.0", "900", "1.0", "读取 households.csv"],
        ["5.0", "1200", "9.0", "读取 payments_2022.csv"],
        ["11.0", "3000", "21.0", "构建关系图"],
        ["31.0", "5000", "41.0", "核对关系两端"],
        ["33.0", "5000", "43.0", "准备发放记录的上下文"],
        ["35.0", "5000", "45.0", "写入 Person"],
        ["45.0", "6000", "60.0", "写入 MEMBER_OF"],
        ["50.0", "4000", "67.5", "写入发放记录"],
        ["70.0", "2000", "107.5", "写入 Payment"],
    ]
    phases = scale.load_phases(steps, [90.0, 143.5])
    assert [(p[0].split(":")[0].split(" ")[0], p[1], p[2]) for p in phases] == [
        ("first", 1.0, 10.0),
        ("build", 11.0, 20.0),
        ("relationship", 31.0, 4.0),
        ("reference", 35.0, 15.0),
        ("second", 50.0, 20.0),
        ("staged", 70.0, 20.0),
    ]
    assert [round(p[3], 2) for p in phases] == [2.0, 1.0, 1.0, 1.5, 2.0, 1.8]


def test_the_results_table_shows_the_phases_and_each_steps_cores(scale) -> None:
    load = {
        "rows": 10, "payment_rows": 5, "seconds": 12.0, "peak_mb": 100, "timings": {},
        "steps": [["0.5", "100", "0.5", "读取 a.csv"], ["4.5", "200", "8.5", "构建关系图"]], "end": [12.5, 16.0],
    }  # fmt: skip
    text = "\n".join(scale.table("county", {"load": load}))
    assert "| first pass: reading and normalising the files | 0.5 | 4.0 | 2.00 |" in text
    assert "| 4.5 | 200 | 0.94 | 构建关系图 |" in text
    # results recorded before the step lines held core-seconds keep their three columns
    old = {**load, "steps": [["0.5", "100", "读取 a.csv"]]}
    del old["end"]
    assert "| 0.5 | 100 | 读取 a.csv |" in "\n".join(scale.table("county", {"load": old}))


def test_the_results_table_shows_the_machines_speed_before_and_after_the_load(scale) -> None:
    load = {"rows": 10, "payment_rows": 5, "seconds": 12.0, "peak_mb": 100, "timings": {}, "steps": [], "removed_seconds": 0.1}
    assert "the machine's speed" not in "\n".join(scale.table("county", {"load": load}))  # results from before it
    text = "\n".join(scale.table("county", {"load": {**load, "machine": [0.921, 1.154]}}))
    assert "before and after the load (lower: faster; `reference_seconds`) | 0.921, 1.154 | |" in text


def test_the_reference_workload_takes_the_same_work_each_time(scale) -> None:
    first, second = scale.reference_seconds(), scale.reference_seconds()
    assert 0 < first < 60 and 0 < second < 60
    assert max(first, second) / min(first, second) < 5  # the same work: comparable seconds on one machine
