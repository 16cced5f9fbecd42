"""证据包: one ZIP per warning or selection of warnings, for case officers.

The ZIP holds
- ``报告.pdf``: the report in Chinese (embedded CJK font): a cover with the case
  summary, then per warning its reason, facts, relationship graph, evidence table,
  sources (file, SHA-256, lines), and the model's Cypher with the parameters used;
- ``证据.xlsx``: the warnings and every evidence row (every cell written as a string
  or a number, never as a formula; ID numbers as text);
- ``图谱/<预警编号>.html``: each warning's offline relationship map;
- ``查询结果/<预警编号>.csv``: the model query's rows behind each warning;
- ``manifest.json``: who built it, when, at what masking level, and the SHA-256 of
  every other file.

Reproducible: the same warnings and data give byte-identical files; only the
generation time (in the PDF and the manifest) differs between two builds. ZIP entries
carry a fixed date for that reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from graph.store import GraphStore
from scan.warnings import GRADE_LABELS, PAYMENT_COLUMNS
from workbench.egonet import EgoMap
from workbench.graphview import RING, STYLES, kind_label
from workbench.search import mask_account, mask_id, mask_text
from workbench.warnview import Detail, link_note, source_names, warning_detail, warning_map

#: CJK fonts from Debian packages, in order of preference: (file, face in the collection).
#: WenQuanYi Micro Hei (fonts-wqy-microhei, 1.6 MB) first: its TrueType outlines subset
#: in about a second, where Noto Sans CJK's CFF outlines took 15 s per PDF here.
CJK_FONTS: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
]
MASKED_FIELDS = ("reason", "subject_name", "subject_id")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed so that two builds of the same packet are equal
FONT = "cjk"


class FontMissing(RuntimeError):
    """No CJK font on this machine: the PDF cannot show Chinese."""


def cjk_font() -> tuple[str, int]:
    """(font file, face number in the collection): $WORKBENCH_CJK_FONT first, then fonts-noto-cjk."""
    given = os.environ.get("WORKBENCH_CJK_FONT")
    if given:
        if not Path(given).is_file():
            raise FontMissing(f"WORKBENCH_CJK_FONT 指向的字体文件不存在：{given}")
        return given, 0
    for path, face in CJK_FONTS:
        if Path(path).is_file():
            return path, face
    raise FontMissing(
        "找不到中文字体，无法生成 PDF：请以 root 运行 apt-get install fonts-wqy-microhei"
        "（make setup 会自动安装），或用环境变量 WORKBENCH_CJK_FONT 指定一个 .ttf/.otf 字体文件。"
    )


@dataclass
class Packet:
    """A built packet: the ZIP bytes, its manifest, and the name to download it as."""

    data: bytes
    manifest: dict
    filename: str


def build_packet(
    store: GraphStore,
    table: pd.DataFrame,
    evidence: pd.DataFrame,
    warning_ids: list[str],
    user: str,
    now: datetime,
    meta: dict | None = None,
    mask: bool = True,
    grades: dict[str, str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    account: dict[str, str] | None = None,
) -> Packet:
    """Build the evidence packet of ``warning_ids`` (in that order) as user ``user`` at time ``now``.

    ``account`` (username, role, jurisdiction of the signed-in exporter) goes into the manifest.
    """
    if not warning_ids:
        raise ValueError("请至少选择一条预警")
    font = cjk_font()  # before any work: a missing font is the user's first problem
    files = source_names(store)
    sources = store.query("source_files").set_index("fid")
    details: list[Detail] = []
    maps: list[EgoMap] = []
    out: dict[str, bytes] = {}
    total = len(warning_ids) + 2
    for i, wid in enumerate(warning_ids):
        if progress:
            progress(i, total, f"正在整理预警 {wid}")
        d = warning_detail(table, evidence, wid, meta)
        if mask:  # reasons and subjects may name an ID or account number (一卡多人 names the account)
            d.record = {k: mask_text(v) if k in MASKED_FIELDS else v for k, v in d.record.items()}
        ego, page = warning_map(store, d, grades, mask=mask)
        details.append(d)
        maps.append(ego)
        out[f"图谱/{wid}.html"] = page.encode("utf-8")
        out[f"查询结果/{wid}.csv"] = query_csv(d.evidence, mask)
    if progress:
        progress(len(warning_ids), total, "正在生成 Excel")
    out["证据.xlsx"] = evidence_xlsx(details, files, mask)
    if progress:
        progress(len(warning_ids) + 1, total, "正在生成 PDF 报告")
    out["报告.pdf"] = report_pdf(details, maps, files, sources, user, now, mask, font, store.uri)
    manifest = {
        "title": "惠民惠农资金监督 证据包",
        "generated_at": now.isoformat(timespec="seconds"),
        "generated_by": user,
        "account": account or {},
        "masking": "身份证号、账号部分隐藏" if mask else "未隐藏（完整身份证号与账号）",
        "store": store.uri,
        "scan_started": str((meta or {}).get("started", "")),
        "warnings": list(warning_ids),
        "files": [
            {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in sorted(out.items())
        ],
    }
    out["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(out):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, out[name])
    if progress:
        progress(total, total, "完成")
    stem = warning_ids[0] if len(warning_ids) == 1 else f"{len(warning_ids)}条预警"
    return Packet(buf.getvalue(), manifest, f"证据包_{stem}.zip")


# -- CSV ------------------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def query_rows(ev: pd.DataFrame, mask: bool) -> pd.DataFrame:
    """The model query's rows behind a warning: payment columns plus the model's own (from ``detail``)."""
    extra = [json.loads(d) if isinstance(d, str) and d else {} for d in ev["detail"]]
    keys = sorted({k for e in extra for k in e})
    rows = ev[["grade", *PAYMENT_COLUMNS]].copy()
    for k in keys:
        rows[k] = [e.get(k) for e in extra]
    if mask:
        for col in [c for c in rows.columns if c == "pid" or c.endswith("_pid")]:
            rows[col] = rows[col].map(lambda p: mask_id(p) if isinstance(p, str) else p)
        rows["account_number"] = rows["account_number"].map(mask_account)
        for col in rows.columns:  # the models' own columns (an account, a cadre's ID) too
            if pd.api.types.is_object_dtype(rows[col]) or pd.api.types.is_string_dtype(rows[col]):
                rows[col] = rows[col].map(lambda v: mask_text(v) if isinstance(v, str) else v)
    return rows


def query_csv(ev: pd.DataFrame, mask: bool) -> bytes:
    """``query_rows`` as UTF-8 CSV with BOM (opens in Excel), formula-looking text defused."""
    rows = query_rows(ev, mask)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(rows.columns)
    for r in rows.itertuples(index=False):
        w.writerow(["" if _missing(v) else defuse(_plain(v)) for v in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _plain(v: object) -> object:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, list | tuple):
        return json.dumps(list(v), ensure_ascii=False)
    return v


# -- XLSX -----------------------------------------------------------------------------------------
def evidence_xlsx(details: list[Detail], files: dict[int, str], mask: bool) -> bytes:
    """Sheets 预警 and 证据: every text cell written as a string (never a formula), numbers as numbers."""
    buf = io.BytesIO()
    # strings_to_formulas off: a name or address beginning with "=" stays text
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    wb.set_properties({"title": "证据包", "created": datetime(2000, 1, 1)})  # fixed: reproducible bytes
    bold = wb.add_format({"bold": True, "bg_color": "#dde4ee"})
    money = wb.add_format({"num_format": "#,##0.00"})
    head = ["预警编号", "模型", "等级", "分值", "对象", "乡镇", "村", "金额（元）", "笔数", "起始日期", "截止日期", "预警理由"]
    ws = wb.add_worksheet("预警")
    ws.write_row(0, 0, head, bold)
    for i, d in enumerate(details, start=1):
        r = d.record
        values = [
            r["warning_id"],
            d.model_title,
            GRADE_LABELS[r["grade"]],
            int(r["score"]),
            str(r["subject_name"]),
            str(r["town"]),
            str(r["village"]),
            float(r["amount"]),
            int(r["payments"]),
            str(r["first_date"]),
            str(r["last_date"]),
            str(r["reason"]),
        ]
        _write_row(ws, i, values, money)
    ws.set_column(0, 0, 30)
    ws.set_column(11, 11, 80)
    ev_head = ["预警编号", "发放编号", "身份证号", "姓名", "补贴项目", "金额（元）", "发放日期", "所属期间"]
    ev_head += ["乡镇", "村", "户号", "账号", "来源文件", "来源行", "身份关联"]
    es = wb.add_worksheet("证据")
    es.write_row(0, 0, ev_head, bold)
    row = 1
    for d in details:
        for e in d.evidence.itertuples():
            pid = e.pid if isinstance(e.pid, str) else ""
            values = [
                d.record["warning_id"],
                e.pay_id,
                mask_id(pid) if mask else pid,  # ID numbers as text: 18 digits lose precision as numbers
                e.name,
                e.program,
                float(e.amount),
                e.pay_date,
                e.period,
                e.town,
                e.village,
                e.household_id,
                mask_account(e.account_number) if mask else e.account_number,
                files.get(int(e.src_fid), "") if pd.notna(e.src_fid) else "",
                int(e.src_line) if pd.notna(e.src_line) else "",
                link_note(e.detail, mask),
            ]
            _write_row(es, row, values, money)
            row += 1
    es.set_column(0, 0, 30)
    es.set_column(2, 2, 22)
    es.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _write_row(ws, row: int, values: list, money) -> None:
    for col, v in enumerate(values):
        if _missing(v) or v == "":
            ws.write_blank(row, col, None)
        elif isinstance(v, bool) or not isinstance(v, int | float):
            ws.write_string(row, col, str(v))
        else:
            ws.write_number(row, col, v, money if isinstance(v, float) else None)


# -- PDF ------------------------------------------------------------------------------------------
class _Report(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(120)
        self.cell(0, 6, f"{self.footer_text}　第 {self.page_no()} 页", align="C")
        self.set_text_color(0)


def report_pdf(
    details: list[Detail],
    maps: list[EgoMap],
    files: dict[int, str],
    sources: pd.DataFrame,
    user: str,
    now: datetime,
    mask: bool,
    font: tuple[str, int],
    store_uri: str,
) -> bytes:
    """The packet's PDF report (A4, Chinese, font subset embedded)."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    pdf = _Report(f"惠民惠农资金监督证据包 · {user} · {stamp}")
    pdf.set_creation_date(now)
    pdf.set_title("惠民惠农资金监督 证据包")
    pdf.set_author(user)
    pdf.set_creator("惠民惠农资金监督 图分析工作台")
    pdf.add_font(FONT, "", font[0], collection_font_number=font[1])
    pdf.set_auto_page_break(True, margin=16)
    _cover(pdf, details, user, stamp, mask, store_uri)
    for d, ego in zip(details, maps, strict=True):
        _warning_pages(pdf, d, ego, files, sources, mask)
    return bytes(pdf.output())


