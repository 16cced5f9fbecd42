"""The evidence packet, built directly on the golden store's saved scan."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime

import pandas as pd
import pytest
from pypdf import PdfReader

from workbench.graphview import external_resources
from workbench.packet import FontMissing, build_packet, cjk_font, defuse, evidence_xlsx, query_csv
from workbench.search import mask_text
from workbench.warnview import Detail, load_table, scan_meta

NOW = datetime(2026, 11, 22, 9, 30, 0)
LATER = datetime(2026, 12, 1, 17, 5, 9)


@pytest.fixture(scope="module")
def stored(golden_store, golden_scan):
    return load_table(golden_store.state_dir)


@pytest.fixture(scope="module")
def chosen(stored) -> list[str]:
    table = stored[0]
    rb = table[(table["model"] == "RELATIVE_BENEFIT") & (table["grade"] == "red")]["warning_id"].iloc[0]
    shared = table[table["model"] == "SHARED_ACCOUNT"]["warning_id"].iloc[0]
    return [rb, shared]


def build(store, stored, ids, now, **kw):
    table, evidence = stored
    return build_packet(store, table, evidence, ids, "李办案", now, scan_meta(store), **kw)


@pytest.fixture(scope="module")
def packet(golden_view, stored, chosen):
    return build(golden_view, stored, chosen, NOW)


def files_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_file_is_there_and_the_manifest_hashes_match(packet, chosen) -> None:
    files = files_of(packet.data)
    expected = {"manifest.json", "报告.pdf", "证据.xlsx"}
    expected |= {f"图谱/{w}.html" for w in chosen} | {f"查询结果/{w}.csv" for w in chosen}
    assert set(files) == expected
    manifest = json.loads(files["manifest.json"])
    assert manifest == packet.manifest
    assert manifest["generated_by"] == "李办案" and manifest["generated_at"] == "2026-11-22T09:30:00"
    assert manifest["warnings"] == chosen and manifest["masking"] == "身份证号、账号部分隐藏"
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == expected - {"manifest.json"}
    for path, f in listed.items():
        assert f["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert f["bytes"] == len(files[path])


def test_the_pdf_says_the_reason_in_chinese_with_sources_and_cypher(packet, stored, chosen) -> None:
    pdf = PdfReader(io.BytesIO(files_of(packet.data)["报告.pdf"]))
    text = flat("".join(p.extract_text() for p in pdf.pages))
    table = stored[0].set_index("warning_id")
    for wid in chosen:
        assert flat(mask_text(table.loc[wid, "reason"])) in text  # as masked: 一卡多人 names the account
        assert wid in text
    assert "证据包" in text and "李办案" in text and "2026-11-2209:30:00" in text
    assert "payments.csv" in text  # sources: file and lines
    assert "queries/models/relative_benefit.cypher" in text and "MATCH" in text
    assert "shared_account_min_persons" in text  # the parameters used
    assert b"/FontFile2" in files_of(packet.data)["报告.pdf"]  # the CJK font is embedded


def test_masked_packets_never_hold_a_full_id_number(packet, stored, chosen) -> None:
    evidence = stored[1]
    full_ids = set(evidence[evidence["warning_id"].isin(chosen)]["pid"])
    accounts = set(evidence[evidence["warning_id"].isin(chosen)]["account_number"].dropna())
    assert full_ids and accounts
    files = files_of(packet.data)
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["报告.pdf"])).pages)
    with zipfile.ZipFile(io.BytesIO(files["证据.xlsx"])) as x:
        xlsx_text = "".join(x.read(n).decode("utf-8") for n in x.namelist() if n.endswith(".xml"))
    texts = [pdf_text, xlsx_text] + [files[n].decode("utf-8") for n in files if n.endswith((".csv", ".html"))]
    for secret in full_ids | accounts:
        assert not any(secret in t for t in texts), secret


def test_the_detail_view_masks_ids_and_accounts(stored, chosen) -> None:
    from workbench.warnview import evidence_view, warning_detail

    table, evidence = stored
    shared = warning_detail(table, evidence, chosen[1])  # 一卡多人: the rows name the shared account
    view = evidence_view(shared.evidence, {})
    accounts = set(shared.evidence["account_number"].dropna())
    assert accounts and not any(a in view.to_string() for a in accounts)
    assert all(a.startswith("*") and a[-4:].isdigit() for a in view["账号"])
    assert not any(p in view.to_string() for p in set(shared.evidence["pid"]))
    assert set(evidence_view(shared.evidence, {}, mask=False)["账号"]) == accounts


def test_graph_pages_load_nothing_from_a_network(packet) -> None:
    for name, data in files_of(packet.data).items():
        if name.endswith(".html"):
            assert external_resources(data.decode("utf-8")) == []


class ShuffledStore:
    """The store with every query's rows in another order: stores promise no order without ORDER BY."""

    def __init__(self, store, seed: int) -> None:
        self._store, self._seed = store, seed

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def query(self, name: str, /, **params):
        df = self._store.query(name, **params)
        return df.sample(frac=1, random_state=self._seed).reset_index(drop=True)


