"""核查成效: per model and grade, how many warnings were verified and what share was 属实 (the clue-to-case funnel)."""

import streamlit as st

from scan.warnings import GRADE_LABELS
from workbench.cases import funnel, precision
from workbench.db import engine
from workbench.session import require
from workbench.warnview import MODEL_TITLES

user = require("stats")
st.title("核查成效")
st.caption(
    f"辖区：{user.jurisdiction.label()}。已核查 = 核查结论为属实、部分属实、不属实（含其后整改、移送）；属实率 = 属实 ÷ 已核查。"
)
table = precision(engine(), user.jurisdiction)
if table.empty:
    st.info("还没有案件记录：扫描后每条预警会建立一条案件。")
    st.stop()
steps = funnel(table)
cols = st.columns(len(steps))
for col, (label, n) in zip(cols, steps.items(), strict=True):
    col.metric(label, f"{n:,}")
shown = table.assign(
    model=table["model"].map(lambda m: MODEL_TITLES.get(m, m)),
    grade=table["grade"].map(lambda g: GRADE_LABELS.get(g, g)),
).rename(columns={"model": "模型", "grade": "等级"})
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "属实率": st.column_config.NumberColumn(format="percent"),
        "追缴金额（元）": st.column_config.NumberColumn(format="%.2f"),
    },
)
