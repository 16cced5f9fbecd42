"""The demo dataset: deterministic, every file balances, every model planted, dirty rows handled."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from synth.generator import generate

#: the demo dataset's fixtures are built once: its tests share one xdist worker
pytestmark = pytest.mark.xdist_group("demo")

MODELS = {
    "RELATIVE_BENEFIT", "CADRE_SELF_BENEFIT", "DECEASED_RECIPIENT", "PUBLIC_EMPLOYEE_BENEFIT", "UNDERAGE_ELDERLY",
    "DUPLICATE_RECEIPT", "EXCLUSIVE_PROGRAMS", "SHARED_ACCOUNT", "SHELL_HOUSEHOLD", "HOUSEHOLD_SPLIT",
    "ASSET_INELIGIBLE", "INVALID_ID",
}  # fmt: skip


def planted(demo_dir: Path) -> list[dict]:
    with (demo_dir / "truth" / "planted.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_same_seed_same_files_other_seed_other_files(demo_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", "demo", seed=7)
    generate(tmp_path / "other", "demo", seed=8)
    assert digest(tmp_path / "again") == digest(demo_dir)
    assert digest(tmp_path / "other") != digest(demo_dir)


def test_every_model_is_planted_with_look_alikes(demo_dir: Path) -> None:
    rows = planted(demo_dir)
    fired = Counter(r["model"] for r in rows if r["grade"] != "none")
    assert set(fired) == MODELS
    assert fired["RELATIVE_BENEFIT"] == 5 and fired["SHELL_HOUSEHOLD"] == 3 and fired["INVALID_ID"] == 4
    lookalikes = Counter(r["model"] for r in rows if r["grade"] == "none")
    assert set(lookalikes) == MODELS - {"INVALID_ID"}
    grades = {(r["model"], r["grade"]) for r in rows}
    assert {("RELATIVE_BENEFIT", "red"), ("RELATIVE_BENEFIT", "orange"), ("RELATIVE_BENEFIT", "yellow")} <= grades
    for r in rows:
        if r["grade"] != "none":
            assert int(r["payments"]) > 0 and float(r["amount"]) > 0, r


def test_demo_load_balances_and_quarantines_only_the_dirty_rows(demo_loaded) -> None:
    _, report = demo_loaded
    assert report.ok
    payments = [f for f in report.files if f.kind == "payments" and f.file.endswith(".csv")]
    assert [f.rows_quarantined for f in payments] == [3, 3, 3]
    assert [f.duplicates for f in payments] == [3, 3, 3]
    encodings = {f.file: f.encoding for f in report.files}
    assert encodings["deaths.csv"] == "gb18030" and encodings["relatives.csv"] == "utf-8-sig"
    assert encodings["vehicles.xlsx"] == "xlsx"


def test_demo_graph_holds_the_planted_evidence(demo_loaded, demo_dir: Path) -> None:
    store, report = demo_loaded
    assert 25_000 < report.counts["Payment"] < 35_000
    assert 5_000 < report.counts["Person"] < 6_000
    rows = planted(demo_dir)
    # the invalid IDs planted stay on their payment rows, marked invalid; identity resolution
    # links each row to its owner (same name, household, one digit off or Excel's lost digits)
    for r in rows:
        if r["model"] == "INVALID_ID":
            assert store.query("person_by_id", pid=r["subject_id"], scope_town="", scope_village="").empty, r
            df = store.run(
                "MATCH (p:Person)-[:RECEIVED]->(pay:Payment) WHERE pay.id_number = $v "
                "RETURN p.name AS name, p.id_valid AS pv, pay.id_valid AS v, pay.resolved AS res",
                {"v": r["subject_id"]},
            )
            assert df.values.tolist() == [[r["subject_name"], True, False, True]], r
    # the declaration without ID number was matched by its unique name
    (name_case,) = [r for r in rows if "按姓名唯一匹配" in r["note"]]
    cadre, relative = name_case["subject_id"].split("|")
    df = store.run(
        "MATCH (c:Person)-[r:DECLARED_RELATIVE]->(p:Person) WHERE c.pid = $c RETURN p.pid AS pid, r.matched_by AS m", {"c": cadre}
    )
    assert [relative, "姓名唯一匹配"] in df.values.tolist()
    # planted payments arrive with their evidence amounts
    (dead,) = [r for r in rows if r["note"] == "死亡后继续领取高龄补贴"]
    paid = store.query("payments_by_person", pid=dead["subject_id"], scope_town="", scope_village="")
    assert len(paid) == 12 and paid["amount"].sum() == 1200.0  # 7 within the grace period + 5 after it


def test_fifteen_digit_and_full_width_household_ids_join_their_payments(demo_loaded) -> None:
    store, _ = demo_loaded
    df = store.run("MATCH (p:Person) WHERE p.id_valid = false AND p.id_problem <> '申报亲属未匹配到人员' RETURN count(p) AS c")
    # the 15-digit and full-width household IDs all normalised to valid people; the only
    # invalid IDs are the planted payment rows (3 checksums + 1 numeric cell), all linked
    assert df["c"].iloc[0] == 0
    df = store.run(
        "MATCH (pay:Payment) WHERE pay.id_valid = false "
        "RETURN count(pay) AS c, sum(CASE WHEN pay.resolved THEN 1 ELSE 0 END) AS r"
    )
    assert df.values.tolist() == [[4, 4]]


def test_the_scan_finds_every_planted_case_and_no_look_alike(demo_scan, demo_dir: Path) -> None:
    """The generator's planted list is the expected file: same model, grade, subject, name, amount, count."""
    from scan.warnings import warnings_frame

    got = warnings_frame(demo_scan.warnings)
    found = {(r.model, r.grade, r.subject_id): (r.subject_name, f"{r.amount:.2f}", r.payments) for r in got.itertuples()}
    expected = {
        (r["model"], r["grade"], r["subject_id"]): (r["subject_name"], r["amount"], int(r["payments"]))
        for r in planted(demo_dir)
        if r["grade"] != "none"
    }
    assert {k: found.get(k) for k in expected} == expected
    # anything else would be a look-alike (or normal data) firing
    assert set(found) - set(expected) == set()
