"""The store the Streamlit process reads, opened once per process."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.store import GraphStore


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


def store_or_stop() -> GraphStore:
    """The store, or (before the first load) a note saying what to run and the end of the page."""
    store = get_store()
    if store is None:
        st.info("图存储中还没有数据：请先运行 `workbench load 数据文件夹`（或 `make demo`）。")
        st.stop()
    return store


def warnings_or_stop(store: GraphStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored warnings table and evidence, or (before the first scan) a note and the end of the page."""
    from workbench.warnview import load_table

    table, evidence = load_table(store.state_dir)
    if table.empty:
        st.info("还没有预警：请先运行 `workbench scan`。")
        st.stop()
    return table, evidence
