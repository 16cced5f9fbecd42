"""登录: local account (name and password), or single sign-on when the intranet's identity provider is configured."""

import streamlit as st

from workbench.accounts import LoginError, authenticate, sso_mapping, sso_user
from workbench.db import engine
from workbench.session import audit, sign_in

st.title("惠民惠农资金监督 图分析工作台")
if st.session_state.pop("timed_out", False):
    st.info("长时间未操作，已自动退出，请重新登录。")


def sso_configured() -> bool:
    """Whether Streamlit's ``[auth]`` (OIDC) is set in secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


if sso_configured():
    if getattr(st.user, "is_logged_in", False):
        try:
            sign_in(sso_user(st.user.to_dict(), sso_mapping(st.secrets.get("workbench_sso"))), how="sso")
        except LoginError as e:
            audit("login_failed", {"username": str(st.user.get("preferred_username", "")), "how": "sso", "reason": str(e)})
            st.error(str(e))
            st.button("退出单点登录", on_click=st.logout)
            st.stop()
        st.rerun()
    st.button("单点登录", type="primary", on_click=st.login)
    st.divider()

with st.form("login"):
    username = st.text_input("用户名")
    password = st.text_input("密码", type="password")
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    try:
        user = authenticate(engine(), username, password)
    except LoginError as e:
        audit("login_failed", {"username": username.strip(), "reason": str(e)})
        st.error(str(e))
    else:
        sign_in(user)
        st.rerun()