def _h(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf.set_font(FONT, size=10)


def _p(pdf: FPDF, text: str, size: float = 10) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _cover(pdf: FPDF, details: list[Detail], user: str, stamp: str, mask: bool, store_uri: str) -> None:
    pdf.add_page()
    pdf.ln(20)
    _h(pdf, "惠民惠农资金监督", 22)
    _h(pdf, "证据包（案件线索材料）", 18)
    pdf.ln(6)
    amount = sum(float(d.record["amount"]) for d in details)
    payments = sum(int(d.record["payments"]) for d in details)
    grades = pd.Series([d.record["grade"] for d in details]).value_counts()
    rows = [
        ("预警数", f"{len(details)} 条（" + "，".join(f"{GRADE_LABELS[g]} {int(grades.get(g, 0))}" for g in RING) + "）"),
        ("涉及金额", f"{amount:,.2f} 元，{payments} 笔发放"),
        ("涉及模型", "、".join(dict.fromkeys(d.model_title for d in details))),
        ("涉及地区", "、".join(dict.fromkeys(f"{d.record['town']}{d.record['village']}" for d in details))),
        ("数据来源", store_uri),
        ("扫描时间", "、".join(dict.fromkeys(d.scanned for d in details if d.scanned)) or "未知"),
        ("生成时间", stamp),
        ("生成人", user),
        ("信息隐藏", "身份证号、账号部分隐藏" if mask else "未隐藏"),
    ]
    _table(pdf, ["项目", "内容"], rows, (35, 145))
    pdf.ln(4)
    _h(pdf, "预警清单", 13)
    _table(
        pdf,
        ["等级", "模型", "对象", "金额（元）", "预警编号"],
        [
            (g, d.model_title, str(d.record["subject_name"]), f"{float(d.record['amount']):,.2f}", d.record["warning_id"])
            for d in details
            for g in [GRADE_LABELS[d.record["grade"]]]
        ],
        (14, 40, 46, 28, 52),
    )


def _warning_pages(pdf: FPDF, d: Detail, ego: EgoMap, files: dict[int, str], sources: pd.DataFrame, mask: bool) -> None:
    r = d.record
    pdf.add_page()
    _h(pdf, f"【{GRADE_LABELS[r['grade']]}预警】{d.model_title}：{r['subject_name']}", 15)
    _p(pdf, f"预警理由：{r['reason']}", 11)
    facts = [
        ("预警编号", r["warning_id"]),
        ("分值", str(int(r["score"]))),
        ("金额", f"{float(r['amount']):,.2f} 元，{int(r['payments'])} 笔"),
        ("期间", f"{r['first_date']} 至 {r['last_date']}"),
        ("地点", f"{r['town']} {r['village']}"),
        ("涉及户", "、".join(d.households) or "无"),
    ]
    _table(pdf, ["项目", "内容"], facts, (35, 145))
    pdf.ln(3)
    _h(pdf, "关系图", 12)
    draw_graph(pdf, ego, height=95)
    _h(pdf, "证据（发放记录）", 12)
    ev_rows = [
        (
            str(e.pay_date),
            str(e.name or ""),
            mask_id(e.pid) if mask and isinstance(e.pid, str) else str(e.pid or ""),
            str(e.program or ""),
            f"{float(e.amount):,.2f}",
            str(e.village or ""),
            f"{files.get(int(e.src_fid), '')}:{int(e.src_line)}" if pd.notna(e.src_fid) else "",
        )
        for e in d.evidence.itertuples()
    ]
    head = ["发放日期", "姓名", "身份证号", "补贴项目", "金额", "村", "来源"]
    _table(pdf, head, ev_rows, (20, 16, 34, 34, 20, 22, 34), size=7.5)
    links = [(str(e.pay_id), link_note(e.detail, mask)) for e in d.evidence.itertuples()]
    links = [(p, n) for p, n in links if n]
    if links:  # payments counted for this person only through identity resolution
        _table(pdf, ["发放编号", "身份关联"], links, (30, 150), size=7)
    pdf.ln(3)
    _h(pdf, "数据来源", 12)
    src_rows = []
    for fid, group in d.evidence.dropna(subset=["src_fid"]).groupby("src_fid"):
        lines = sorted(int(x) for x in group["src_line"].dropna())
        sha = str(sources["sha256"].get(int(fid), "")) if int(fid) in sources.index else ""
        src_rows.append((files.get(int(fid), str(fid)), _ranges(lines), sha))
    _table(pdf, ["文件", "行号", "SHA-256"], src_rows, (40, 40, 100), size=7)
    pdf.ln(3)
    _h(pdf, "模型查询与参数", 12)
    given = json.dumps(d.params, ensure_ascii=False, sort_keys=True) if d.params else "无（本模型没有可调参数）"
    _p(pdf, "参数：" + given, 9)
    for name, text in d.queries:
        _p(pdf, f"queries/{name}.cypher", 9)
        pdf.set_fill_color(245, 245, 245)
        pdf.set_font(FONT, size=7)
        pdf.multi_cell(0, 3.6, text.rstrip(), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def _ranges(lines: list[int]) -> str:
    """[3, 4, 5, 9] → '3–5、9'."""
    out: list[str] = []
    start = prev = None
    for n in [*lines, None]:  # type: ignore[list-item]
        if start is not None and (n is None or n != prev + 1):
            out.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return "、".join(out)


def _table(pdf: FPDF, head: list[str], rows: list[tuple], widths: tuple, size: float = 9) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_fill_color(255)  # the Cypher blocks leave a grey fill behind
    # headings by fill, not bold: one regular CJK face is embedded, no bold one is needed
    heading = FontFace(emphasis="", fill_color=(221, 228, 238))
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", line_height=size * 0.5, headings_style=heading) as t:
        t.row(head)
        for r in rows:
            t.row([str(v) for v in r])


def draw_graph(pdf: FPDF, ego: EgoMap, height: float = 95) -> None:
    """The warning's map drawn as vectors: a seeded spring layout, so two builds draw the same picture."""
    import networkx as nx

    if pdf.get_y() + height > pdf.h - 20:
        pdf.add_page()
    x0, y0, w = pdf.l_margin, pdf.get_y(), pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_draw_color(200)
    pdf.rect(x0, y0, w, height)
    g = nx.Graph()
    g.add_nodes_from(n.id for n in ego.nodes)
    g.add_edges_from((e.source, e.target) for e in ego.edges)
    pos = nx.spring_layout(g, seed=7) if len(g) > 1 else {n: (0.0, 0.0) for n in g}
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    spanx, spany = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    pad = 12

    def at(nid: str) -> tuple[float, float]:
        px, py = pos[nid]
        return (
            x0 + pad + (px - min(xs)) / spanx * (w - 2 * pad),
            y0 + pad + (py - min(ys)) / spany * (height - 2 * pad),
        )

    pdf.set_draw_color(150)
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, size=5.5)
    for e in ego.edges:
        (ax, ay), (bx, by) = at(e.source), at(e.target)
        pdf.line(ax, ay, bx, by)
        pdf.set_text_color(110)
        pdf.text((ax + bx) / 2, (ay + by) / 2, e.label[:12])
    for n in ego.nodes:
        cx, cy = at(n.id)
        ring = RING.get(n.grade or "")
        if ring:
            pdf.set_fill_color(*_rgb(ring))
            _dot(pdf, cx, cy, 3.4)
        pdf.set_fill_color(*_rgb(STYLES.get(n.kind, STYLES["Group"])[0]))
        _dot(pdf, cx, cy, 2.2)
        pdf.set_text_color(0)
        pdf.set_font(FONT, size=6.5)
        pdf.text(cx + 3.6, cy + 1, n.label[:16])
    # legend: kinds shown, then the rings
    pdf.set_font(FONT, size=6.5)
    lx = x0 + 2
    for k in sorted({n.kind for n in ego.nodes} & STYLES.keys(), key=list(STYLES).index):
        pdf.set_fill_color(*_rgb(STYLES[k][0]))
        _dot(pdf, lx + 1.2, y0 + height - 3, 1.2)
        pdf.text(lx + 3, y0 + height - 2, kind_label(k))
        lx += 6 + pdf.get_string_width(kind_label(k))
    pdf.set_text_color(0)
    pdf.set_y(y0 + height + 3)


def _dot(pdf: FPDF, cx: float, cy: float, r: float) -> None:
    """A filled circle around (cx, cy) (fpdf2 places circles by their bounding box)."""
    pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="F")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def build_from_store(
    store: GraphStore,
    warning_ids: list[str],
    user: str,
    now: datetime | None = None,
    mask: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
    account: dict[str, str] | None = None,
) -> Packet:
    """The packet of stored warnings, read from the store's last scan (what the pages call).

    A user's view (``ScopedStore``) gives only the warnings and evidence of its jurisdiction;
    a warning outside it is refused (KeyError), whatever id the caller passes.
    """
    from workbench.egonet import grades_by_person
    from workbench.warnview import scan_meta, stored_warnings

    table, evidence = stored_warnings(store)  # read once: the grades come from the same tables
    when = now or datetime.now().astimezone().replace(microsecond=0)
    grades = grades_by_person(evidence, table)
    return build_packet(store, table, evidence, warning_ids, user, when, scan_meta(store), mask, grades, progress, account)
