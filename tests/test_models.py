"""The 12 detection models on the golden fixture: every expected warning, nothing else.

``tests/fixtures/golden/`` is a small county written for the models: for each model
the cases that must fire (every grade) and the look-alikes that must not. The
expected warnings are in ``golden_expected.yaml``, worked out by hand from models.md.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, GOLDEN_DIR

from loaders.load import load_dataset
from queries import load_query
from scan.models import EVIDENCE_LINKS, MODELS, select
from scan.runner import load_warnings, run_scan, save_scan, summary
from scan.warnings import EXPORT_COLUMNS, GRADE_RANK, score, warning_id, warnings_frame, write_export

EXPECTED = yaml.safe_load((FIXTURES / "golden_expected.yaml").read_text(encoding="utf-8"))


def name_to_id() -> dict[str, str]:
    """Each person's ID number in the golden files (names are unique there)."""
    ids: dict[str, str] = {}
    for file, name_col, id_col in (("households.csv", "姓名", "身份证号"), ("payments.csv", "姓名", "身份证号")):
        with (GOLDEN_DIR / file).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                ids.setdefault(row[name_col], row[id_col])
    return ids


def subject_key(model: str, subject: str) -> str:
    """The export's subject_id for a subject written with names in the YAML."""
    ids = name_to_id()
    if model in {"SHARED_ACCOUNT", "SHELL_HOUSEHOLD", "HOUSEHOLD_SPLIT", "INVALID_ID"}:
        return subject
    parts = subject.split("|")
    if model in {"DUPLICATE_RECEIPT", "EXCLUSIVE_PROGRAMS"}:
        return f"{ids[parts[0]]}|{parts[1]}"
    return "|".join(ids[p] for p in parts)


def test_the_golden_fixture_loads_cleanly(golden_loaded) -> None:
    _, report = golden_loaded
    assert report.ok
    assert all(f.rows_quarantined == 0 and f.error is None for f in report.files)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.code)
def test_every_model_query_runs_on_ladybug_and_returns_evidence(golden_store, model) -> None:
    rows = model.rows(golden_store, model.defaults)
    assert len(rows) > 0
    assert {"pay_id", "pid", "amount", "pay_date", "src_fid", "src_line"} <= set(rows.columns)


def test_every_expected_warning_and_nothing_else(golden_warnings: pd.DataFrame) -> None:
    expected = {(m, g, subject_key(m, s), n, round(float(a), 2), int(p), t, v) for m, g, s, n, a, p, t, v in EXPECTED["warnings"]}
    got = {
        (r.model, r.grade, r.subject_id, r.subject_name, round(r.amount, 2), r.payments, r.town, r.village)
        for r in golden_warnings.itertuples()
    }
    assert got - expected == set(), "warnings that should not be there"
    assert expected - got == set(), "expected warnings not found"


def test_every_model_and_grade_is_exercised() -> None:
    models = {w[0] for w in EXPECTED["warnings"]}
    assert models == {m.code for m in MODELS}
    grades = {w[1] for w in EXPECTED["warnings"]}
    assert grades == {"red", "orange", "yellow"}
    assert {w[0] for w in EXPECTED["must_not_fire"]} >= models - {"INVALID_ID"}


@pytest.mark.parametrize(("model", "subject", "why"), EXPECTED["must_not_fire"])
def test_look_alikes_do_not_fire(golden_warnings: pd.DataFrame, model: str, subject: str, why: str) -> None:
    key = subject_key(model, subject)
    hit = golden_warnings[(golden_warnings["model"] == model) & (golden_warnings["subject_id"] == key)]
    assert hit.empty, why


def test_reasons_say_who_what_how_much(golden_warnings: pd.DataFrame) -> None:
    for r in golden_warnings.itertuples():
        assert f"{r.amount:,.2f}元" in r.reason, r.reason
        assert f"{r.payments}笔" in r.reason, r.reason
        for name in filter(None, str(r.subject_name).split("|")):
            assert name in r.reason, (name, r.reason)
    rb = golden_warnings.set_index("subject_name").loc["张建国|王秀英"]
    assert (
        rb["reason"]
        == "村党支部书记张建国（青山镇东村）的配偶王秀英在其任职期间于本村2021年3月至2021年4月领取最低生活保障2笔，共600.00元"
    )


