"""Roles, jurisdictions and masking, tested deny-by-default (issue 5).

The cross dataset is the tiny one plus 吴十 (白水镇南村, paid 15,000 there) declared as a
relative of cadre 张三 (青山镇东村). Payments in 青山镇: F001 300 + F002 1,300 + F003 120
+ F004 100 + F008 500 = 2,320.00 元; in 白水镇: 800 + 300 + 15,000 = 16,100.00 元.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from queries import all_queries, load_query
from workbench.access import (
    SYSTEM_PREFIXES,
    UNSCOPED_QUERIES,
    AccessDenied,
    Jurisdiction,
    Role,
    ScopedStore,
    User,
    scoped_warnings,
)
from workbench.egonet import ego_map, node_id
from workbench.graphview import render_html
from workbench.warnview import stored_warnings

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ZHANG_SAN, WU_SHI, SUN_BA = "370123197005010116", "370123199001011719", "370123195009091313"
BAISHUI_NAMES = {"孙八", "周九", "郑一", "吴十"}
QINGSHAN = Jurisdiction("青山镇")


def user(*roles: Role, town: str = "", village: str = "", name: str = "u") -> User:
    return User(name, name, frozenset(roles), Jurisdiction(town, village))


# -- roles and pages ------------------------------------------------------------------------------
def test_each_role_gets_exactly_its_pages_and_masking() -> None:
    titles = {r: [p.title for p in user(r).pages()] for r in Role}
    assert titles[Role.INVESTIGATOR] == ["预警总览", "关系图谱", "资金统计"]
    assert titles[Role.CASE_OFFICER] == ["预警总览", "关系图谱", "资金统计", "证据包", "身份复核"]
    assert titles[Role.SUPERVISOR] == ["预警总览", "关系图谱", "资金统计", "证据包", "身份复核", "核查成效"]
    assert titles[Role.ADMIN] == ["账户管理", "图谱概况"]  # no case data
    assert [p.title for p in user(Role.ADMIN, Role.INVESTIGATOR).pages()][:3] == ["预警总览", "关系图谱", "资金统计"]
    assert user(Role.INVESTIGATOR).masked and user(Role.CASE_OFFICER).masked and not user(Role.SUPERVISOR).masked


def test_jurisdictions_parse_and_contain() -> None:
    assert Jurisdiction.parse("") == Jurisdiction.parse("全县") == Jurisdiction()
    v = Jurisdiction.parse("青山镇/东村")
    assert (v.town, v.village, v.level, v.label()) == ("青山镇", "东村", "village", "青山镇东村")
    assert v.contains("青山镇", "东村") and not v.contains("青山镇", "西村") and not v.contains("白水镇", "东村")
    assert not QINGSHAN.contains(None, None)  # a person placed nowhere is only in the county's view
    with pytest.raises(ValueError):
        Jurisdiction("", "东村")


# -- the query layer ------------------------------------------------------------------------------
def test_every_user_query_declares_the_jurisdiction() -> None:
    user_queries = [q for q in all_queries() if not q.startswith(SYSTEM_PREFIXES) and q not in UNSCOPED_QUERIES]
    assert len(user_queries) >= 9
    for name in user_queries:
        assert {"scope_town", "scope_village"} <= load_query(name).params, name


def test_a_user_view_refuses_raw_cypher_model_queries_and_a_callers_scope(cross_store) -> None:
    view = ScopedStore(cross_store, QINGSHAN)
    with pytest.raises(AccessDenied):
        view.run("MATCH (p:Person) RETURN p.name")
    with pytest.raises(AccessDenied):
        view.query("models/relative_benefit", limit=1)
    with pytest.raises(AccessDenied):
        view.query("person_by_id", pid=SUN_BA, scope_town="", scope_village="")
    with pytest.raises(AccessDenied):
        view.counts()


def _all_params(store) -> dict:
    """Parameters that ask every query for everything, 白水镇's people, households and accounts included."""
    everyone = list(store.run("MATCH (p:Person) RETURN p.pid AS pid")["pid"])
    return {
        "pid": SUN_BA,
        "hid": "H005",
        "account": "",
        "pids": everyone,
        "hids": list(store.run("MATCH (h:Household) RETURN h.hid AS hid")["hid"]),
        "accounts": list(store.run("MATCH (a:Account) RETURN a.number AS n")["n"]),
        "day_from": -1_000_000,
        "day_to": 1_000_000,
        "program": "",
        "town": "",
        "village": "",
        "year": 0,
        "limit": 1000,
    }


