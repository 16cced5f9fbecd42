"""Logic of the 关系图谱 page: search index per store, warning grades, the map page for one person."""

from __future__ import annotations

from datetime import date

import streamlit as st

from graph.store import GraphStore
from loaders.normalize import day_number
from workbench.egonet import EXPANDABLE, EgoMap, ego_map, grades_by_person, node_id, parse_node_id
from workbench.graphview import kind_label, render_html
from workbench.paths import PathResult, describe, path_map, shortest_paths
from workbench.search import PersonIndex
from workbench.state import data_version, warnings_tables

#: Relationship types a user can filter the map by (schema names; labels come from the schema).
FILTERABLE = (
    "RELATIVE_OF",
    "MEMBER_OF",
    "USES_ACCOUNT",
    "HOLDS_OFFICE",
    "EMPLOYED_AT",
    "OWNS_VEHICLE",
    "LEGAL_REP_OF",
    "RECEIVED",
)


@st.cache_resource(show_spinner="正在建立人员检索索引…", max_entries=2)
def _person_index(_store: GraphStore, uri: str, version: str) -> PersonIndex:
    return PersonIndex.build(_store)


def person_index(store: GraphStore) -> PersonIndex:
    """The search index of a store, built once per store and data version (a reload rebuilds it)."""
    return _person_index(store, store.uri, data_version(store))


def person_grades(store: GraphStore) -> dict[str, str]:
    """The highest warning grade per person in the stored warnings (empty before the first scan)."""
    table, evidence = warnings_tables(store)
    return grades_by_person(evidence, table)


def map_page(
    store: GraphStore,
    pid: str,
    name: str,
    depth: int,
    rels: set[str] | None,
    period: tuple[date, date] | None,
    cap: int,
    expand: list[str] | None = None,
    mask: bool = True,
) -> tuple[EgoMap, str]:
    """The ego map of one person (with the nodes in ``expand`` opened in place) and its offline HTML page."""
    lo, hi = (day_number(period[0]), day_number(period[1])) if period else (None, None)
    m = ego_map(
        store, pid, depth=depth, rels=rels, day_from=lo, day_to=hi, cap=cap, grades=person_grades(store), expand=expand, mask=mask
    )
    note = f"深度 {depth}" + (f"，{period[0]} 至 {period[1]}" if period else "")
    if expand:
        note += f"，另展开 {len(expand)} 个节点"
    return m, render_html(m.nodes, m.edges, title=f"{name} 的关系图谱", note=note)


def expandable(m: EgoMap) -> dict[str, str]:
    """The map's people, households and accounts a user may open further: node id → caption with its kind."""
    return {n.id: f"{n.label}（{kind_label(n.kind)}）" for n in m.nodes if parse_node_id(n.id)[0] in EXPANDABLE}


def path_page(store: GraphStore, a: str, b: str, max_hops: int, mask: bool = True) -> tuple[PathResult, list[str], str | None]:
    """The shortest paths between two people: the result, each path as a line of text, and the map page."""
    result = shortest_paths(store, a, b, max_hops=max_hops)
    if not result.paths:
        return result, [], None
    m = path_map(result, person_grades(store), mask=mask)
    title = f"{result.names.get(node_id('Person', a), '')} 与 {result.names.get(node_id('Person', b), '')} 的关系路径"
    note = f"最短 {result.hops} 跳，共 {len(result.paths)} 条" + ("（只显示前若干条）" if result.truncated else "")
    return result, [describe(result, p, mask=mask) for p in result.paths], render_html(m.nodes, m.edges, title=title, note=note)
