"""Streamlit entry point: routing only; pages live in workbench/pages/.

A session without a signed-in user gets the login page and nothing else; a user gets
exactly the pages their roles allow (``workbench.access.PAGES``), so a page a role may
not use is not registered at all and its URL leads nowhere.
"""

import streamlit as st

from workbench.access import LOGIN_PAGE
from workbench.session import audit, current_user, sign_out

st.set_page_config(page_title="惠民惠农资金监督 图分析工作台", layout="wide")
user = current_user()
if user is None:
    pages = [st.Page(LOGIN_PAGE, title="登录", default=True)]
else:
    pages = [st.Page(p.path, title=p.title, default=i == 0) for i, p in enumerate(user.pages())]
    with st.sidebar:
        st.caption(f"{user.display_name}（{user.role_label()}）· 辖区：{user.jurisdiction.label()}")
        if st.button("退出登录"):
            sign_out()
            st.rerun()
page = st.navigation(pages)
if user is not None and st.session_state.get("_page") != page.title:
    st.session_state["_page"] = page.title
    audit("view_page", {"page": page.title})
page.run()
