"""The relationship-map page: self-contained (nothing from a network) and no data as markup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench.graphview import MapEdge, MapNode, external_resources, render_html, safe_json

HOSTILE = '张三<script>alert("x")</script>&<img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def page() -> str:
    nodes = [
        MapNode(
            "Person:370123199506010316", "Cadre", HOSTILE, {"职务": "村委会主任", "身份证号": "370123********0316"}, grade="red"
        ),
        MapNode("P2", "Person", "李四", {"关系": "配偶</script>"}, grade="orange"),
        MapNode("A1", "Account", "6228 4800 <b>0001</b>"),
        MapNode("G1", "PaymentGroup", "最低生活保障 21笔 6,300.00元"),
    ]
    edges = [MapEdge("Person:370123199506010316", "P2", "配偶<br>"), MapEdge("P2", "A1", "使用账户"), MapEdge("P2", "G1", "领取")]
    return render_html(nodes, edges, title="关系图谱 <张三>", note="深度 2")


# the page numbers its nodes in map order (P1 is the map's first node, and so on)
P1, P2, A1 = 1, 2, 3


def _data(page: str, var: str) -> list[dict]:
    m = re.search(rf"var {var} = (\[.*?\]);\n", page)
    assert m, var
    return json.loads(m.group(1))


def test_page_loads_nothing_from_a_network(page: str) -> None:
    assert external_resources(page) == []
    assert "<link" not in page and not re.search(r"<script[^>]+src", page)  # assets are inlined, not linked
    assert "vis-network" in page and "new vis.Network(" in page  # the library itself is inlined


def test_the_offline_check_catches_remote_resources() -> None:
    bad = '<link href="https://cdn.example/x.css"><script src="//cdn.example/x.js"></script><style>@import "http://a/b.css";</style>'
    assert len(external_resources(bad)) == 3


def test_no_data_reaches_the_page_as_markup(page: str) -> None:
    # the data only ever appears JSON-escaped: no "<" of a value anywhere in the page
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>0001" not in page
    assert page.count("</script>") == 2  # the library and ours: no value closes a script element
    data = page.rsplit("<script>", 1)[1]
    assert "<" not in data.split("function tip", 1)[0]  # the embedded JSON holds no "<" at all
    nodes = _data(page, "nodes")
    p1 = next(n for n in nodes if n["id"] == P1)
    assert p1["label"] == HOSTILE  # canvas labels keep the text as it is
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in p1["title"]  # tooltips are escaped HTML
    assert "<script" not in p1["title"] and "<img" not in p1["title"]
    assert "&lt;/script&gt;" in next(n for n in nodes if n["id"] == P2)["title"]
    assert "&lt;张三&gt;" in page  # the title too


def test_map_keys_do_not_reach_the_page(page: str) -> None:
    # a person's map id carries the full ID number; only the masked one in the tooltip may show
    assert "370123199506010316" not in page and "370123********0316" in page


def test_kinds_have_their_own_style_and_grades_a_ring(page: str) -> None:
    nodes = {n["id"]: n for n in _data(page, "nodes")}
    assert nodes[P1]["shape"] == "star" and nodes[P2]["shape"] == "dot" and nodes[A1]["shape"] == "triangle"
    assert nodes[P1]["color"]["border"] == "#e60000" and nodes[P1]["borderWidth"] == 5
    assert nodes[P2]["color"]["border"] == "#ff8c00"
    assert nodes[A1]["borderWidth"] == 1
    assert "预警等级：红色" in nodes[P1]["title"]
    edges = _data(page, "edges")
    assert {(e["from"], e["to"], e["label"]) for e in edges} >= {(P1, P2, "配偶<br>"), (P2, A1, "使用账户")}
    assert "村干部" in page and "银行账户" in page  # the legend names the kinds in Chinese


def test_safe_json_round_trips() -> None:
    value = {"a": "</script><!-- & \u2028"}
    text = safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js 未安装（make test 会安装）")
def test_page_script_is_valid_javascript(page: str, tmp_path: Path) -> None:
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    (tmp_path / "page.js").write_text(script, encoding="utf-8")
    subprocess.run(["node", "--check", str(tmp_path / "page.js")], check=True)
