"""资金统计: payments by program, town, village and year, with charts; drill down to the payments."""

import streamlit as st

from workbench.funds import (
    LEVELS,
    FundFilters,
    by_level,
    drill_payments,
    filter_totals,
    payment_totals,
    shown_level,
    summary,
    year_name,
    year_pivot,
)
from workbench.session import audit_once, require
from workbench.state import per_version, store_or_stop
from workbench.warnview import source_names

user = require("funds")
st.title("资金统计")
store = store_or_stop(user)
totals = per_version(store, payment_totals)
if totals.empty:
    st.info("图存储中没有发放记录。")
    st.stop()


def choices(column: str, within=totals) -> list:
    """The distinct values of a column of the totals, sorted."""
    return sorted({v for v in within[column] if v not in ("", 0)})


with st.expander("筛选条件", expanded=True):
    c1, c2, c3, c4 = st.columns(4)
    programs = c1.multiselect("补贴项目", choices("program"), placeholder="全部")
    towns = c2.multiselect("乡镇", choices("town"), placeholder="全部")
    villages = c3.multiselect(
        "村", choices("village", totals[totals["town"].isin(towns)] if towns else totals), placeholder="全部"
    )
    years = c4.multiselect("年度", choices("year"), format_func=year_name, placeholder="全部")
shown = filter_totals(totals, FundFilters(programs, towns, villages, years))
s = summary(shown)
m1, m2, m3 = st.columns(3)
m1.metric("发放金额（元）", f"{s['amount']:,.2f}")
m2.metric("发放笔数", f"{s['payments']:,}")
m3.metric("领取人数", f"{s['recipients']:,}")

by = st.radio("统计口径", list(LEVELS), format_func=LEVELS.get, horizontal=True)
table = by_level(shown, by)
if by == "year":
    st.bar_chart(shown_level(table, by), x="年度", y="金额（元）")
else:
    st.caption("按年度分色的金额（元）")
    st.bar_chart(year_pivot(shown, by), horizontal=True, stack=True, sort=False)  # largest total first
st.dataframe(
    shown_level(table, by),
    hide_index=True,
    width="stretch",
    column_config={"金额（元）": st.column_config.NumberColumn(format="%.2f")},
)

st.subheader("发放明细")
st.caption("选定项目、乡镇、村和年度，查看其中的发放记录" + ("（身份证号与账号已脱敏）。" if user.masked else "。"))


def pick(label: str, options: list, chosen: list, fmt=str, column=st):
    """A single value for the drill-down ('' / 0 = all), preset when the filter above chose exactly one value."""
    values = [options[0].__class__(), *options] if options else [""]
    index = values.index(chosen[0]) if len(chosen) == 1 and chosen[0] in values else 0
    return column.selectbox(
        label, values, index=index, format_func=lambda v: fmt(v) if v else "全部", key=f"drill_{label}_{values[index]}"
    )  # a new preset starts afresh


d1, d2, d3, d4 = st.columns(4)
program = pick("项目", choices("program"), programs, column=d1)
town = pick("乡镇", choices("town"), towns, column=d2)
village = pick("村", choices("village", totals[totals["town"] == town] if town else totals), villages, column=d3)
year = pick("年度", choices("year"), years, year_name, column=d4)
cell = filter_totals(
    totals,
    FundFilters(*([v] if v else None for v in (program, town, village, year))),  # type: ignore[arg-type]
)
n = summary(cell)
limit = 1000
rows = drill_payments(store, per_version(store, source_names), program, town, village, year, limit=limit, mask=user.masked)
cell_params = {"program": program, "town": town, "village": village, "year": int(year)}
audit_once("funds", "funds_drill", cell_params, count=len(rows))
more = f"；显示最早的 {limit} 笔" if n["payments"] > limit else ""
st.caption(f"共 {n['payments']:,} 笔，{n['amount']:,.2f} 元{more}")
st.dataframe(rows, hide_index=True, width="stretch", column_config={"金额（元）": st.column_config.NumberColumn(format="%.2f")})
