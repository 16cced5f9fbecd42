"""Graph overview: what the store holds, with the schema's Chinese labels (logic for the 图谱概况 page)."""

from __future__ import annotations

import pandas as pd

from graph.schema import Schema
from graph.store import GraphStore


def count_rows(schema: Schema, counts: dict[str, int]) -> list[tuple[str, str, str, int]]:
    """(kind, name, Chinese label, count) for every node label and relationship type, in schema order."""
    rows = []
    for name, n in counts.items():
        if name in schema.nodes:
            rows.append(("节点", name, schema.nodes[name].label, n))
        else:
            rows.append(("关系", name, schema.rels[name].label, n))
    return rows


def overview_table(store: GraphStore) -> pd.DataFrame:
    """One row per node label and relationship type: kind, name, Chinese label (with ends), count."""
    nodes, rels = store.schema.nodes, store.schema.rels
    rows = [
        (
            kind,
            name,
            label if kind == "节点" else f"{label}（{nodes[rels[name].source].label}→{nodes[rels[name].target].label}）",
            n,
        )
        for kind, name, label, n in count_rows(store.schema, store.counts())
    ]
    return pd.DataFrame(rows, columns=["类型", "名称", "中文", "数量"])


def source_files(store: GraphStore) -> pd.DataFrame:
    """The loaded source files with their kind, rows and SHA-256 (provenance of every node)."""
    df = store.query("source_files")[["name", "kind", "rows", "sha256"]]
    return df.rename(columns={"name": "文件", "kind": "数据类别", "rows": "读取行数", "sha256": "SHA-256"})
