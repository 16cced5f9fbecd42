"""Logic of the 预警总览 page: the stored warnings as a filterable table, breakdowns, one warning's detail.

Everything here works on the tables ``workbench scan`` stored beside the graph
(``scan.runner.load_warnings``); the graph is read only for a warning's map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from graph.store import GraphStore
from queries import load_query
from scan.models import MODELS
from scan.runner import load_scan_meta, load_warnings
from scan.warnings import GRADE_LABELS, GRADE_RANK
from workbench.access import ScopedStore, scoped_warnings
from workbench.search import mask_account, mask_id, mask_text

MODEL_TITLES = {m.code: m.title for m in MODELS}
MODEL_ORDER = {m.code: m.number for m in MODELS}

#: Chinese headers of the warnings table (export column → label).
WARNING_LABELS = {
    "grade_label": "等级",
    "status": "状态",
    "score": "分值",
    "model_title": "模型",
    "subject_name": "对象",
    "town": "乡镇",
    "village": "村",
    "programs": "补贴项目",
    "amount": "金额（元）",
    "payments": "笔数",
    "first_date": "起始日期",
    "last_date": "截止日期",
    "reason": "预警理由",
    "warning_id": "预警编号",
}

#: Chinese headers of the evidence table.
EVIDENCE_LABELS = {
    "pay_id": "发放编号",
    "name": "姓名",
    "masked_id": "身份证号",
    "program": "补贴项目",
    "amount": "金额（元）",
    "pay_date": "发放日期",
    "period": "所属期间",
    "town": "乡镇",
    "village": "村",
    "household_id": "户号",
    "account_number": "账号",
    "source": "来源（文件:行）",
    "link": "身份关联",
}


def link_note(detail: object, mask: bool = True) -> str:
    """For an evidence payment counted through identity resolution: the row's own ID value, the
    link's score and its reasons ('' for a row with a valid ID number)."""
    extra = json.loads(detail) if isinstance(detail, str) and detail else {}
    score = extra.get("link_score")
    if score is None or (isinstance(score, float) and score != score):
        return ""
    raw = str(extra.get("row_id_number") or extra.get("id_number") or "")
    shown = mask_text(raw) if mask else raw
    return f"原身份证号{shown or '（空）'}无效，经身份解析关联（得分{float(score):.2f}：{extra.get('link_reasons') or ''}）"


@dataclass
class Filters:
    """What a supervisor narrows the warnings to; ``None`` or empty means no condition."""

    grades: list[str] | None = None
    models: list[str] | None = None
    towns: list[str] | None = None
    villages: list[str] | None = None
    programs: list[str] | None = None
    amount: tuple[float, float] | None = None
    dates: tuple[date, date] | None = None
    text: str = ""
    statuses: list[str] | None = None  #: case status (the table needs ``with_cases``)