def test_same_warnings_and_data_give_the_same_bytes_but_for_the_time(golden_view, stored, chosen, packet) -> None:
    # the rows come back in another order (as a store under other load may return them)
    again = build(ShuffledStore(golden_view, seed=3), stored, chosen, NOW)
    if again.data != packet.data:
        a, b = files_of(again.data), files_of(packet.data)
        assert [n for n in a if a[n] != b[n]] == []
    assert again.data == packet.data  # same time too: the whole ZIP is byte-identical
    later = files_of(build(golden_view, stored, chosen, LATER).data)
    first = files_of(packet.data)
    for name in first:
        if name not in ("报告.pdf", "manifest.json"):
            assert later[name] == first[name], name
    m1, m2 = json.loads(first["manifest.json"]), json.loads(later["manifest.json"])
    assert m1.pop("generated_at") != m2.pop("generated_at")
    m1["files"] = [f for f in m1["files"] if f["path"] != "报告.pdf"]
    m2["files"] = [f for f in m2["files"] if f["path"] != "报告.pdf"]
    assert m1 == m2


def test_xlsx_keeps_ids_as_text_and_never_runs_a_formula_from_data() -> None:
    ev = pd.DataFrame(
        [
            {
                "warning_id": "W-1",
                "pay_id": "P1",
                "pid": "37012319500101001X",
                "name": '=HYPERLINK("http://x.invalid","点我")',
                "program": "+1+1",
                "amount": 100.0,
                "pay_date": "2021-03-10",
                "period": "2021-03",
                "town": "镇",
                "village": "村",
                "household_id": "H1",
                "account_number": "6217000000000001",
                "src_fid": 1,
                "src_line": 2,
                "grade": "red",
                "detail": "{}",
            }
        ]
    )
    record = {
        "warning_id": "W-1",
        "grade": "red",
        "score": 80,
        "subject_name": "@SUM(A1)",
        "town": "镇",
        "village": "村",
        "amount": 100.0,
        "payments": 1,
        "first_date": "2021-03-10",
        "last_date": "2021-03-10",
        "reason": "-理由",
    }
    d = Detail(record, ev, pd.DataFrame(columns=["pid", "name", "role"]), ["H1"], "模型", [])
    with zipfile.ZipFile(io.BytesIO(evidence_xlsx([d], {1: "payments.csv"}, mask=False))) as x:
        sheets = "".join(x.read(n).decode("utf-8") for n in x.namelist() if n.startswith("xl/worksheets/"))
        strings = x.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<f>" not in sheets  # no formula cell anywhere
    assert "37012319500101001X" in strings  # the ID number is a text cell, all 18 characters
    assert "=HYPERLINK" in strings and "@SUM(A1)" in strings
    csv_text = query_csv(ev, mask=False).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1+1" in csv_text
    assert defuse("张三") == "张三" and defuse(-5) == -5


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CJK_FONT", "/nonexistent/font.ttf")
    with pytest.raises(FontMissing, match="字体文件不存在"):
        cjk_font()
    monkeypatch.delenv("WORKBENCH_CJK_FONT")
    monkeypatch.setattr("workbench.packet.CJK_FONTS", [("/nonexistent/a.ttc", 0)])
    with pytest.raises(FontMissing, match="apt-get install fonts-wqy-microhei"):
        cjk_font()
