"""Who may see and do what: roles, their rights and pages, jurisdictions, and a store that enforces them.

Neither store has roles the workbench could lean on (Neo4j Community has none, the
embedded store none at all), so access is enforced here, on the server side:

- a role is a set of rights; the pages a session gets are derived from them, and a
  page the role may not use is never registered with ``st.navigation`` (so it cannot
  be reached by its URL either);
- a jurisdiction (the county, a town, or a village of a town) goes into **every** query
  a user session runs, as ``$scope_town`` / ``$scope_village``: ``ScopedStore`` adds them
  and refuses a query that does not declare them, raw Cypher, and the models' queries
  (those run only in ``workbench scan``);
- the saved warnings and their evidence are filtered to the jurisdiction by
  ``scoped_warnings`` before any page or export sees them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd
import pyarrow as pa

from graph.schema import NodeType, RelType
from graph.store import GraphStore
from queries import load_query


class Role(StrEnum):
    """The four roles (what the seed platforms' nine levels boil down to for one county)."""

    INVESTIGATOR = "investigator"
    CASE_OFFICER = "case_officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.INVESTIGATOR: "调查员",
    Role.CASE_OFFICER: "办案人员",
    Role.SUPERVISOR: "监督审核",
    Role.ADMIN: "管理员",
}

#: What each role may do. ``full_id``: see ID and account numbers unmasked (in pages and exports);
#: only supervisors have it, so the packets case officers hand on are masked.
RIGHTS: dict[Role, frozenset[str]] = {
    Role.INVESTIGATOR: frozenset({"warnings", "map", "funds"}),
    Role.CASE_OFFICER: frozenset({"warnings", "map", "funds", "case_work", "export", "resolve_review"}),
    Role.SUPERVISOR: frozenset(
        {"warnings", "map", "funds", "case_work", "export", "resolve_review", "full_id", "assign", "override", "dispose", "stats"}
    ),
    # accounts and data loads; no case data unless the account also has another role
    Role.ADMIN: frozenset({"accounts", "data"}),
}

RIGHT_LABELS = {
    "warnings": "查看预警",
    "map": "关系图谱",
    "funds": "资金统计",
    "case_work": "案件处理",
    "export": "导出证据包",
    "resolve_review": "身份复核",
    "full_id": "查看完整证件号",
    "assign": "分派案件",
    "override": "调整等级",
    "dispose": "处置（整改/移送）",
    "stats": "核查成效",
    "accounts": "账户管理",
    "data": "数据管理",
}


@dataclass(frozen=True)
class PageSpec:
    """A page of the workbench and the right that registers it."""

    path: str
    title: str
    right: str
    icon: str = ""


#: Every page but the login, in menu order; the first one the user may use is the start page.
PAGES = (
    PageSpec("workbench/pages/warnings.py", "预警总览", "warnings"),
    PageSpec("workbench/pages/graph_map.py", "关系图谱", "map"),
    PageSpec("workbench/pages/funds.py", "资金统计", "funds"),
    PageSpec("workbench/pages/packet.py", "证据包", "export"),
    PageSpec("workbench/pages/resolve_review.py", "身份复核", "resolve_review"),
    PageSpec("workbench/pages/stats.py", "核查成效", "stats"),
    PageSpec("workbench/pages/accounts.py", "账户管理", "accounts"),
    PageSpec("workbench/pages/overview.py", "图谱概况", "data"),
)
LOGIN_PAGE = "workbench/pages/login.py"


@dataclass(frozen=True)
class Jurisdiction:
    """The county (both empty), a town, or a village of a town."""

    town: str = ""
    village: str = ""

    def __post_init__(self) -> None:
        if self.village and not self.town:
            raise ValueError("村级辖区须同时指定乡镇（不同乡镇可能有同名村）")

    @classmethod
    def parse(cls, text: str | None) -> Jurisdiction:
        """``''`` or ``全县`` → county; ``青山镇`` → a town; ``青山镇/东村`` → a village."""
        text = (text or "").strip()
        if text in ("", "全县", "*"):
            return cls()
        town, _, village = text.partition("/")
        return cls(town.strip(), village.strip())

    @property
    def level(self) -> str:
        """county, town or village."""
        return "village" if self.village else "town" if self.town else "county"

    def label(self) -> str:
        """全县, a town, or town + village."""
        return f"{self.town}{self.village}" if self.town else "全县"

    def text(self) -> str:
        """The form ``parse`` reads."""
        return f"{self.town}/{self.village}" if self.village else self.town

    def contains(self, town: object, village: object) -> bool:
        """Whether a place (town, village) lies inside; an unknown place lies only in the county."""
        if self.town and town != self.town:
            return False
        return not (self.village and village != self.village)

    def params(self) -> dict[str, str]:
        """The ``$scope_town`` / ``$scope_village`` every user query takes ('' = any)."""
        return {"scope_town": self.town, "scope_village": self.village}


