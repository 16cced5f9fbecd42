"""The store the Streamlit process reads, opened once per process, and what is cached per data version.

Every page run would otherwise re-read the saved warnings, re-count the graph and
re-aggregate the payments (each 1–2 s on the demo here). They are cached per *data
version*: the modification times of the files in the store's state folder, which a
load (LadybugDB's files) and a scan (the saved warnings) both change. A Neo4j store's
data lives on the server, so its version also changes every five minutes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st

from graph.store import GraphStore
from workbench.access import ScopedStore, User

T = TypeVar("T")


@st.cache_resource
def get_store() -> GraphStore | None:
    """The store named by WORKBENCH_STORE (default ladybug:data/graph), read-only; None before the first load."""
    uri = os.environ.get("WORKBENCH_STORE") or "ladybug:data/graph"
    if uri.startswith("ladybug:"):
        from graph.ladybug_store import DB_FILE, LadybugStore

        folder = Path(uri.removeprefix("ladybug:"))
        if not (folder / DB_FILE).exists():
            return None
        # read-only: the loader may hold the write lock while the workbench is open
        return LadybugStore(folder, read_only=True)
    from graph.store import open_store

    return open_store(uri)


def store_or_stop(user: User) -> ScopedStore:
    """The store as ``user`` may see it (every query inside their jurisdiction), or (before the
    first load) a note saying what to run and the end of the page."""
    store = get_store()
    if store is None:
        st.info("图存储中还没有数据：请先运行 `workbench load 数据文件夹`（或 `make demo`）。")
        st.stop()
    return ScopedStore(store, user.jurisdiction)


def data_version(store: GraphStore) -> str:
    """A key that changes whenever the store's data or its saved scan changes."""
    folder = Path(store.state_dir)
    stamps = sorted(f"{p.name}:{p.stat().st_mtime_ns}" for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if not store.uri.startswith("ladybug:"):
        stamps.append(f"t{int(time.time() // 300)}")
    return "|".join(stamps)


@st.cache_data(max_entries=16, show_spinner=False)
def _per_version(name: str, _fn: Callable[[GraphStore], T], _store: GraphStore, uri: str, version: str) -> T:
    return _fn(_store)


def per_version(store: GraphStore, fn: Callable[[GraphStore], T]) -> T:
    """``fn(store)`` computed once per store and data version (``fn`` a module-level function)."""
    return _per_version(f"{fn.__module__}.{fn.__qualname__}", fn, store, store.uri, data_version(store))


def warnings_tables(store: GraphStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(warnings table, evidence) of the store's last scan inside its jurisdiction, read once per data version."""
    from workbench.warnview import stored_warnings

    return per_version(store, stored_warnings)


def warnings_or_stop(store: GraphStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored warnings table and evidence, or (before the first scan) a note and the end of the page."""
    table, evidence = warnings_tables(store)
    if table.empty:
        st.info("还没有预警：请先运行 `workbench scan`。")
        st.stop()
    return table, evidence
