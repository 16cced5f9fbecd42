"""账户管理 (administrators): list accounts, add one, disable or enable, set a new password."""

import pandas as pd
import streamlit as st

from workbench.access import ROLE_LABELS, Jurisdiction, Role
from workbench.accounts import AccountError, add_user, list_accounts, set_disabled, set_password
from workbench.db import engine
from workbench.session import audit, require

user = require("accounts")
st.title("账户管理")
accounts = list_accounts(engine())
st.dataframe(
    pd.DataFrame(
        [
            {
                "用户名": a.username,
                "姓名": a.display_name,
                "角色": "、".join(ROLE_LABELS[r] for r in Role if r in a.roles),
                "辖区": a.jurisdiction.label(),
                "状态": "已停用" if a.disabled else "正常",
                "登录方式": "单点登录" if a.sso else "密码",
                "连续失败": a.failed_logins,
            }
            for a in accounts
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("新建账户")
with st.form("add_user", clear_on_submit=True):
    c1, c2 = st.columns(2)
    username = c1.text_input("用户名")
    display = c2.text_input("姓名")
    roles = st.multiselect("角色", list(Role), format_func=ROLE_LABELS.get, placeholder="选择角色")
    c3, c4 = st.columns(2)
    town = c3.text_input("乡镇（空 = 全县）")
    village = c4.text_input("村（空 = 整个乡镇）")
    password = st.text_input("初始密码（至少 8 位）", type="password")
    if st.form_submit_button("新建", type="primary"):
        try:
            where = Jurisdiction(town.strip(), village.strip())
            if not roles:
                raise AccountError("至少选择一个角色")
            add_user(engine(), username, display, frozenset(roles), where, password)
        except (AccountError, ValueError) as e:
            st.error(str(e))
        else:
            audit("user_admin", {"op": "add", "username": username, "roles": sorted(roles), "jurisdiction": where.label()})
            st.success(f"已新建账户 {username}。")
            st.rerun()

st.subheader("停用、启用与重设密码")
names = [a.username for a in accounts]
if names:
    who = st.selectbox("账户", names)
    c1, c2 = st.columns(2)
    target = next(a for a in accounts if a.username == who)
    if c1.button("启用" if target.disabled else "停用", disabled=who == user.username):
        set_disabled(engine(), who, not target.disabled)
        audit("user_admin", {"op": "enable" if target.disabled else "disable", "username": who})
        st.rerun()
    new_password = c2.text_input("新密码", type="password")
    if c2.button("重设密码", disabled=not new_password):
        try:
            set_password(engine(), who, new_password)
        except AccountError as e:
            st.error(str(e))
        else:
            audit("user_admin", {"op": "passwd", "username": who})
            st.success(f"已重设 {who} 的密码。")
