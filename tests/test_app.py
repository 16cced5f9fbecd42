"""The Streamlit app, driven headless with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):
    def make(store_uri: str) -> AppTest:
        monkeypatch.setenv("WORKBENCH_STORE", store_uri)
        from workbench.state import get_store

        get_store.clear()
        return AppTest.from_file(APP, default_timeout=60).run()

    return make


def test_overview_shows_counts_with_chinese_labels(app, tiny_loaded) -> None:
    store, report = tiny_loaded
    store.flush()
    at = app(store.uri)
    assert not at.exception
    assert at.title[0].value == "图谱概况"
    table = at.dataframe[0].value
    person = table[table["名称"] == "Person"].iloc[0]
    assert (person["中文"], int(person["数量"])) == ("人员", 16)
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
    at = app(store.uri)
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
