"""预警总览: counts and amounts by grade, model, town and village; a filterable table; one warning's detail."""

import json

import streamlit as st

from scan.warnings import GRADE_LABELS
from workbench.egonet import grades_by_person
from workbench.search import mask_id
from workbench.state import per_version, store_or_stop, warnings_or_stop
from workbench.warnview import (
    MODEL_TITLES,
    Filters,
    breakdown,
    evidence_view,
    filter_warnings,
    options,
    scan_meta,
    scan_time,
    shown_table,
    source_names,
    warning_detail,
    warning_map,
)

st.title("预警总览")
store = store_or_stop()
table, evidence = warnings_or_stop(store)
meta = scan_meta(store)
st.caption(f"最近一次扫描：{scan_time(meta)}，共 {len(table)} 条预警。")

with st.expander("筛选条件", expanded=True):
    c1, c2, c3 = st.columns(3)
    grades = c1.multiselect("等级", options(table, "grade"), format_func=GRADE_LABELS.get, placeholder="全部")
    models = c2.multiselect("模型", options(table, "model"), format_func=lambda c: MODEL_TITLES.get(c, c), placeholder="全部")
    programs = c3.multiselect("补贴项目", options(table, "programs"), placeholder="全部")
    c4, c5, c6 = st.columns(3)
    towns = c4.multiselect("乡镇", options(table, "town"), placeholder="全部")
    in_towns = table[table["town"].isin(towns)] if towns else table
    villages = c5.multiselect("村", options(in_towns, "village"), placeholder="全部")
    text = c6.text_input("搜索（姓名、理由、编号）")
    c7, c8 = st.columns(2)
    top = float(table["amount"].max() or 0.0)
    amount = c7.slider("金额范围（元）", 0.0, max(top, 1.0), (0.0, max(top, 1.0)))
    period = None
    if c8.checkbox("按发放日期筛选"):
        picked = c8.date_input("日期范围", value=(), format="YYYY-MM-DD")
        period = tuple(picked) if len(picked) == 2 else None

found = filter_warnings(
    table,
    Filters(grades, models, towns, villages, programs, amount, period, text),  # type: ignore[arg-type]
)
by_grade = breakdown(found, "grade").set_index("grade")
cols = st.columns(4)
cols[0].metric("预警", f"{len(found)} 条", help="筛选后的预警数")
for col, g in zip(cols[1:], ("red", "orange", "yellow"), strict=True):
    n = int(by_grade["count"].get(g, 0)) if len(by_grade) else 0
    amt = float(by_grade["amount"].get(g, 0.0)) if len(by_grade) else 0.0
    col.metric(f"{GRADE_LABELS[g]}预警", f"{n} 条", f"{amt:,.2f} 元", delta_color="off", delta_arrow="off")

tabs = st.tabs(["按模型", "按乡镇", "按村", "按等级"])
for tab, by in zip(tabs, ("model", "town", "village", "grade"), strict=True):
    with tab:
        b = breakdown(found, by)
        if by == "model":
            b["model"] = b["model"].map(MODEL_TITLES)
        if by == "grade":
            b["grade"] = b["grade"].map(GRADE_LABELS)
        b = b.rename(columns={by: "分组", "count": "预警数", "amount": "金额（元）"})
        st.bar_chart(b, x="分组", y="金额（元）", horizontal=True, sort=False)  # as breakdown orders them
        st.dataframe(b, hide_index=True, width="stretch")

st.subheader("预警列表")
st.dataframe(
    shown_table(found),
    hide_index=True,
    width="stretch",
    column_config={"金额（元）": st.column_config.NumberColumn(format="%.2f")},
)
if found.empty:
    st.warning("没有符合条件的预警。")
    st.stop()

st.subheader("预警详情")
ids = list(found["warning_id"])
names = found["grade_label"] + " · " + found["model_title"] + " · " + found["subject_name"].astype(str)
labels = dict(zip(found["warning_id"], names, strict=True))
wid = st.selectbox("选择预警", ids, format_func=lambda w: labels[w])
detail = warning_detail(table, evidence, wid, meta)
rec = detail.record
say = {"red": st.error, "orange": st.warning, "yellow": st.info}[rec["grade"]]
say(f"【{GRADE_LABELS[rec['grade']]}】{rec['reason']}")
m1, m2, m3, m4 = st.columns(4)
m1.metric("模型", detail.model_title)
m2.metric("分值", int(rec["score"]))
m3.metric("金额（元）", f"{float(rec['amount']):,.2f}")
m4.metric("笔数", int(rec["payments"]))
st.caption(f"预警编号 {wid}；乡镇 {rec['town']}，村 {rec['village']}；{rec['first_date']} 至 {rec['last_date']}")

st.markdown("**证据（发放记录）**")
st.dataframe(evidence_view(detail.evidence, per_version(store, source_names)), hide_index=True, width="stretch")
c1, c2 = st.columns(2)
with c1:
    st.markdown("**涉及人员**")
    people = detail.people.assign(pid=detail.people["pid"].map(mask_id))
    st.dataframe(people.rename(columns={"pid": "身份证号", "name": "姓名", "role": "角色"}), hide_index=True, width="stretch")
with c2:
    st.markdown("**涉及户**")
    st.write("、".join(detail.households) or "无")

if st.button("为此预警生成证据包"):
    st.session_state["packet_ids"] = [wid]
    st.session_state.pop("packet", None)
    st.switch_page("workbench/pages/packet.py")

st.markdown("**关系图**")
with st.spinner("正在绘制关系图…"):
    ego, page = warning_map(store, detail, grades_by_person(evidence, table))
for note in ego.notes:
    st.info(note)
st.iframe(page, height=520)

with st.expander("模型查询（Cypher）与参数"):
    st.markdown("参数：")
    st.code(json.dumps(detail.params, ensure_ascii=False, indent=2), language="json")
    for name, text in detail.queries:
        st.markdown(f"`queries/{name}.cypher`")
        st.code(text, language="cypher")
