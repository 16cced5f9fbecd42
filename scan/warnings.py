"""Warnings: what a model's rows become, how they are scored, stored and exported.

A warning is one subject of one model (models.md): its evidence payments, a grade,
a 0–100 score and a Chinese reason. Its id is derived from the model code and the
subject only, so a re-scan after a reload gives the same id and case work stays
attached to it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

GRADES = ("red", "orange", "yellow")
GRADE_RANK = {"red": 3, "orange": 2, "yellow": 1}
GRADE_LABELS = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
GRADE_BASE = {"red": 70, "orange": 40, "yellow": 10}

#: The warnings export, column for column as models.md lists it.
EXPORT_COLUMNS = [
    "warning_id",
    "model",
    "grade",
    "score",
    "subject_id",
    "subject_name",
    "town",
    "village",
    "amount",
    "payments",
    "first_date",
    "last_date",
    "reason",
]

#: Columns every model query returns for each evidence payment.
PAYMENT_COLUMNS = [
    "pay_id",
    "pid",
    "name",
    "program",
    "amount",
    "pay_date",
    "period",
    "town",
    "village",
    "household_id",
    "account_number",
    "src_fid",
    "src_line",
]


def warning_id(model: str, subject_id: str) -> str:
    """Stable id from the model code and the subject key (never from row order or time)."""
    digest = hashlib.sha256(f"{model}|{subject_id}".encode()).hexdigest()[:16]
    return f"{model}-{digest}"


def score(grade: str, amount: float, payments: int) -> int:
    """0–100: the grade decides the band, amount and evidence count the place in it.

    red 70–99, orange 40–69, yellow 10–39, so a higher grade always scores higher.
    Amount adds up to 19 points on a log scale (1 yuan … 1,000,000 yuan), the number
    of payments up to 10 (1 … 99 payments).
    """
    by_amount = min(19.0, 19.0 * math.log10(1.0 + max(amount, 0.0)) / 6.0)
    by_count = min(10.0, 10.0 * math.log10(1.0 + max(payments, 0)) / 2.0)
    return int(GRADE_BASE[grade] + round(by_amount + by_count))


def yuan(amount: float) -> str:
    """1234.5 → '1,234.50'."""
    return f"{amount:,.2f}"


def month_span(first: str, last: str) -> str:
    """'2021-03-05', '2022-12-10' → '2021年3月至2022年12月' (one month: '2021年3月')."""

    def ym(iso: str) -> str:
        return f"{int(iso[:4])}年{int(iso[5:7])}月"

    a, b = ym(first), ym(last)
    return a if a == b else f"{a}至{b}"


def join_names(values: Iterable[object], limit: int = 4) -> str:
    """Distinct non-empty values in first-seen order, joined with 、 (at most ``limit``, then 等)."""
    seen: list[str] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        s = str(v)
        if s and s not in seen:
            seen.append(s)
    return "、".join(seen[:limit]) + ("等" if len(seen) > limit else "")


@dataclass
class Warning:
    """One graded warning with its evidence rows."""

    model: str
    grade: str
    subject_id: str
    subject_name: str
    town: str
    village: str
    reason: str
    evidence: pd.DataFrame = field(repr=False)

    @property
    def warning_id(self) -> str:
        return warning_id(self.model, self.subject_id)

    @property
    def amount(self) -> float:
        return round(float(self.evidence["amount"].sum()), 2)

    @property
    def payments(self) -> int:
        return len(self.evidence)

    @property
    def score(self) -> int:
        return score(self.grade, self.amount, self.payments)

    def record(self) -> dict[str, object]:
        """The export row (models.md column order)."""
        dates = self.evidence["pay_date"].dropna()
        return {
            "warning_id": self.warning_id,
            "model": self.model,
            "grade": self.grade,
            "score": self.score,
            "subject_id": self.subject_id,
            "subject_name": self.subject_name,
            "town": self.town,
            "village": self.village,
            "amount": self.amount,
            "payments": self.payments,
            "first_date": dates.min() if len(dates) else "",
            "last_date": dates.max() if len(dates) else "",
            "reason": self.reason,
        }


def sort_warnings(df: pd.DataFrame) -> pd.DataFrame:
    """Most urgent first (score, then amount), the id breaking ties so the order is stable."""
    return df.sort_values(["score", "amount", "warning_id"], ascending=[False, False, True], kind="stable").reset_index(drop=True)


def warnings_frame(warnings: list[Warning]) -> pd.DataFrame:
    """Warnings as a table, most urgent first."""
    return sort_warnings(pd.DataFrame([w.record() for w in warnings], columns=EXPORT_COLUMNS))


def evidence_frame(warnings: list[Warning]) -> pd.DataFrame:
    """Every warning's evidence rows, keyed by warning id; model-specific columns go to ``detail`` (JSON)."""
    frames = []
    for w in warnings:
        ev = w.evidence
        extra = [c for c in ev.columns if c not in PAYMENT_COLUMNS and c != "grade"]
        detail = [json.dumps(_plain(r), ensure_ascii=False, sort_keys=True) for r in ev[extra].to_dict("records")]
        frames.append(
            ev.reindex(columns=PAYMENT_COLUMNS).assign(
                warning_id=w.warning_id, model=w.model, grade=ev.get("grade", w.grade), detail=detail
            )
        )
    cols = ["warning_id", "model", "grade", *PAYMENT_COLUMNS, "detail"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    out["src_fid"] = out["src_fid"].astype("Int64")
    out["src_line"] = out["src_line"].astype("Int64")
    return out


def _plain(row: dict) -> dict:
    """JSON-safe values (numpy scalars, arrays from collect(), NaN as null)."""
    out = {}
    for k, v in row.items():
        if hasattr(v, "tolist"):
            v = v.tolist()
        if isinstance(v, float) and math.isnan(v):
            v = None
        out[k] = v
    return out


def write_export(warnings: pd.DataFrame, path: Path) -> None:
    """The warnings CSV of models.md: UTF-8 with BOM, amounts with two decimals."""
    df = warnings.reindex(columns=EXPORT_COLUMNS).copy()
    df["amount"] = df["amount"].map(lambda a: f"{a:.2f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
