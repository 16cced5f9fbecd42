"""The signed-in user of a Streamlit session: sign-in, idle timeout, page rights, auditing.

Pages call ``require(right)`` first: the page is not even registered for a role without
the right (``app.py`` builds the menu from ``User.pages``), and this stops the page
should it be reached anyway. Every audited action goes through ``audit``; if the log
cannot be written the page stops, because nothing may be seen unlogged.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from workbench import audit as audit_log
from workbench.access import User

IDLE_MINUTES = float(os.environ.get("WORKBENCH_IDLE_MINUTES") or 30)


def current_user() -> User | None:
    """The session's user, or None (never signed in, signed out, or idle longer than the timeout)."""
    user: User | None = st.session_state.get("user")
    if user is None:
        return None
    now = time.time()
    last = float(st.session_state.get("last_seen", now))
    if now - last > IDLE_MINUTES * 60:
        sign_out("timeout")
        st.session_state["timed_out"] = True
        return None
    st.session_state["last_seen"] = now
    return user


def sign_in(user: User, how: str = "password") -> None:
    """Start the session of ``user`` (audited)."""
    st.session_state.clear()
    st.session_state["user"] = user
    st.session_state["last_seen"] = time.time()
    audit("login", {"how": how, "jurisdiction": user.jurisdiction.label()}, user=user)


def sign_out(reason: str = "logout") -> None:
    """End the session (audited as ``logout`` or ``timeout``) and forget everything it held."""
    user = st.session_state.get("user")
    if user is not None:
        audit(reason, user=user)
    st.session_state.clear()


def require(right: str) -> User:
    """The user, if signed in and allowed ``right``; otherwise a message and the end of the page."""
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    assert user is not None
    if not user.can(right):
        st.error("您的角色无权使用此页面。")
        st.stop()
    return user


def audit(action: str, params: dict[str, Any] | None = None, count: int | None = None, user: User | None = None) -> None:
    """Append an event of this session's user to the audit log; stop the page if it cannot be written."""
    user = user or st.session_state.get("user")
    name = user.username if user else str((params or {}).get("username", "")) or "-"
    role = user.role_label() if user else "-"
    try:
        audit_log.append(name, role, action, params, count)
    except audit_log.AuditError as e:
        st.error(f"{e}。为保证每次访问都有记录，操作已中止，请联系管理员。")
        st.stop()


def audit_once(key: str, action: str, params: dict[str, Any], count: int | None = None) -> None:
    """Audit ``action`` once per distinct ``params`` in a row (a rerun of the same view is not a new view)."""
    marker = (action, repr(sorted(params.items())))
    if st.session_state.get(f"_audited_{key}") == marker:
        return
    st.session_state[f"_audited_{key}"] = marker
    audit(action, params, count)
