"""关系图谱: find a person (name with typos, pinyin initials, or ID number) and draw their ego network.

Nodes of the map can be opened further in place, and the shortest paths (up to four
hops) between the person and a second one are found and drawn.
"""

import pandas as pd
import streamlit as st

from workbench.egonet import rel_label
from workbench.mapview import FILTERABLE, expandable, map_page, path_page, person_index
from workbench.session import audit, audit_once, require
from workbench.state import store_or_stop

user = require("map")
st.title("关系图谱")
store = store_or_stop(user)
index = person_index(store)


def pick_person(found: pd.DataFrame, label: str, key: str) -> pd.Series:
    """A selectbox over the ranked candidates; the chosen row."""
    choice = st.selectbox(
        label,
        range(len(found)),
        format_func=lambda i: f"{found.iloc[i]['name']}（{found.iloc[i]['village'] or '村不详'}，{found.iloc[i]['masked_id']}）",
        key=key,
    )
    return found.iloc[choice]


query = st.text_input("查找人员", placeholder="姓名（可有错字、繁体或拼音首字母，如 zs）或身份证号")
if not query:
    st.caption("输入姓名或身份证号开始。")
    st.stop()
found = index.search(query)
audit_once("search", "search", {"text": query}, count=len(found))
if found.empty:
    st.warning(f"没有找到与“{query}”相近的人员。")
    st.stop()
table = found.rename(
    columns={"name": "姓名", "town": "乡镇", "village": "村", "position": "职务", "masked_id": "身份证号", "score": "相似度"}
)[["姓名", "乡镇", "村", "职务", "身份证号", "相似度"]]
st.dataframe(table, hide_index=True, width="stretch")
person = pick_person(found, "选择人员", "person")
pid = str(person["pid"])
c1, c2, c3 = st.columns(3)
depth = c1.slider("深度", 1, 3, 2)
cap = c2.number_input("每个节点最多展开", 5, 200, 30, step=5)
use_period = c3.checkbox("按日期筛选")
period = None
if use_period:
    picked = st.date_input("日期范围", value=(), format="YYYY-MM-DD")
    period = tuple(picked) if len(picked) == 2 else None
kinds = st.multiselect("关系类型", FILTERABLE, default=list(FILTERABLE), format_func=rel_label, placeholder="选择关系类型")

# nodes opened in place, per person: kept across reruns until the user folds them again
opened: list[str] = st.session_state.setdefault("map_opened", {}).setdefault(pid, [])
ego, page = map_page(store, pid, str(person["name"]), depth, set(kinds), period, int(cap), expand=opened, mask=user.masked)
view = {"pid": pid, "depth": depth, "kinds": sorted(kinds), "period": [str(d) for d in period or ()], "opened": list(opened)}
audit_once("map", "view_person", view, count=len(ego.nodes))
for note in ego.notes:
    st.info(note)
st.caption(f"{len(ego.nodes)} 个节点，{len(ego.edges)} 条关系。红、橙、黄色外圈表示该人员有相应等级的预警。")
st.iframe(page, height=700)
if user.can("export"):
    st.download_button(
        "下载离线图谱（HTML）",
        page,
        file_name=f"关系图谱_{person['name']}.html",
        mime="text/html",
        on_click=lambda: audit("export", {"what": "graph_html", "pid": pid}, count=len(ego.nodes)),
    )

can_open = {k: v for k, v in expandable(ego).items() if k not in opened}
e1, e2, e3 = st.columns([3, 1, 1])
target = e1.selectbox(
    "在图中展开节点", list(can_open), format_func=can_open.get, index=None, placeholder="选择图中的人员、户或账户"
)
if e2.button("展开", disabled=target is None):
    opened.append(str(target))
    audit("expand", {"pid": pid, "node": str(target)})
    st.rerun()
if e3.button("全部收起", disabled=not opened):
    opened.clear()
    st.rerun()

st.subheader("两人之间的关系路径")
other_query = st.text_input("另一人", placeholder="姓名或身份证号", key="other")
if other_query:
    others = index.search(other_query)
    if others.empty:
        st.warning(f"没有找到与“{other_query}”相近的人员。")
        st.stop()
    other = pick_person(others, "选择另一人", "other_person")
    hops = st.slider("最多跳数", 1, 4, 4)
    result, lines, path_html = path_page(store, pid, str(other["pid"]), hops, mask=user.masked)
    audit_once("path", "path", {"from": pid, "to": str(other["pid"]), "hops": hops}, count=len(result.paths))
    if not result.paths:
        st.warning(f"{person['name']} 与 {other['name']} 之间没有 {hops} 跳以内的亲属、同户或共用账户关系。")
    else:
        st.success(f"最短路径 {result.hops} 跳，共 {len(result.paths)} 条。")
        for line in lines:
            st.text(line)  # text, not markdown: names are data
        st.iframe(path_html, height=450)
