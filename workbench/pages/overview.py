"""图谱概况: counts per node and relationship type, and the loaded source files."""

import streamlit as st

from workbench.overview import overview_table, source_files
from workbench.session import require
from workbench.state import per_version, store_or_stop

user = require("data")
st.title("图谱概况")
store = store_or_stop(user)
st.caption(f"图存储：{store.uri}")
table = per_version(store, overview_table)
nodes, rels = table[table["类型"] == "节点"], table[table["类型"] == "关系"]
c1, c2 = st.columns(2)
c1.metric("节点", f"{int(nodes['数量'].sum()):,}")
c2.metric("关系", f"{int(rels['数量'].sum()):,}")
st.dataframe(table, hide_index=True, width="stretch")
st.subheader("来源文件")
st.dataframe(per_version(store, source_files), hide_index=True, width="stretch")
