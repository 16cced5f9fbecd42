"""Logic of the 资金统计 page: payments by program, town, village and year; drill down to the payments.

The totals come from one query (``funds/payment_totals``) at the grain of program ×
town × village × year × recipient, so that every coarser table here is a pandas
group-by of it and counts distinct recipients correctly. The drill-down reads the
payments themselves (``funds/payments``), at most ``limit`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from graph.store import GraphStore
from workbench.warnview import shown_rows

#: The levels a user groups by, with their Chinese names (village is always shown with its town).
LEVELS = {"program": "补贴项目", "town": "乡镇", "village": "村", "year": "年度"}

#: Chinese headers of the drill-down table.
PAYMENT_LABELS = {
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
}


@dataclass
class FundFilters:
    """The programs, towns, villages and years to keep; empty means all."""

    programs: list[str] | None = None
    towns: list[str] | None = None
    villages: list[str] | None = None
    years: list[int] | None = None


def payment_totals(store: GraphStore) -> pd.DataFrame:
    """Payments and amount per program, town, village, year and recipient (``year`` 0 when the date was unknown)."""
    df = store.query("funds/payment_totals")
    for col in ("program", "town", "village", "pid"):
        df[col] = df[col].fillna("").astype(str)
    df["year"] = pd.to_numeric(df["year"], errors="coerce").fillna(0).astype(int)
    df["payments"] = df["payments"].astype(int)
    df["amount"] = df["amount"].astype(float)
    return df


def filter_totals(totals: pd.DataFrame, f: FundFilters) -> pd.DataFrame:
    """The rows of ``totals`` meeting every condition of ``f``."""
    keep = pd.Series(True, index=totals.index)
    for col, chosen in (("program", f.programs), ("town", f.towns), ("village", f.villages), ("year", f.years)):
        if chosen:
            keep &= totals[col].isin(chosen)
    return totals[keep]


def summary(totals: pd.DataFrame) -> dict[str, float]:
    """Payments, amount and distinct recipients of (filtered) totals."""
    recipients = totals.loc[totals["pid"] != "", "pid"].nunique()
    return {"payments": int(totals["payments"].sum()), "amount": float(totals["amount"].sum()), "recipients": recipients}


def group_columns(by: str) -> list[str]:
    """The columns a level groups by: a village is named with its town (names repeat across towns)."""
    if by not in LEVELS:
        raise ValueError(f"未知的统计口径: {by}")
    return ["town", "village"] if by == "village" else [by]


def by_level(totals: pd.DataFrame, by: str) -> pd.DataFrame:
    """Payments, distinct recipients and amount per value of ``by``; years in order, others largest amount first."""
    cols = group_columns(by)
    if totals.empty:
        return pd.DataFrame(columns=[*cols, "payments", "recipients", "amount"])
    g = (
        totals.groupby(cols, dropna=False)
        .agg(
            payments=("payments", "sum"),
            recipients=("pid", lambda s: s[s != ""].nunique()),
            amount=("amount", "sum"),
        )
        .reset_index()
    )
    if by == "year":
        return g.sort_values("year").reset_index(drop=True)
    return g.sort_values(["amount", *cols], ascending=[False] + [True] * len(cols)).reset_index(drop=True)


def year_pivot(totals: pd.DataFrame, by: str) -> pd.DataFrame:
    """Amount per value of ``by`` (rows, largest total first) and year (columns), for the stacked chart."""
    if totals.empty:
        return pd.DataFrame()
    label = totals["town"] + totals["village"] if by == "village" else totals[by].astype(str)
    p = totals.assign(_row=label).pivot_table(index="_row", columns="year", values="amount", aggfunc="sum", fill_value=0)
    p = p.loc[p.sum(axis=1).sort_values(ascending=False, kind="stable").index]  # largest total first
    p.index.name = LEVELS[by]
    p.columns = [year_name(y) for y in p.columns]
    return p


def year_name(year: int) -> str:
    """A year as the page shows it (年度 0 is a payment without a readable date)."""
    return f"{int(year)}年" if year else "日期不详"


def shown_level(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """A ``by_level`` table with Chinese headers."""
    out = table.copy()
    if by == "year":
        out["year"] = out["year"].map(year_name)
    labels = {**{c: LEVELS[c] for c in group_columns(by)}, "payments": "笔数", "recipients": "人数", "amount": "金额（元）"}
    return out.rename(columns=labels)


def drill_payments(
    store: GraphStore,
    files: dict[int, str],
    program: str = "",
    town: str = "",
    village: str = "",
    year: int = 0,
    limit: int = 1000,
    mask: bool = True,
) -> pd.DataFrame:
    """The payments of one cell ('' / 0 = any), oldest first, at most ``limit``; IDs and accounts masked."""
    df = store.query("funds/payments", program=program, town=town, village=village, year=int(year), limit=int(limit))
    df = shown_rows(df, files, mask)
    return df[list(PAYMENT_LABELS)].rename(columns=PAYMENT_LABELS)
