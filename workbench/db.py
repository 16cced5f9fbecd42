"""The workbench's own database: accounts and case work, through SQLAlchemy Core.

SQLite in ``data/workbench.db`` by default (one file, transactions, nothing to run);
``WORKBENCH_DB`` takes any SQLAlchemy URL, e.g.
``postgresql+psycopg://workbench:…@dbhost/workbench`` for several workbench servers
sharing one case database. The graph store is rebuilt by every load; this database is
not, which is why case work is keyed by the stable warning id.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_DB = "sqlite:///data/workbench.db"

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("roles", sa.String(128), nullable=False),  # comma-separated Role values
    sa.Column("town", sa.String(64), nullable=False, default=""),
    sa.Column("village", sa.String(64), nullable=False, default=""),
    sa.Column("password_hash", sa.String(256)),  # NULL for single-sign-on accounts
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.Float, nullable=False, default=0.0),  # epoch seconds
    sa.Column("created_at", sa.String(32), nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("warning_id", sa.String(64), primary_key=True),
    # copied from the warning at each scan: the funnel and the jurisdiction filter need
    # them when the warning itself has gone
    sa.Column("model", sa.String(32), nullable=False),
    sa.Column("grade", sa.String(8), nullable=False),
    sa.Column("town", sa.String(64), nullable=False, default=""),
    sa.Column("village", sa.String(64), nullable=False, default=""),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("gone", sa.Boolean, nullable=False, default=False),  # 已消失: no longer fires
    sa.Column("assignee", sa.String(64), nullable=False, default=""),
    sa.Column("due_date", sa.String(10), nullable=False, default=""),
    sa.Column("recovered_fen", sa.BigInteger, nullable=False, default=0),  # 追缴金额 in fen: no float money
    sa.Column("grade_override", sa.String(8), nullable=False, default=""),
    sa.Column("override_reason", sa.Text, nullable=False, default=""),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False, default=""),
)

case_events = sa.Table(
    "case_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("warning_id", sa.String(64), sa.ForeignKey("cases.warning_id"), nullable=False, index=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # change, comment, note, gone, back, created
    sa.Column("field", sa.String(32), nullable=False, default=""),
    sa.Column("old", sa.Text, nullable=False, default=""),
    sa.Column("new", sa.Text, nullable=False, default=""),
    sa.Column("text", sa.Text, nullable=False, default=""),
)


def db_url() -> str:
    """``WORKBENCH_DB``, or SQLite in ``data/workbench.db``."""
    return os.environ.get("WORKBENCH_DB") or DEFAULT_DB


def engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default ``db_url()``, read at each call), with the tables created if absent."""
    return _engine(url or db_url())


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # a busy timeout instead of "database is locked" when two sessions write at once
        eng = sa.create_engine(url, connect_args={"timeout": 30})
    else:
        eng = sa.create_engine(url, pool_pre_ping=True)
    metadata.create_all(eng)
    return eng
