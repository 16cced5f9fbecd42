"""Local accounts: add, list, disable, set passwords, sign in (with throttling), and single sign-on mapping.

Passwords are hashed with Argon2id (``argon2-cffi``, the maintained binding of the
reference implementation); the hash carries its own parameters, so they can be raised
later and old hashes are rehashed at the next sign-in. Five failed sign-ins lock an
account for five minutes, doubling with each further failure (at most a day); an
unknown name costs the same hashing time as a known one, so timing tells nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from workbench.access import ROLE_LABELS, Jurisdiction, Role, User, parse_roles
from workbench.db import users

MAX_FAILURES = 5
LOCK_SECONDS = 300
MAX_LOCK_SECONDS = 86_400
MIN_PASSWORD = 8

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A bad account operation (unknown user, weak password …), with a message for the user."""


class LoginError(PermissionError):
    """A refused sign-in; the message never says whether the name exists."""


@dataclass(frozen=True)
class Account:
    """A stored account as listed to an administrator (never the hash)."""

    username: str
    display_name: str
    roles: frozenset[Role]
    jurisdiction: Jurisdiction
    disabled: bool
    sso: bool
    failed_logins: int
    locked_until: float

    def user(self) -> User:
        """The signed-in user this account becomes."""
        return User(self.username, self.display_name, self.roles, self.jurisdiction)


def _now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _account(row: sa.Row) -> Account:
    return Account(
        row.username,
        row.display_name,
        parse_roles(row.roles),
        Jurisdiction(row.town, row.village),
        bool(row.disabled),
        row.password_hash is None,
        int(row.failed_logins),
        float(row.locked_until),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")


def add_user(
    eng: Engine,
    username: str,
    display_name: str,
    roles: frozenset[Role],
    jurisdiction: Jurisdiction,
    password: str | None,
) -> Account:
    """Create an account; ``password`` None makes a single-sign-on account (no local password)."""
    username = username.strip()
    if not username or not username.isprintable() or " " in username:
        raise AccountError("用户名不能为空，也不能含空格")
    if password is not None:
        _check_password(password)
    with eng.begin() as c:
        if c.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise AccountError(f"用户 {username} 已存在")
        c.execute(
            users.insert().values(
                username=username,
                display_name=display_name.strip() or username,
                roles=",".join(sorted(r.value for r in roles)),
                town=jurisdiction.town,
                village=jurisdiction.village,
                password_hash=_hasher.hash(password) if password is not None else None,
                disabled=False,
                failed_logins=0,
                locked_until=0.0,
                created_at=_now_text(),
            )
        )
    return get_account(eng, username)


def get_account(eng: Engine, username: str) -> Account:
    """The account ``username``; AccountError if there is none."""
    with eng.connect() as c:
        row = c.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise AccountError(f"没有用户 {username}")
    return _account(row)


def list_accounts(eng: Engine) -> list[Account]:
    """Every account, by username."""
    with eng.connect() as c:
        return [_account(r) for r in c.execute(sa.select(users).order_by(users.c.username))]


def set_disabled(eng: Engine, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    with eng.begin() as c:
        if c.execute(users.update().where(users.c.username == username).values(disabled=disabled)).rowcount == 0:
            raise AccountError(f"没有用户 {username}")


def set_password(eng: Engine, username: str, password: str) -> None:
    """Set a new password (and lift a lock)."""
    _check_password(password)
    with eng.begin() as c:
        done = c.execute(
            users.update()
            .where(users.c.username == username)
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=0.0)
        )
        if done.rowcount == 0:
            raise AccountError(f"没有用户 {username}")


def upsert_demo_user(eng: Engine, username: str, display_name: str, role: Role, where: Jurisdiction) -> str:
    """Create or reset a demo account with a fresh random password; returns the password."""
    password = secrets.token_urlsafe(9)
    with eng.begin() as c:
        c.execute(users.delete().where(users.c.username == username))
    add_user(eng, username, display_name, frozenset({role}), where, password)
    return password


def authenticate(eng: Engine, username: str, password: str, now: float | None = None) -> User:
    """The user for a correct name and password; LoginError otherwise (and the failure counted)."""
    now = time.time() if now is None else now
    with eng.connect() as c:
        row = c.execute(sa.select(users).where(users.c.username == username.strip())).first()
    if row is None or row.password_hash is None:
        _verify(_DUMMY_HASH, password)  # the same work as for a real account
        raise LoginError("用户名或密码错误")
    if row.locked_until > now:
        minutes = max(1, round((row.locked_until - now) / 60))
        raise LoginError(f"登录失败次数过多，账户已暂时锁定，请 {minutes} 分钟后再试")
    if not _verify(row.password_hash, password):
        with eng.begin() as c:  # committed before the refusal is raised
            # counted in the database (not from the row read above) so that parallel tries all count
            c.execute(users.update().where(users.c.username == row.username).values(failed_logins=users.c.failed_logins + 1))
            failed = c.execute(sa.select(users.c.failed_logins).where(users.c.username == row.username)).scalar_one()
            if failed >= MAX_FAILURES:
                lock = now + min(LOCK_SECONDS * 2 ** (failed - MAX_FAILURES), MAX_LOCK_SECONDS)
                c.execute(users.update().where(users.c.username == row.username).values(locked_until=lock))
        raise LoginError("用户名或密码错误")
    if row.disabled:
        raise LoginError("该账户已停用，请联系管理员")
    values: dict = {"failed_logins": 0, "locked_until": 0.0}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    with eng.begin() as c:
        c.execute(users.update().where(users.c.username == row.username).values(**values))
    return _account(row).user()


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# -- single sign-on ----------------------------------------------------------------------


@dataclass(frozen=True)
class SsoMapping:
    """How an identity provider's claims become a role and a jurisdiction.

    ``role_claim`` holds one or more role names (a string or a list; codes such as
    ``case_officer`` or the Chinese names); ``roles`` maps the provider's group names to
    ours; ``town_claim`` / ``village_claim`` hold the jurisdiction (absent = county).
    """

    role_claim: str = "workbench_roles"
    roles: Mapping[str, str] | None = None
    town_claim: str = "workbench_town"
    village_claim: str = "workbench_village"
    name_claim: str = "name"
    username_claim: str = "preferred_username"


def sso_user(claims: Mapping[str, object], mapping: SsoMapping) -> User:
    """The user an identity provider's claims describe; AccessDenied-like LoginError when they give no role."""
    raw = claims.get(mapping.role_claim)
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
    names = [str((mapping.roles or {}).get(str(i), str(i))) for i in items]
    known = {r.value for r in Role} | set(ROLE_LABELS.values())
    names = [n for n in names if n in known]
    if not names:
        raise LoginError("单点登录的身份中没有本系统的角色，请联系管理员")
    username = str(claims.get(mapping.username_claim) or claims.get("email") or claims.get("sub") or "")
    if not username:
        raise LoginError("单点登录的身份中没有用户名")
    where = Jurisdiction(str(claims.get(mapping.town_claim) or ""), str(claims.get(mapping.village_claim) or ""))
    return User(username, str(claims.get(mapping.name_claim) or username), parse_roles(names), where)


def sso_mapping(config: Mapping[str, object] | None = None) -> SsoMapping:
    """The mapping from the ``[workbench_sso]`` table of secrets.toml (every key optional)."""
    config = dict(config or {})
    roles = config.get("roles")
    known = {k: str(v) for k, v in config.items() if k in SsoMapping.__dataclass_fields__ and k != "roles"}
    return SsoMapping(roles=dict(roles) if isinstance(roles, Mapping) else None, **known)