def warning_table(warnings: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The warnings with the columns the page shows and filters on: Chinese grade and model, programs."""
    out = warnings.copy()
    out["grade_label"] = out["grade"].map(GRADE_LABELS)
    out["model_title"] = out["model"].map(MODEL_TITLES).fillna(out["model"])
    programs = (
        evidence.dropna(subset=["program"]).groupby("warning_id")["program"].agg(lambda s: "、".join(sorted(set(s))))
        if len(evidence)
        else pd.Series(dtype=str)
    )
    out["programs"] = out["warning_id"].map(programs).fillna("")
    return out


def load_table(state_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(warnings table, evidence) as stored by the last scan."""
    warnings, evidence = load_warnings(state_dir)
    return warning_table(warnings, evidence), evidence


def options(table: pd.DataFrame, column: str) -> list[str]:
    """The distinct non-empty values of a column, sorted (for a filter's choices)."""
    if column == "programs":
        values = {p for s in table["programs"] for p in str(s).split("、") if p}
    else:
        values = {str(v) for v in table[column].dropna() if str(v)}
    if column == "model":
        return sorted(values, key=lambda c: MODEL_ORDER.get(c, 99))
    if column == "grade":
        return sorted(values, key=lambda g: -GRADE_RANK.get(g, 0))
    return sorted(values)


def filter_warnings(table: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The warnings meeting every condition of ``f``, in the stored (most urgent first) order."""
    keep = pd.Series(True, index=table.index)
    for column, chosen in (("grade", f.grades), ("model", f.models), ("town", f.towns), ("village", f.villages)):
        if chosen:
            keep &= table[column].isin(chosen)
    if f.statuses:
        keep &= table["status"].isin(f.statuses)
    if f.programs:
        wanted = set(f.programs)
        keep &= table["programs"].map(lambda s: bool(wanted & set(str(s).split("、"))))
    if f.amount:
        keep &= table["amount"].between(f.amount[0], f.amount[1])
    if f.dates:
        lo, hi = f.dates[0].isoformat(), f.dates[1].isoformat()
        # a warning is in the range when its evidence period overlaps it
        keep &= (table["last_date"].astype(str) >= lo) & (table["first_date"].astype(str) <= hi)
    text = f.text.strip()
    if text:
        hay = table["subject_name"].astype(str) + " " + table["reason"].astype(str) + " " + table["warning_id"]
        keep &= hay.str.contains(text, regex=False)
    return table[keep]


def breakdown(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Count and amount per value of ``by`` (grade, model, town or village), largest amount first."""
    if table.empty:
        return pd.DataFrame(columns=[by, "count", "amount"])
    g = table.groupby(by, dropna=False).agg(count=("warning_id", "size"), amount=("amount", "sum")).reset_index()
    if by == "grade":
        g["_o"] = g["grade"].map(lambda x: -GRADE_RANK.get(x, 0))
        return g.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return g.sort_values(["amount", by], ascending=[False, True]).reset_index(drop=True)


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The warnings table with Chinese headers, in the page's column order."""
    return table[[c for c in WARNING_LABELS if c in table]].rename(columns=WARNING_LABELS)


def _looked_up(keys: pd.Series, values: pd.Series, default: str) -> pd.Series:
    """``values`` by ``keys``, ``default`` where there is none. As objects first: with no
    case yet the looked-up column is all missing and typed float, and pandas 4 will not
    fill a float column with text (it warns now)."""
    return keys.map(values).astype(object).fillna(default)


def with_cases(table: pd.DataFrame, cases: pd.DataFrame, mask: bool = True) -> pd.DataFrame:
    """The warnings with their case status (待核查 until a scan opens the case), the supervisor's
    grade where overridden, and (``mask``) ID and account numbers in reasons masked."""
    out = table.copy()
    by_id = cases.set_index("warning_id") if len(cases) else pd.DataFrame(columns=["status", "grade_override", "assignee"])
    out["status"] = _looked_up(out["warning_id"], by_id["status"], "待核查")
    out["assignee"] = _looked_up(out["warning_id"], by_id["assignee"], "")
    override = _looked_up(out["warning_id"], by_id["grade_override"], "")
    out["grade_label"] = [
        f"{GRADE_LABELS.get(o, o)}（原{g}）" if o else g for o, g in zip(override, out["grade_label"], strict=True)
    ]
    if mask:
        out["reason"] = out["reason"].map(mask_text)
        out["subject_id"] = out["subject_id"].map(mask_text)
    return out


@dataclass
class Detail:
    """One warning with everything its detail view and evidence packet show."""

    record: dict
    evidence: pd.DataFrame  #: evidence rows as stored (full values; masking is the caller's)
    people: pd.DataFrame  #: pid, name, role in the warning
    households: list[str]
    model_title: str
    queries: list[tuple[str, str]]  #: (query name, Cypher text): candidates step first
    params: dict[str, int] = field(default_factory=dict)
    scanned: str = ""


def warning_detail(table: pd.DataFrame, evidence: pd.DataFrame, wid: str, meta: dict | None = None) -> Detail:
    """The detail of warning ``wid`` (KeyError when it is not stored)."""
    rows = table[table["warning_id"] == wid]
    if rows.empty:
        raise KeyError(f"没有编号为 {wid} 的预警")
    record = rows.iloc[0].to_dict()
    ev = evidence[evidence["warning_id"] == wid].sort_values(["pay_date", "pay_id"], kind="stable").reset_index(drop=True)
    model = next(m for m in MODELS if m.code == record["model"])
    queries = [(q, load_query(q).text) for q in (model.candidates, model.query) if q]
    meta = meta or {}
    params = {k: v for k, v in (meta.get("params") or model.defaults).items() if k in model.defaults}
    return Detail(
        record,
        ev,
        involved_people(ev),
        sorted({str(h) for h in ev["household_id"].dropna() if str(h)}),
        model.title,
        queries,
        params or dict(model.defaults),
        str(meta.get("started", "")),
    )


def involved_people(ev: pd.DataFrame) -> pd.DataFrame:
    """Everyone a warning names: the paid people, and the cadres or others its rows link them to."""
    seen: dict[str, tuple[str, str]] = {}
    for r in ev.itertuples():
        if isinstance(r.pid, str) and r.pid:
            seen.setdefault(r.pid, (str(r.name or ""), "领取人"))
        extra = json.loads(r.detail) if isinstance(r.detail, str) and r.detail else {}
        for key, value in extra.items():
            if key.endswith("pid") and key != "pid" and isinstance(value, str) and value:
                name = extra.get(key[:-3] + "name") or ""
                role = "村干部" if key.startswith("cadre") else "关联人员"
                seen.setdefault(value, (str(name), role))
    return pd.DataFrame([(p, n, r) for p, (n, r) in seen.items()], columns=["pid", "name", "role"])


def evidence_view(ev: pd.DataFrame, files: dict[int, str], mask: bool = True) -> pd.DataFrame:
    """Evidence rows for display: Chinese headers, masked ID and account numbers, source as file:line."""
    out = shown_rows(ev, files, mask)
    return out[list(EVIDENCE_LABELS)].rename(columns=EVIDENCE_LABELS)


def shown_rows(rows: pd.DataFrame, files: dict[int, str], mask: bool = True) -> pd.DataFrame:
    """Payment rows as pages show them: ``masked_id`` added, ``account_number`` masked, ``source`` as file:line."""
    out = rows.copy()
    out["masked_id"] = out["pid"].map(lambda p: mask_id(p) if mask else p)
    out["account_number"] = out["account_number"].map(lambda a: mask_account(a) if mask else a)
    out["source"] = source_labels(out, files)
    out["link"] = [link_note(d, mask) for d in out["detail"]] if "detail" in out else ""
    return out


def source_labels(rows: pd.DataFrame, files: dict[int, str]) -> list[str]:
    """'file:line' of each row's provenance (``src_fid``, ``src_line``); '' where it is unknown."""
    return [
        f"{files.get(int(f), f'文件{f}')}:{int(line)}" if pd.notna(f) and pd.notna(line) else ""
        for f, line in zip(rows["src_fid"], rows["src_line"], strict=True)
    ]


def source_names(store: GraphStore) -> dict[int, str]:
    """SourceFile number → file name, for the evidence's provenance."""
    return file_names(store.query("source_files"))


def file_names(source_files: pd.DataFrame) -> dict[int, str]:
    """SourceFile number → file name, from the rows of the ``source_files`` query."""
    return {int(f): str(n) for f, n in zip(source_files["fid"], source_files["name"], strict=True)}


def scan_time(meta: dict) -> str:
    """When the scan started, in local time to the minute ('未知' when not recorded)."""
    started = meta.get("started")
    if not started:
        return "未知"
    try:
        return datetime.fromisoformat(str(started)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(started)


def stored_warnings(store: GraphStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(warnings table, evidence) of the store's last scan; of a user's view, those inside its jurisdiction."""
    table, evidence = load_table(store.state_dir)
    if isinstance(store, ScopedStore):
        return scoped_warnings(table, evidence, store.jurisdiction)
    return table, evidence


def scan_meta(store: GraphStore) -> dict:
    """``scan.json`` of the store's last scan (when, parameters, time per model)."""
    return load_scan_meta(store.state_dir)


def warning_map(store: GraphStore, detail: Detail, grades: dict[str, str] | None = None, mask: bool = True):
    """The map of a warning: everyone it names, with their direct links (depth 1), and its offline page."""
    from workbench.egonet import ego_map
    from workbench.graphview import render_html

    pids = list(detail.people["pid"])
    m = ego_map(store, pids, depth=1, cap=20, grades=grades, mask=mask)
    title = f"{detail.model_title}：{detail.record['subject_name']}"
    return m, render_html(m.nodes, m.edges, title=title, note=str(detail.record["reason"]))