@dataclass(frozen=True)
class User:
    """A signed-in user: who, which roles, where."""

    username: str
    display_name: str
    roles: frozenset[Role]
    jurisdiction: Jurisdiction = field(default_factory=Jurisdiction)

    @property
    def rights(self) -> frozenset[str]:
        """The union of the roles' rights."""
        out: frozenset[str] = frozenset()
        for r in self.roles:
            out |= RIGHTS[r]
        return out

    def can(self, right: str) -> bool:
        """Whether any of the user's roles has ``right``."""
        return right in self.rights

    @property
    def masked(self) -> bool:
        """ID and account numbers are shown masked (pages and exports alike)."""
        return not self.can("full_id")

    def role_label(self) -> str:
        """The roles in Chinese, in a fixed order."""
        return "、".join(ROLE_LABELS[r] for r in Role if r in self.roles)

    def pages(self) -> list[PageSpec]:
        """The pages this user's roles register, in menu order."""
        return [p for p in PAGES if self.can(p.right)]


def parse_roles(text: str | list[str]) -> frozenset[Role]:
    """Roles from ``investigator,admin`` (codes or Chinese names); an unknown one is an error."""
    items = text.split(",") if isinstance(text, str) else text
    by_name = {**{r.value: r for r in Role}, **{v: k for k, v in ROLE_LABELS.items()}}
    out = set()
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item not in by_name:
            raise ValueError(f"未知角色“{item}”（可用：{', '.join(r.value for r in Role)}）")
        out.add(by_name[item])
    if not out:
        raise ValueError("至少需要一个角色")
    return frozenset(out)


# -- the query layer ---------------------------------------------------------------------

#: Stored queries that name no person, payment or household (file names, place names):
#: they take no jurisdiction.
UNSCOPED_QUERIES = frozenset({"source_files", "villages"})
#: Queries that only `workbench scan` (models) and `workbench load` (load) run, never a user session.
SYSTEM_PREFIXES = ("models/", "load/")
SCOPE_PARAMS = ("scope_town", "scope_village")


class AccessDenied(PermissionError):
    """A user session asked for something its role or jurisdiction does not allow."""


class ScopedStore(GraphStore):
    """A read-only view of a store for one user session: every query runs inside a jurisdiction.

    Only stored queries run. Each must declare ``$scope_town`` and ``$scope_village``
    (except the place and file lists in ``UNSCOPED_QUERIES``); the values come from the
    session's jurisdiction, never from the caller. The models' queries are refused: they
    run over the whole county in ``workbench scan``, and users see their results through
    ``scoped_warnings``.
    """

    def __init__(self, inner: GraphStore, jurisdiction: Jurisdiction) -> None:
        super().__init__(inner.schema, inner.state_dir)
        self.inner = inner
        self.jurisdiction = jurisdiction
        # the cache key of everything computed from this view (workbench.state.per_version)
        self.uri = f"{inner.uri}#{jurisdiction.text() or '全县'}"

    def query(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run ``queries/<name>.cypher`` with the caller's parameters and the session's jurisdiction."""
        if name.startswith(SYSTEM_PREFIXES):
            raise AccessDenied(f"模型和导入查询 {name} 只在 workbench scan / load 中运行")
        q = load_query(name)
        if name not in UNSCOPED_QUERIES:
            missing = [p for p in SCOPE_PARAMS if p not in q.params]
            if missing:
                raise AccessDenied(f"查询 {name} 未声明辖区参数 {', '.join('$' + p for p in missing)}，不能在用户会话中运行")
            given = [p for p in SCOPE_PARAMS if p in params]
            if given:
                raise AccessDenied(f"辖区参数由会话决定，不能由调用方传入：{', '.join(given)}")
            params = {**params, **self.jurisdiction.params()}
        q.check(params)
        return self.inner.run(q.text, params)

    def counts(self) -> dict[str, int]:
        """Counts of the whole graph: only for a county-wide view."""
        if self.jurisdiction.level != "county":
            raise AccessDenied("全图统计只对全县辖区开放")
        return self.inner.counts()

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Refused: a user session runs stored queries only."""
        raise AccessDenied("用户会话只能运行 queries/ 中的存储查询")

    def ensure_schema(self) -> None:
        """Refused: read-only."""
        raise AccessDenied("只读")

    def reset(self) -> None:
        """Refused: read-only."""
        raise AccessDenied("只读")

    def _insert_nodes(self, node: NodeType, table: pa.Table) -> None:
        raise AccessDenied("只读")

    def _insert_rels(self, rel: RelType, table: pa.Table) -> None:
        raise AccessDenied("只读")


def scoped_warnings(table: pd.DataFrame, evidence: pd.DataFrame, where: Jurisdiction) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The warnings placed inside ``where`` and, of their evidence, the payments inside it.

    A warning is placed where the spec puts it (its town and village: the evidence, or the
    cadre's office for the cadre models). Evidence payments elsewhere (a relative paid in
    another town) are left out, as every other payment outside the jurisdiction is.
    """
    if where.level == "county":
        return table, evidence
    keep = [where.contains(t, v) for t, v in zip(table["town"], table["village"], strict=True)]
    table = table[keep]
    ev = evidence[evidence["warning_id"].isin(table["warning_id"])]
    if "town" in ev.columns:
        ev = ev[[where.contains(t, v) for t, v in zip(ev["town"], ev["village"], strict=True)]]
    return table, ev