def test_a_town_user_gets_no_row_of_the_other_town_from_any_query(cross_store) -> None:
    params = _all_params(cross_store)
    baishui_pids = set(cross_store.run("MATCH (p:Person) WHERE p.town = '白水镇' RETURN p.pid AS pid")["pid"])
    assert WU_SHI in baishui_pids and SUN_BA in baishui_pids
    county, town = ScopedStore(cross_store, Jurisdiction()), ScopedStore(cross_store, QINGSHAN)
    leaked_in_county = 0
    keys = {
        "pid": params["pids"],
        "hid": params["hids"],
        "account": params["accounts"],
    }
    for name in [q for q in all_queries() if not q.startswith(SYSTEM_PREFIXES) and q not in UNSCOPED_QUERIES]:
        p = {k: v for k, v in params.items() if k in load_query(name).params}
        # a query of one key a call is asked for every key there is, 白水镇's included
        calls = [p]
        for key, values in keys.items():
            if key in p:
                calls = [{**c, key: v} for c in calls for v in values]
        rows = pd.concat([town.query(name, **c) for c in calls], ignore_index=True)
        text = rows.to_string()
        # a person of 白水镇 appears only as a bare, nameless link of someone in 青山镇
        for r in rows.to_dict("records"):
            shown = {str(v) for k, v in r.items() if k not in ("key", "pid") or r.get("visible", True)}
            assert not (shown & BAISHUI_NAMES), (name, r)
            assert "白水镇" not in shown and "南村" not in shown, (name, r)
            if r.get("visible") is False or r.get("visible") == False:  # noqa: E712
                assert r["name"] is None or pd.isna(r["name"]), (name, r)
        assert not any(n in text for n in BAISHUI_NAMES), name
        county_text = pd.concat([county.query(name, **c) for c in calls], ignore_index=True).to_string()
        leaked_in_county += sum(n in county_text for n in BAISHUI_NAMES)
    assert leaked_in_county > 0  # the same queries county-wide do return them: the filter is what hides them
    assert town.query("person_by_id", pid=SUN_BA).empty and len(county.query("person_by_id", pid=SUN_BA))
    assert town.query("payments_by_person", pid=WU_SHI).empty
    totals = town.query("funds/payment_totals")
    assert round(float(totals["amount"].sum()), 2) == 2320.00 and set(totals["town"]) == {"青山镇"}
    assert round(float(county.query("funds/payment_totals")["amount"].sum()), 2) == 18420.00


def test_a_relative_elsewhere_is_a_bare_node_on_the_map(cross_store) -> None:
    county = ego_map(ScopedStore(cross_store, Jurisdiction()), ZHANG_SAN, depth=1, mask=False)
    assert node_id("Person", WU_SHI) in county.node_ids()
    m = ego_map(ScopedStore(cross_store, QINGSHAN), ZHANG_SAN, depth=2, mask=False)
    outside = [n for n in m.nodes if n.kind == "Outside"]
    assert [n.label for n in outside] == ["辖区外人员"] and outside[0].id == "Outside:1"
    assert node_id("Person", WU_SHI) not in m.node_ids()
    assert any(e.target == "Outside:1" and "表弟" in e.label for e in m.edges)
    page = render_html(m.nodes, m.edges, title="t")
    assert "吴十" not in page and WU_SHI not in page and "15,000" not in page
    # a town user cannot centre a map on, nor walk a path to, someone outside
    with pytest.raises(KeyError):
        ego_map(ScopedStore(cross_store, QINGSHAN), WU_SHI)


def test_warnings_and_their_evidence_are_cut_to_the_jurisdiction(cross_store) -> None:
    every, every_ev = stored_warnings(cross_store)
    assert {"青山镇", "白水镇"} <= set(every["town"])
    table, ev = stored_warnings(ScopedStore(cross_store, QINGSHAN))
    assert len(table) and set(table["town"]) == {"青山镇"}
    assert len(table) == (every["town"] == "青山镇").sum()
    assert set(ev["town"]) <= {"青山镇"} and not (set(ev["name"]) & BAISHUI_NAMES)
    nan_town, _ = scoped_warnings(every, every_ev, Jurisdiction("没有这个镇"))
    assert nan_town.empty


def test_a_case_officers_packet_is_masked_and_records_the_exporter(cross_store) -> None:
    from workbench.packet import build_from_store

    officer = user(Role.CASE_OFFICER, town="青山镇", name="banan")
    view = ScopedStore(cross_store, officer.jurisdiction)
    table, _ = stored_warnings(view)
    ids = list(table["warning_id"])
    account = {"username": officer.username, "role": officer.role_label(), "jurisdiction": officer.jurisdiction.label()}
    packet = build_from_store(view, ids, "李办案", datetime(2026, 11, 22, 10, 0), mask=officer.masked, account=account)
    assert packet.manifest["account"] == {"username": "banan", "role": "办案人员", "jurisdiction": "青山镇"}
    assert packet.manifest["masking"].startswith("身份证号、账号部分隐藏")
    with zipfile.ZipFile(io.BytesIO(packet.data)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["报告.pdf"])).pages)
    with zipfile.ZipFile(io.BytesIO(files["证据.xlsx"])) as x:
        xlsx_text = "".join(x.read(n).decode("utf-8") for n in x.namelist() if n.endswith(".xml"))
    texts = [pdf_text, xlsx_text] + [files[n].decode("utf-8") for n in files if n.endswith((".csv", ".html", ".json"))]
    secrets = set(cross_store.run("MATCH (p:Person) WHERE p.id_valid RETURN p.pid AS pid")["pid"])
    secrets |= set(cross_store.run("MATCH (a:Account) RETURN a.number AS n")["n"])
    assert len(secrets) > 10
    for secret in secrets:
        assert not any(secret in t for t in texts), secret
    assert not any(n in t for t in texts for n in BAISHUI_NAMES)
    # a warning of the other town cannot be asked for by id
    other = stored_warnings(cross_store)[0]
    with pytest.raises(KeyError):
        build_from_store(view, [other[other["town"] == "白水镇"]["warning_id"].iloc[0]], "李办案", mask=True)


