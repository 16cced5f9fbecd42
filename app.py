"""Streamlit entry point: routing only; pages live in workbench/pages/."""

import streamlit as st

st.set_page_config(page_title="惠民惠农资金监督 图分析工作台", layout="wide")
pages = [
    st.Page("workbench/pages/warnings.py", title="预警总览", default=True),
    st.Page("workbench/pages/graph_map.py", title="关系图谱"),
    st.Page("workbench/pages/funds.py", title="资金统计"),
    st.Page("workbench/pages/packet.py", title="证据包"),
    st.Page("workbench/pages/overview.py", title="图谱概况"),
]
st.navigation(pages).run()
