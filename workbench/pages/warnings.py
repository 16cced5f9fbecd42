"""预警总览: counts and amounts by grade, model, town and village; a filterable table; one warning's detail."""

import json
from datetime import date

import streamlit as st

from scan.warnings import GRADE_LABELS
from workbench.cases import (
    EVENT_LABELS,
    FIELD_LABELS,
    STATUSES,
    TRANSITIONS,
    CaseConflict,
    CaseError,
    all_cases,
    get_case,
    history,
    update_case,
)
from workbench.db import engine
from workbench.egonet import grades_by_person
from workbench.search import mask_id
from workbench.session import audit, audit_once, require
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
    with_cases,
)

user = require("warnings")
st.title("预警总览")
store = store_or_stop(user)
table, evidence = warnings_or_stop(store)
table = with_cases(table, all_cases(engine(), user.jurisdiction), mask=user.masked)
meta = scan_meta(store)
st.caption(f"最近一次扫描：{scan_time(meta)}；辖区 {user.jurisdiction.label()} 共 {len(table)} 条预警。")

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
    c7, c8, c9 = st.columns(3)
    top = float(table["amount"].max() or 0.0)
    amount = c7.slider("金额范围（元）", 0.0, max(top, 1.0), (0.0, max(top, 1.0)))
    statuses = c8.multiselect("案件状态", [s for s in STATUSES if s in set(table["status"])], placeholder="全部")
    period = None
    if c9.checkbox("按发放日期筛选"):
        picked = c9.date_input("日期范围", value=(), format="YYYY-MM-DD")
        period = tuple(picked) if len(picked) == 2 else None

found = filter_warnings(
    table,
    Filters(grades, models, towns, villages, programs, amount, period, text, statuses),  # type: ignore[arg-type]
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
audit_once("warning", "view_warning", {"warning_id": wid}, count=len(detail.evidence))
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
files = per_version(store, source_names)
st.dataframe(evidence_view(detail.evidence, files, mask=user.masked), hide_index=True, width="stretch")
if int(rec["payments"]) > len(detail.evidence):
    st.caption(f"另有 {int(rec['payments']) - len(detail.evidence)} 笔证据发生在您的辖区外，未显示。")
c1, c2 = st.columns(2)
with c1:
    st.markdown("**涉及人员**")
    people = detail.people.assign(pid=detail.people["pid"].map(mask_id if user.masked else str))
    st.dataframe(people.rename(columns={"pid": "身份证号", "name": "姓名", "role": "角色"}), hide_index=True, width="stretch")
with c2:
    st.markdown("**涉及户**")
    st.write("、".join(detail.households) or "无")

if user.can("export") and st.button("为此预警生成证据包"):
    st.session_state["packet_ids"] = [wid]
    st.session_state.pop("packet", None)
    st.switch_page("workbench/pages/packet.py")

st.markdown("**案件处理**")
case = get_case(engine(), wid)
if case is None:
    st.info("此预警尚未建立案件记录（下一次扫描时建立）。")
else:
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("状态", case.shown_status)
    k2.metric("承办人", case.assignee or "未分派")
    k3.metric("办结期限", case.due_date or "未定")
    k4.metric("追缴金额（元）", f"{case.recovered:,.2f}")
    if case.grade_override:
        st.caption(f"等级已由审核人员调整为{GRADE_LABELS[case.grade_override]}：{case.override_reason}")
    if user.can("case_work") and not case.gone:
        with st.form(f"case_{wid}_{case.version}"):
            moves = [s for s, right in TRANSITIONS.get(case.status, {}).items() if user.can(right)]
            f1, f2, f3 = st.columns(3)
            status = f1.selectbox("状态", [case.status, *moves])
            recovered = f2.text_input("追缴金额（元）", value=f"{case.recovered:.2f}")
            assignee, due, override, reason = case.assignee, case.due_date, case.grade_override, case.override_reason
            if user.can("assign"):
                assignee = f3.text_input("承办人", value=case.assignee)
                picked_due = f3.date_input("办结期限", value=date.fromisoformat(case.due_date) if case.due_date else None)
                due = picked_due.isoformat() if picked_due else ""
            if user.can("override"):
                g1, g2 = st.columns(2)
                grades_list = ["", "red", "orange", "yellow"]
                override = g1.selectbox(
                    "调整等级",
                    grades_list,
                    index=grades_list.index(case.grade_override),
                    format_func=lambda g: GRADE_LABELS.get(g, "不调整"),
                )
                reason = g2.text_input("调整理由", value=case.override_reason)
            comment = st.text_area("意见或核查情况（追加，不覆盖）")
            if st.form_submit_button("保存", type="primary"):
                changes = {"status": status, "recovered": recovered, "assignee": assignee, "due_date": due}
                if user.can("override"):
                    changes |= {"grade_override": override, "override_reason": reason}
                try:
                    saved = update_case(engine(), wid, case.version, user, changes, comment)
                except (CaseConflict, CaseError) as e:
                    st.error(str(e))
                else:
                    audit("case_change", {"warning_id": wid, **{k: str(v) for k, v in changes.items()}, "comment": bool(comment)})
                    st.success(f"已保存（第 {saved.version} 版）。")
                    st.rerun()
    events = history(engine(), wid)
    if len(events):
        with st.expander(f"处理记录（{len(events)} 条）"):
            shown = events.assign(
                field=events["field"].map(lambda f: FIELD_LABELS.get(f.replace("_fen", ""), f)),
                kind=events["kind"].map(lambda k: EVENT_LABELS.get(k, k)),
            )
            st.dataframe(
                shown[["at", "username", "kind", "field", "old", "new", "text"]].rename(
                    columns={
                        "at": "时间",
                        "username": "用户",
                        "kind": "类型",
                        "field": "字段",
                        "old": "原值",
                        "new": "新值",
                        "text": "内容",
                    }
                ),
                hide_index=True,
                width="stretch",
            )

st.markdown("**关系图**")
with st.spinner("正在绘制关系图…"):
    ego, page = warning_map(store, detail, grades_by_person(evidence, table), mask=user.masked)
for note in ego.notes:
    st.info(note)
st.iframe(page, height=520)

with st.expander("模型查询（Cypher）与参数"):
    st.markdown("参数：")
    st.code(json.dumps(detail.params, ensure_ascii=False, indent=2), language="json")
    for name, text in detail.queries:
        st.markdown(f"`queries/{name}.cypher`")
        st.code(text, language="cypher")