# -- pages ---------------------------------------------------------------------------------------
@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, cross_store):
    def make(who: User | None, timeout: float = 180) -> AppTest:
        monkeypatch.setenv("WORKBENCH_STORE", cross_store.uri)
        from workbench.state import get_store

        get_store.clear()
        at = AppTest.from_file(APP, default_timeout=timeout)
        if who is not None:
            at.session_state["user"] = who
        return at.run()

    return make


def page_text(at: AppTest) -> str:
    """Everything a page shows as text: titles, captions, metrics, tables, messages, choices."""
    parts: list[str] = []
    for kind in ("title", "subheader", "caption", "markdown", "text", "info", "warning", "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}{m.value}" for m in at.metric]
    parts += [d.value.to_string() for d in at.dataframe]
    for widget in (*at.selectbox, *at.multiselect):
        parts += [str(o) for o in widget.options]
    return "\n".join(parts)


def test_an_anonymous_session_sees_only_the_login(app) -> None:
    at = app(None)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.dataframe and not at.metric
    # no page but the login is registered: switching to another is refused outright
    with pytest.raises(ValueError, match=r"Known pages: \[[^,]*login\.py'\]"):
        at.switch_page("workbench/pages/packet.py")
    assert "证据包" not in page_text(at)


def test_an_investigator_can_neither_see_nor_switch_to_the_packet_page(app, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(user(Role.INVESTIGATOR, town="青山镇"))
    assert at.title[0].value == "预警总览"
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        at.switch_page("workbench/pages/packet.py")
    assert "graph_map.py" in str(refused.value) and "packet.py'" not in str(refused.value).split("Known pages")[1]
    assert not [b for b in at.button if "证据包" in b.label]
    # the page file run on its own still stops: the right is checked in the page too
    page = AppTest.from_file(str(Path(APP).parent / "workbench/pages/packet.py"), default_timeout=60)
    page.session_state["user"] = user(Role.INVESTIGATOR)
    page.run()
    assert "无权" in page.error[0].value and not page.multiselect


def test_a_town_user_sees_nothing_of_the_other_town_on_any_page(app) -> None:
    who = user(Role.SUPERVISOR, town="青山镇")
    at = app(who)
    seen = [page_text(at)]
    for page in ("graph_map", "funds", "packet", "stats"):
        at.switch_page(f"workbench/pages/{page}.py").run()
        assert not at.exception, page
        seen.append(page_text(at))
        if page == "graph_map":
            at.text_input[0].input("吴十").run()  # searching the other town's person finds nothing
            assert "没有找到" in at.warning[0].value
            at.text_input[0].input("张三").run()
            assert not at.exception
            seen.append(page_text(at))
        if page == "funds":
            assert at.metric[0].value == "2,320.00"
    text = "\n".join(seen)
    assert "青山镇" in text
    for name in (*BAISHUI_NAMES, "白水镇", "南村"):
        assert name not in text, name


def test_login_sign_out_and_idle_timeout_are_audited(app) -> None:
    from workbench import audit
    from workbench.accounts import add_user
    from workbench.db import engine

    add_user(engine(), "login_t", "测试员", frozenset({Role.INVESTIGATOR}), QINGSHAN, "correct horse")
    at = app(None)
    at.text_input[0].input("login_t")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert "用户名或密码错误" in at.error[0].value
    at.text_input[0].input("login_t")
    at.text_input[1].input("correct horse")
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "预警总览"
    assert "测试员（调查员）" in at.sidebar.caption[0].value and "青山镇" in at.sidebar.caption[0].value
    mine = [e["action"] for e in audit.select(user="login_t")]
    assert mine[:3] == ["login_failed", "login", "view_page"]
    # idle longer than the timeout: back to the login, with a note
    at.session_state["last_seen"] = 0.0
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "自动退出" in at.info[0].value
    assert audit.select(user="login_t")[-1]["action"] == "timeout"
