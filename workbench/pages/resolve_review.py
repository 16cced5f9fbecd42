"""身份复核: confirm or reject the links identity resolution could not decide on its own."""

import streamlit as st

from resolve.engine import explain_weights
from resolve.review import VERDICTS
from workbench.resolveview import mention_choices, record_decision, review_rows
from workbench.session import audit, audit_once, require
from workbench.state import store_or_stop

user = require("resolve_review")
store = store_or_stop(user)
st.title("身份复核")
st.caption(
    "身份证号无效的发放记录和无身份证号的申报亲属，身份解析按姓名、身份证号各位、村、户、银行账号比对打分；"
    "得分接近（同村同名等）或偏低的不自动关联，列在这里由办案人员确认或否定。结论保存后在下次导入时生效，重新导入不会丢失。"
)
show_all = st.toggle("包括已有结论的记录", value=False)
rows = review_rows(user, store.state_dir, undecided_only=not show_all)
audit_once(f"review:{show_all}", "view_resolve_review", {"all": show_all}, rows["mkey"].nunique())
if rows.empty:
    st.info("辖区内没有待复核的身份关联。")
    st.stop()
choices = mention_choices(rows)
mkey = st.selectbox(f"待复核记录（{len(choices)} 条）", list(choices), format_func=lambda k: choices[k])
cands = rows[rows["mkey"] == mkey]
HEADERS = {"rank": "排名", "candidate_name": "候选人", "shown_pid": "身份证号", "score": "得分", "reasons": "依据"}
st.dataframe(
    cands[[*HEADERS, "verdict_label"]].rename(columns={**HEADERS, "verdict_label": "结论"}),
    hide_index=True,
    width="stretch",
    column_config={"得分": st.column_config.NumberColumn(format="%.3f")},
)
labels = {r.pid: f"{r.rank}. {r.candidate_name}（{r.shown_pid}）" for r in cands.itertuples(index=False)}
with st.form("decide"):
    pid = st.radio("候选人", list(labels), format_func=lambda p: labels[p])
    verdict = st.radio("结论", list(VERDICTS), format_func=lambda v: VERDICTS[v], horizontal=True)
    note = st.text_input("复核说明（可选）")
    if st.form_submit_button("保存结论"):
        try:
            record_decision(user, store.state_dir, mkey, pid, verdict, note)
        except (PermissionError, ValueError) as e:
            st.error(str(e))
        else:
            audit("resolve_decide", {"mkey": mkey, "pid": pid, "verdict": verdict}, 1)
            st.success(f"已保存：{labels[pid]} {VERDICTS[verdict]}。下次导入时生效。")
with st.expander("打分规则（每项特征的权重，单位：比特）"):
    st.table({"特征": [label for _, label, _ in explain_weights()], "权重": [w for _, _, w in explain_weights()]})