def test_scores_rank_grade_first_then_amount_and_count(golden_warnings: pd.DataFrame) -> None:
    assert golden_warnings["score"].between(0, 100).all()
    ranks = golden_warnings["grade"].map(GRADE_RANK)
    # sorted by score, the grades never go up
    assert list(ranks) == sorted(ranks, reverse=True)
    assert score("yellow", 10_000_000, 1000) < score("orange", 0, 1) < score("orange", 500, 1) < score("orange", 500, 5)
    assert score("orange", 10_000_000, 1000) < score("red", 1, 1)


def test_warning_ids_come_from_model_and_subject_only(golden_warnings: pd.DataFrame) -> None:
    for r in golden_warnings.itertuples():
        assert r.warning_id == warning_id(r.model, r.subject_id)
    assert golden_warnings["warning_id"].is_unique
    assert warning_id("SHELL_HOUSEHOLD", "H15") == warning_id("SHELL_HOUSEHOLD", "H15")
    assert warning_id("SHELL_HOUSEHOLD", "H15") != warning_id("HOUSEHOLD_SPLIT", "H15")


def test_a_rescan_after_reloading_the_same_files_keeps_every_id(golden_store, golden_warnings: pd.DataFrame) -> None:
    # golden_warnings was scanned from the first load of this session's store
    report = load_dataset(GOLDEN_DIR, golden_store)  # reload into the same store: idempotent
    assert all(n == 0 for n in report.inserted.values())
    again = warnings_frame(run_scan(golden_store).warnings)
    pd.testing.assert_frame_equal(again, golden_warnings)


def test_evidence_rows_point_at_their_source_lines(golden_store, tmp_path: Path) -> None:
    result = run_scan(golden_store, ["DECEASED_RECIPIENT"])
    (w,) = [w for w in result.warnings if w.subject_name == "赵大爷"]
    assert list(w.evidence["pay_date"]) == ["2022-08-10", "2022-09-10"]  # 07-20 is within the 30 days
    files = golden_store.run("MATCH (f:SourceFile) RETURN f.fid AS fid, f.name AS name").set_index("fid")["name"]
    assert {files[f] for f in w.evidence["src_fid"]} == {"payments.csv"}
    # line numbers are the CSV's own (header = line 1)
    lines = (GOLDEN_DIR / "payments.csv").read_text(encoding="utf-8").splitlines()
    for pay_id, line in zip(w.evidence["pay_id"], w.evidence["src_line"], strict=True):
        assert lines[int(line) - 1].startswith(pay_id + ",")


def test_parameters_change_what_fires(golden_store) -> None:
    found = {w.subject_name: w for w in run_scan(golden_store, ["DECEASED_RECIPIENT"], {"death_grace_days": 0}).warnings}
    assert found["赵大爷"].payments == 3 and found["赵大爷"].amount == 300.0
    assert "老钟" in found  # paid 26 days after death: fires once no grace is given
    accounts = run_scan(golden_store, ["SHARED_ACCOUNT"], {"shared_account_min_persons": 4}).warnings
    assert accounts == []
    # H25 was paid 39 days after its split, H22 40 days: "within" is inclusive
    split = run_scan(golden_store, ["HOUSEHOLD_SPLIT"], {"split_window_days": 39}).warnings
    assert [w.subject_id for w in split] == ["H25"]


def test_unknown_models_and_parameters_are_refused(golden_store) -> None:
    with pytest.raises(ValueError, match="未知的模型代码"):
        run_scan(golden_store, ["NOPE"])
    with pytest.raises(ValueError, match="未知的模型参数"):
        run_scan(golden_store, ["DECEASED_RECIPIENT"], {"grace": 1})
    assert [m.code for m in select(["INVALID_ID", "RELATIVE_BENEFIT"])] == ["RELATIVE_BENEFIT", "INVALID_ID"]


