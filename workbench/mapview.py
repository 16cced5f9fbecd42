"""Logic of the 关系图谱 page: search index per store, warning grades, the map page for one person."""

from __future__ import annotations

from datetime import date

import streamlit as st

from graph.store import GraphStore
from loaders.normalize import day_number
from scan.runner import load_warnings
from workbench.egonet import EgoMap, ego_map, grades_by_person
from workbench.graphview import render_html
from workbench.search import PersonIndex

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


@st.cache_resource(show_spinner="正在建立人员检索索引…")
def person_index(_store: GraphStore, uri: str) -> PersonIndex:
    """The search index of a store, built once per store and process (``uri`` is the cache key)."""
    return PersonIndex.build(_store)


def person_grades(store: GraphStore) -> dict[str, str]:
    """The highest warning grade per person in the stored warnings (empty before the first scan)."""
    warnings, evidence = load_warnings(store.state_dir)
    return grades_by_person(evidence, warnings)


def map_page(
    store: GraphStore,
    pid: str,
    name: str,
    depth: int,
    rels: set[str] | None,
    period: tuple[date, date] | None,
    cap: int,
) -> tuple[EgoMap, str]:
    """The ego map of one person and its offline HTML page."""
    lo, hi = (day_number(period[0]), day_number(period[1])) if period else (None, None)
    m = ego_map(store, pid, depth=depth, rels=rels, day_from=lo, day_to=hi, cap=cap, grades=person_grades(store))
    note = f"深度 {depth}" + (f"，{period[0]} 至 {period[1]}" if period else "")
    return m, render_html(m.nodes, m.edges, title=f"{name} 的关系图谱", note=note)
