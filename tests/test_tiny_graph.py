"""The tiny hand-written dataset loads into exactly the graph written out in tiny_expected.yaml."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

from loaders.build import household_relation
from queries import all_queries, load_query

EXPECTED = yaml.safe_load((Path(__file__).parent / "fixtures" / "tiny_expected.yaml").read_text(encoding="utf-8"))


def rows(df: pd.DataFrame) -> list[list]:
    return [[None if (isinstance(v, float) and pd.isna(v)) else v for v in r] for r in df.itertuples(index=False, name=None)]


def test_every_file_balances_as_expected(tiny_loaded) -> None:
    _, report = tiny_loaded
    got = {f.file: [f.rows_read, f.rows_loaded, f.rows_quarantined, f.duplicates] for f in report.files}
    assert got == EXPECTED["report"]
    assert all(f.balanced for f in report.files) and report.ok


def test_counts_per_type(tiny_store) -> None:
    assert tiny_store.counts() == EXPECTED["counts"]


def test_declared_relatives_are_matched(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (c:Person)-[r:DECLARED_RELATIVE]->(p:Person) "
        "RETURN c.name AS cadre, r.relation AS rel, r.close AS close, p.name AS relative, r.matched_by AS m"
    )
    assert sorted(rows(df)) == sorted(EXPECTED["declared_relatives"])


def test_relatives_of_cadres_include_household_members(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (c:Person)-[r:RELATIVE_OF]->(p:Person) "
        "RETURN c.name AS cadre, p.name AS relative, r.basis AS basis, r.relation AS rel, r.close AS close"
    )
    assert sorted(rows(df)) == sorted(EXPECTED["relatives_of"])


@pytest.mark.parametrize(
    ("cadre", "other", "expected"),
    [
        ("户主", "配偶", ("配偶", True)),
        ("配偶", "户主", ("配偶", True)),
        ("配偶", "子", ("儿子", True)),
        ("女婿", "户主", ("父母", True)),
        ("户主", "母亲", ("母亲", True)),
        ("母亲", "户主", ("子女", True)),
        ("配偶", "母亲", ("同户成员", False)),  # mother of the head is not close to the head's spouse
        ("子", "女", ("同户成员", False)),  # siblings
        ("户主", "孙子", ("同户成员", False)),
    ],
)
def test_household_relation_pairs(cadre: str, other: str, expected: tuple[str, bool]) -> None:
    assert household_relation(cadre, other) == expected


def test_invalid_ids_are_kept_and_marked(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (p:Person) WHERE p.id_valid = false AND p.id_problem = '校验位错误' "
        "RETURN p.pid AS pid, p.id_problem AS problem ORDER BY pid"
    )
    assert rows(df) == EXPECTED["invalid_persons"]
    df = tiny_store.run(
        "MATCH (p:Person)-[:RECEIVED]->(pay:Payment) WHERE pay.id_valid = false "
        "RETURN pay.pay_id AS pay_id, pay.id_number AS idn, pay.id_problem AS problem, p.pid AS pid, pay.resolved AS r "
        "ORDER BY pay_id"
    )
    assert rows(df) == EXPECTED["invalid_payments"]


def test_households(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (h:Household) RETURN h.hid AS hid, h.vid AS vid, h.created_date AS d, h.split_from AS s, h.registered AS r "
        "ORDER BY hid"
    )
    assert rows(df) == EXPECTED["households"]


def test_payments(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (p:Payment) WHERE p.pay_id STARTS WITH 'F' RETURN p.pay_id AS id, p.amount AS a, p.pay_date AS d, "
        "p.period AS per, p.account_number AS acc, p.id_valid AS v ORDER BY id"
    )
    assert rows(df) == EXPECTED["payments"]


def test_payment_without_serial_gets_a_derived_id_and_excel_serial_date(tiny_store) -> None:
    df = tiny_store.run("MATCH (p:Payment) WHERE p.program = '特困供养' RETURN p.pay_id AS id, p.pay_date AS d, p.amount AS a")
    (pay_id, day, amount) = rows(df)[0]
    assert pay_id.startswith("R") and len(pay_id) == 21
    assert (day, amount) == ("2021-03-01", 800.0)


def test_programs(tiny_store) -> None:
    df = tiny_store.run(
        "MATCH (g:Program) RETURN g.name AS n, g.means_tested AS m, g.exclusive_group AS x, g.min_age AS a, g.listed AS l "
        "ORDER BY n"
    )
    got = [[n, m, x, None if a is None else int(a), lst] for n, m, x, a, lst in rows(df)]
    assert sorted(got) == sorted(EXPECTED["programs"])


def test_provenance_names_file_and_line(tiny_store) -> None:
    df = tiny_store.query("household_members", hid="H003", scope_town="", scope_village="")
    assert rows(df[["name", "source_file", "source_line"]]) == [["王五", "households.csv", 6], ["赵六", "households.csv", 7]]
    # a payment's edges lead back to its row through the payment (schema: provenance)
    df = tiny_store.run(
        "MATCH (p:Person)-[r:RECEIVED]->(x:Payment) MATCH (f:SourceFile) WHERE f.fid = x.src_fid AND x.pay_id = 'F009' "
        "RETURN f.name AS f, x.src_line AS line"
    )
    assert rows(df) == [["payments.csv", 12]]


def test_every_node_and_relationship_has_provenance(tiny_store) -> None:
    for name in tiny_store.schema.nodes:
        if name in ("SourceFile", "LoadBatch"):  # provenance itself: a file, a load
            continue
        n = tiny_store.run(f"MATCH (n:{name}) WHERE n.src_fid IS NULL OR n.src_line IS NULL RETURN count(n) AS c")
        assert n["c"].iloc[0] == 0, name
    for name, rel in tiny_store.schema.rels.items():
        # the edge's own source row, or that of the end node it comes from (a payment's edges)
        row = {"from": "a", "to": "b"}.get(rel.provenance, "r")
        n = tiny_store.run(
            f"MATCH (a:{rel.source})-[r:{name}]->(b:{rel.target}) "
            f"WHERE {row}.src_fid IS NULL OR {row}.src_line IS NULL RETURN count(r) AS c"
        )
        assert n["c"].iloc[0] == 0, name
    assert {n: r.provenance_end() for n, r in tiny_store.schema.rels.items() if r.provenance} == {
        "ADDED": "Payment",
        "RECEIVED": "Payment",
        "FOR_HOUSEHOLD": "Payment",
    }


def test_quarantine_report_is_written_beside_the_store(tiny_loaded) -> None:
    store, report = tiny_loaded
    path = Path(report.quarantine_path)
    assert path.parent == store.state_dir
    with path.open(encoding="utf-8-sig") as fh:
        got = [(r["文件"], int(r["行号"]), r["原因"]) for r in csv.DictReader(fh)]
    assert got == [
        ("households.csv", 11, "「立户日期」日期不存在: 2021-02-30"),
        ("payments.csv", 6, "「发放金额」金额无法识别: abc"),
        ("payments.csv", 7, "「发放金额」金额为负数: -50"),
        ("payments.csv", 8, "「发放日期」日期不存在: 2021-13-01"),
        ("payments.csv", 13, "缺少必填字段「身份证号」"),
    ]


def test_load_notes_name_unknown_cadre_and_unlisted_program(tiny_loaded) -> None:
    notes = tiny_loaded[1].notes
    assert any("某人(370123199999999999)" in n for n in notes)
    assert any("危房改造补助" in n for n in notes)
    # relatives counted by basis: 3 declarations of 张三 matched, his 2 household co-members
    assert "干部亲属关系：申报 3，户籍推断 2，分户关联 0（户籍推断、分户关联为未申报但按户籍认定的亲属）" in notes


def test_reload_of_the_same_folder_gives_the_same_graph(tiny_dir: Path, tiny_store) -> None:
    from loaders.load import load_dataset

    again = load_dataset(tiny_dir, tiny_store)  # the session's store, loaded once already
    # the same graph; the reload itself is recorded as one more load batch
    assert again.counts == {**EXPECTED["counts"], "LoadBatch": EXPECTED["counts"]["LoadBatch"] + 1}
    assert again.batch == 2
    assert all(n == 0 for n in again.inserted.values())
    # every payment row read again is a duplicate of one loaded, and the report balances
    pay = next(f for f in again.files if f.file == "payments.csv")
    assert pay.rows_loaded == 0 and pay.duplicates == pay.rows_read - pay.rows_quarantined


# A sample value for every parameter any stored query takes; a new parameter without
# one fails here (KeyError) rather than leaving its query unexecuted.
SAMPLE_PARAMS = {
    "pid": "370123199506010316",
    "hid": "H001",
    "pids": ["370123199506010316"],
    "hids": ["H001"],
    "accounts": ["6217000000000001"],
    "account": "6217000000000001",
    "since": 0,
    "bid": 1,
    "day_from": 0,
    "day_to": 100_000,
    "program": "",
    "town": "",
    "village": "",
    "year": 0,
    "limit": 100,
    "scope_town": "",
    "scope_village": "",
}


@pytest.mark.parametrize("name", [q for q in all_queries() if not q.startswith("models/")])
def test_stored_queries_run_on_ladybug(tiny_store, name: str) -> None:
    """The lookup queries; the model queries run on the golden store (tests/test_models.py)."""
    params = {p: SAMPLE_PARAMS[p] for p in load_query(name).params}
    df = tiny_store.query(name, **params)
    assert len(df) > 0


def test_models_on_the_tiny_dataset(tiny_store) -> None:
    """The dirty tiny files give exactly the warnings worked out by hand (quarantined rows give none)."""
    from scan.runner import run_scan
    from scan.warnings import warnings_frame

    w = warnings_frame(run_scan(tiny_store).warnings)
    got = sorted([r.model, r.grade, r.subject_id, r.subject_name, r.amount, r.payments] for r in w.itertuples())
    assert got == sorted(EXPECTED["warnings"])