def test_saved_scan_and_the_export_follow_the_spec(golden_store, golden_scan, tmp_path: Path) -> None:
    stored, evidence = save_scan(golden_scan, tmp_path)
    assert len(stored) == len(EXPECTED["warnings"])
    assert set(evidence["warning_id"]) == set(stored["warning_id"])
    assert evidence.groupby("warning_id").size().to_dict() == stored.set_index("warning_id")["payments"].to_dict()
    meta = json.loads((tmp_path / "warnings" / "scan.json").read_text(encoding="utf-8"))
    assert meta["params"] == {"death_grace_days": 30, "shared_account_min_persons": 3, "split_window_days": 365}
    assert len(meta["runs"]) == 12

    out = tmp_path / "warnings.csv"
    write_export(stored, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == EXPORT_COLUMNS
    by_name = {r[5]: r for r in rows[1:]}
    assert by_name["陈某"][8] == "600.00" and by_name["陈某"][10:12] == ["2021-03-10", "2021-03-20"]

    # a partial re-scan replaces only its own models' warnings
    stored2, _ = save_scan(run_scan(golden_store, ["SHARED_ACCOUNT"], {"shared_account_min_persons": 4}), tmp_path)
    assert "SHARED_ACCOUNT" not in set(stored2["model"])
    assert len(stored2) == len(stored) - 2
    assert load_warnings(tmp_path)[0]["warning_id"].tolist() == stored2["warning_id"].tolist()


def test_summary_counts_and_sums_per_model_and_grade(golden_warnings: pd.DataFrame) -> None:
    s = summary(golden_warnings).set_index(["model", "grade"])
    assert s.loc[("RELATIVE_BENEFIT", "red"), "count"] == 3  # 王秀英 600, 张丽 1000, 李桂兰 300 (a linked row)
    assert s.loc[("RELATIVE_BENEFIT", "red"), "amount"] == 1900.0
    assert s.loc[("SHELL_HOUSEHOLD", "orange"), "count"] == 1
    assert int(s["count"].sum()) == len(EXPECTED["warnings"])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.code)
def test_model_defaults_are_exactly_its_query_parameters(model) -> None:
    """A parameter the queries take has a models.md default here, and no default goes unused."""
    assert set(model.defaults) == model.parameters()
    # an incremental model's since_query takes the batch to start from; no full query does
    for q in (model.since_query, model.since_candidates, model.since_summary):
        if q:
            assert "since" in load_query(q).params
    ways = [q for q in (model.since_query, model.since_candidates, model.since_summary) if q]
    assert model.incremental == bool(ways)
    assert len(ways) <= 1  # one way to scan a model incrementally
    with pytest.raises(ValueError, match="subject_key"):  # a subject's rows need the column that names it
        dataclasses.replace(
            model, since_candidates="models/shared_account_since_candidates", subject_key=None, summary=None, since_summary=None
        )
    with pytest.raises(ValueError, match="since_summary"):  # a kept summary is only of use with its since query
        dataclasses.replace(model, summary="models/duplicate_receipt_summary", since_summary=None, subject_key="pid")
    for q in (model.query, model.candidates, model.summary):
        assert q is None or "since" not in load_query(q).params
    if model.summary:  # the summary's subject first, then its keys, then the two values
        cols = load_query(model.summary).text.split("RETURN")[-1]
        assert cols.strip().startswith(f"x.{model.subject_key} AS {model.subject_key},")
        assert cols.strip().endswith("AS first, max(x.program) AS last") or cols.strip().endswith("AS first, max(x.vid) AS last")


def test_every_model_query_file_belongs_to_a_model() -> None:
    from queries import all_queries

    used = {
        q for m in MODELS for q in (m.query, m.candidates, m.since_query, m.since_candidates, m.summary, m.since_summary) if q
    }
    used |= {EVIDENCE_LINKS}
    assert {q for q in all_queries() if q.startswith("models/")} == used
