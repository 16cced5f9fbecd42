"""关系图谱: find a person (name with typos, pinyin initials, or ID number) and draw their ego network."""

import streamlit as st
import streamlit.components.v1 as components

from workbench.egonet import rel_label
from workbench.mapview import FILTERABLE, map_page, person_index
from workbench.state import store_or_stop

st.title("关系图谱")
store = store_or_stop()

query = st.text_input("查找人员", placeholder="姓名（可有错字、繁体或拼音首字母，如 zs）或身份证号")
if not query:
    st.caption("输入姓名或身份证号开始。")
    st.stop()
found = person_index(store, store.uri).search(query)
if found.empty:
    st.warning(f"没有找到与“{query}”相近的人员。")
    st.stop()
table = found.rename(
    columns={"name": "姓名", "town": "乡镇", "village": "村", "position": "职务", "masked_id": "身份证号", "score": "相似度"}
)[["姓名", "乡镇", "村", "职务", "身份证号", "相似度"]]
st.dataframe(table, hide_index=True, width="stretch")
choice = st.selectbox(
    "选择人员",
    range(len(found)),
    format_func=lambda i: f"{found.iloc[i]['name']}（{found.iloc[i]['village'] or '村不详'}，{found.iloc[i]['masked_id']}）",
)
c1, c2, c3 = st.columns(3)
depth = c1.slider("深度", 1, 3, 2)
cap = c2.number_input("每个节点最多展开", 5, 200, 30, step=5)
use_period = c3.checkbox("按日期筛选")
period = None
if use_period:
    picked = st.date_input("日期范围", value=(), format="YYYY-MM-DD")
    period = tuple(picked) if len(picked) == 2 else None
kinds = st.multiselect("关系类型", FILTERABLE, default=list(FILTERABLE), format_func=rel_label)
person = found.iloc[choice]
ego, page = map_page(store, str(person["pid"]), str(person["name"]), depth, set(kinds), period, int(cap))
for note in ego.notes:
    st.info(note)
st.caption(f"{len(ego.nodes)} 个节点，{len(ego.edges)} 条关系。红、橙、黄色外圈表示该人员有相应等级的预警。")
components.html(page, height=700, scrolling=False)
st.download_button("下载离线图谱（HTML）", page, file_name=f"关系图谱_{person['name']}.html", mime="text/html")
