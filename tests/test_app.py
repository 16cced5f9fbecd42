"""The Streamlit app, driven headless with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench.access import Role, User

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SUPERVISOR = User("jiandu", "王监督", frozenset({Role.SUPERVISOR}))
INVESTIGATOR = User("diaocha", "赵调查", frozenset({Role.INVESTIGATOR}))
ADMIN = User("admin", "管理员", frozenset({Role.ADMIN}))


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):
    def make(store_uri: str, who: User = SUPERVISOR) -> AppTest:
        monkeypatch.setenv("WORKBENCH_STORE", store_uri)
        from workbench.state import get_store

        get_store.clear()
        at = AppTest.from_file(APP, default_timeout=180)  # a slow CI machine, cold caches
        at.session_state["user"] = who  # as the login page leaves it
        return at.run()

    return make


def test_overview_shows_counts_with_chinese_labels(app, tiny_loaded) -> None:
    store, report = tiny_loaded
    store.flush()
    at = app(store.uri, ADMIN)
    assert at.title[0].value == "账户管理"  # an administrator's start page
    at.switch_page("workbench/pages/overview.py").run()
    assert not at.exception
    assert at.title[0].value == "图谱概况"
    table = at.dataframe[0].value
    person = table[table["名称"] == "Person"].iloc[0]
    assert (person["中文"], int(person["数量"])) == ("人员", 15)
    assert int(at.metric[0].value.replace(",", "")) == sum(v for k, v in report.counts.items() if k in store.schema.nodes)
    files = at.dataframe[1].value
    assert sorted(files["文件"]) == sorted(f.file for f in report.files)


def test_before_the_first_load_the_page_says_what_to_do(app, tmp_path: Path) -> None:
    at = app(f"ladybug:{tmp_path / 'empty'}")
    assert not at.exception
    assert "workbench load" in at.info[0].value


def test_graph_page_finds_a_misspelled_name_and_draws_an_offline_map(app, tiny_loaded) -> None:
    store, _ = tiny_loaded
    store.flush()
    at = app(store.uri, INVESTIGATOR)
    at.switch_page("workbench/pages/graph_map.py").run()
    assert at.title[0].value == "关系图谱"
    at.text_input[0].input("张山").run()  # a homophone typo of 张三
    assert not at.exception
    found = at.dataframe[0].value
    assert found.iloc[0]["姓名"] == "张三" and found.iloc[0]["身份证号"] == "370123********0116"
    drawn = [c.value for c in at.caption if "个节点" in c.value]
    assert drawn and drawn[0].startswith("11 个节点")  # depth 2 on the tiny dataset
    at.slider[0].set_value(1).run()
    assert next(c.value for c in at.caption if "个节点" in c.value).startswith("6 个节点")
    # open 张四 in place: his household, account and payments join the map
    opener = next(s for s in at.selectbox if s.label == "在图中展开节点")
    assert "张四（人员）" in opener.options
    opener.set_value("Person:370123197308150511").run()
    next(b for b in at.button if b.label == "展开").click().run()
    assert next(c.value for c in at.caption if "个节点" in c.value).startswith("9 个节点")
    # the path from 张三 to a second person
    at.text_input(key="other").input("李梅").run()
    assert not at.exception
    assert "最短路径 1 跳" in at.success[0].value
    assert [t.value for t in at.text] == ["张三 —亲属（配偶）→ 李梅"]


def count_of(at: AppTest) -> int:
    """The first metric of the warnings page: '22 条' → 22."""
    return int(at.metric[0].value.split()[0])


def test_warnings_page_filters_and_shows_a_warnings_reason(app, golden_store, golden_warnings) -> None:
    golden_store.flush()
    at = app(golden_store.uri)
    assert not at.exception and at.title[0].value == "预警总览"
    assert count_of(at) == len(golden_warnings)
    red = golden_warnings[golden_warnings["grade"] == "red"]
    at.multiselect[0].set_value(["red"]).run()  # 等级
    assert count_of(at) == len(red)
    table = next(d.value for d in at.dataframe if "预警理由" in d.value.columns)
    assert set(table["等级"]) == {"红色"} and len(table) == len(red)
    at.text_input[0].input("赵大爷").run()  # text search within the red ones
    table = next(d.value for d in at.dataframe if "预警理由" in d.value.columns)
    assert list(table["对象"]) == ["赵大爷"]
    # the detail of the one left: reason, evidence with sources, the model's Cypher
    reason = golden_warnings.set_index("subject_name").loc["赵大爷", "reason"]
    assert any(reason in e.value for e in at.error)
    evidence = next(d.value for d in at.dataframe if "来源（文件:行）" in d.value.columns)
    assert list(evidence["发放日期"]) == ["2022-08-10", "2022-09-10"]
    assert all(src.startswith("payments.csv:") for src in evidence["来源（文件:行）"])
    assert any("MATCH" in c.value for c in at.code) and any("death_grace_days" in c.value for c in at.code)


def test_packet_page_builds_a_packet_for_the_chosen_warning(
    monkeypatch: pytest.MonkeyPatch, golden_store, golden_warnings
) -> None:
    golden_store.flush()
    monkeypatch.setenv("WORKBENCH_STORE", golden_store.uri)
    from workbench.state import get_store

    get_store.clear()
    # the page on its own: going through the app would first draw the start page's map
    at = AppTest.from_file(str(Path(APP).parent / "workbench/pages/packet.py"), default_timeout=180)
    wid = golden_warnings[golden_warnings["subject_name"] == "赵大爷"]["warning_id"].iloc[0]
    at.session_state["packet_ids"] = [wid]  # as the warnings page's button leaves it
    at.session_state["user"] = User("banan", "李办案", frozenset({Role.CASE_OFFICER}))
    at.run()
    assert not at.exception and at.title[0].value == "证据包"
    assert at.multiselect[0].value == [wid]
    assert "经办人：李办案（办案人员，全县）" in at.caption[0].value
    at.button[0].click().run(timeout=180)
    assert not at.exception
    assert at.success and "1 条预警" in at.success[0].value
    files = next(d.value for d in at.dataframe if "SHA-256" in d.value.columns)
    assert {"报告.pdf", "证据.xlsx", f"图谱/{wid}.html", f"查询结果/{wid}.csv"} == set(files["文件"])
