"""Graph overview: what the store holds, with the schema's Chinese labels (logic for the 图谱概况 page)."""

from __future__ import annotations

import pandas as pd

from graph.store import GraphStore


def overview_table(store: GraphStore) -> pd.DataFrame:
    """One row per node label and relationship type: kind, name, Chinese label, count."""
    counts = store.counts()
    rows = []
    for name, n in counts.items():
        if name in store.schema.nodes:
            rows.append(("节点", name, store.schema.nodes[name].label, n))
        else:
            rel = store.schema.rels[name]
            rows.append(
                ("关系", name, f"{rel.label}（{store.schema.nodes[rel.source].label}→{store.schema.nodes[rel.target].label}）", n)
            )
    return pd.DataFrame(rows, columns=["类型", "名称", "中文", "数量"])


def source_files(store: GraphStore) -> pd.DataFrame:
    """The loaded source files with their kind, rows and SHA-256 (provenance of every node)."""
    df = store.run("MATCH (f:SourceFile) RETURN f.name AS name, f.kind AS kind, f.rows AS rows, f.sha256 AS sha256 ORDER BY name")
    return df.rename(columns={"name": "文件", "kind": "数据类别", "rows": "读取行数", "sha256": "SHA-256"})
