"""资金统计 on the tiny dataset, whose eight loaded payments are worked out by hand.

tests/fixtures/tiny/payments.csv loads F001 300 · F002 1,300 · F003 120 · 孙八's row
without a number (800, a generated id) · F009 300 (2021) and F004 100 · F008 500 (once,
the second is a duplicate) · F011 15,000 (2022); F005–F007 and F010 (no ID number) are
quarantined. 青山镇: 东村 F001–F003, 西村 F004, F008; 白水镇 南村: 孙八, F009, F011.
最低生活保障: F001, F002 (both 张小明), F009 (周九).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench.funds import FundFilters, by_level, drill_payments, filter_totals, payment_totals, summary, year_pivot
from workbench.warnview import source_names

PAGE = str(Path(__file__).resolve().parent.parent / "workbench/pages/funds.py")


@pytest.fixture(scope="module")
def totals(tiny_view):
    return payment_totals(tiny_view)


def test_years_add_up_the_hand_counted_payments(totals) -> None:
    years = by_level(totals, "year")
    assert [(int(r.year), int(r.payments), round(r.amount, 2)) for r in years.itertuples()] == [
        (2021, 5, 2820.0),
        (2022, 3, 15600.0),
    ]
    assert summary(totals)["payments"] == 8 and summary(totals)["amount"] == pytest.approx(18420.0)


def test_villages_are_named_with_their_town(totals) -> None:
    villages = by_level(totals, "village")
    got = {(r.town, r.village): (int(r.payments), round(r.amount, 2)) for r in villages.itertuples()}
    assert got == {("白水镇", "南村"): (3, 16100.0), ("青山镇", "东村"): (3, 1720.0), ("青山镇", "西村"): (2, 600.0)}
    assert list(villages["village"]) == ["南村", "东村", "西村"]  # largest amount first


def test_recipients_are_counted_once_across_groups(totals) -> None:
    dibao = filter_totals(totals, FundFilters(programs=["最低生活保障"]))
    s = summary(dibao)
    # 张小明 paid twice counts once
    assert (s["payments"], s["amount"], s["recipients"]) == (3, 1900.0, 2)
    by_year = by_level(dibao, "year")
    assert list(by_year["recipients"]) == [2]


def test_the_year_pivot_splits_amounts_by_year(totals) -> None:
    p = year_pivot(totals, "town")
    assert p.loc["青山镇", "2021年"] == pytest.approx(1720.0) and p.loc["白水镇", "2022年"] == pytest.approx(15000.0)


def test_drill_down_lists_the_cell_with_masked_ids_and_sources(tiny_view) -> None:
    rows = drill_payments(tiny_view, source_names(tiny_view), program="最低生活保障", year=2021)
    assert list(rows["发放编号"]) == ["F009", "F001", "F002"]  # by pay date
    assert list(rows["来源（文件:行）"]) == ["payments.csv:12", "payments.csv:2", "payments.csv:3"]
    assert "370123********0316" in set(rows["身份证号"]) and "370123199506010316" not in rows.to_string()
    assert list(rows["账号"].fillna("")) == ["", "************0001", "************0001"]
    assert len(drill_payments(tiny_view, {}, year=2022, limit=2)) == 2


def test_funds_page_filters_and_drills_down(monkeypatch: pytest.MonkeyPatch, tiny_store) -> None:
    tiny_store.flush()
    monkeypatch.setenv("WORKBENCH_STORE", tiny_store.uri)
    from workbench.state import get_store

    get_store.clear()
    from workbench.access import Role, User

    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["user"] = User("diaocha", "赵调查", frozenset({Role.INVESTIGATOR}))
    at.run()
    assert not at.exception and at.title[0].value == "资金统计"
    assert at.metric[0].value == "18,420.00"
    at.multiselect[0].set_value(["最低生活保障"]).run()  # 补贴项目
    assert [m.value for m in at.metric] == ["1,900.00", "3", "2"]
    # the drill-down follows the single program chosen above
    assert at.selectbox[0].value == "最低生活保障"
    detail = at.dataframe[-1].value
    assert sorted(detail["发放编号"]) == ["F001", "F002", "F009"]
    at.selectbox[2].set_value("南村").run()  # 村
    assert sorted(at.dataframe[-1].value["发放编号"]) == ["F009"]
