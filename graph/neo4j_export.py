"""Files for ``neo4j-admin database import``: the first load of millions of rows into Neo4j.

Through the driver a load is batched ``UNWIND … MERGE`` transactions (``Neo4jStore``),
which is right for a month's append but slow for a first load of a city (tens of
millions of nodes and relationships). ``neo4j-admin database import full`` writes the
store files directly from CSV, offline, at hundreds of thousands of rows per second.
This module writes those CSV files from a loaded embedded store (same loaders, same
graph): one header file and one data file per node label and relationship type, with
Neo4j's typed headers, plus the command that imports them.
"""

from __future__ import annotations

import time
from pathlib import Path

from graph.ladybug_store import LadybugStore

NEO4J_TYPES = {"STRING": "string", "INT64": "long", "DOUBLE": "double", "BOOL": "boolean"}


def export_import_files(store: LadybugStore, out: Path, database: str = "neo4j") -> tuple[str, dict[str, float]]:
    """Write the import files of every label and type into ``out``; return the
    ``neo4j-admin`` command and the seconds each file took.

    Every node gets an import id (``:ID(Label)``, the key as text) and all its properties
    typed as the schema declares them (an integer key stays an integer property).
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    args: list[str] = []
    schema = store.schema
    for name, node in schema.nodes.items():
        header = [f":ID({name})"] + [f"{p.name}:{NEO4J_TYPES[p.type]}" for p in node.properties]
        cols = ", ".join([f"n.{node.key}"] + [f"n.{p.name}" for p in node.properties])
        seconds[name] = _write(store, out, name, header, f"MATCH (n:{name}) RETURN {cols}")
        args.append(f"--nodes={name}={out / (name + '.header.csv')},{out / (name + '.csv')}")
    for name, rel in schema.rels.items():
        header = [f":START_ID({rel.source})", f":END_ID({rel.target})"] + [
            f"{p.name}:{NEO4J_TYPES[p.type]}" for p in rel.properties
        ]
        src, dst = schema.node(rel.source).key, schema.node(rel.target).key
        cols = ", ".join([f"a.{src}", f"b.{dst}"] + [f"r.{p.name}" for p in rel.properties])
        query = f"MATCH (a:{rel.source})-[r:{name}]->(b:{rel.target}) RETURN {cols}"
        seconds[name] = _write(store, out, name, header, query)
        args.append(f"--relationships={name}={out / (name + '.header.csv')},{out / (name + '.csv')}")
    command = " ".join(
        ["neo4j-admin database import full", "--id-type=string", "--skip-bad-relationships=false", *args, database]
    )
    note = "# 停止 Neo4j 后运行；之后启动 Neo4j，workbench 连接时建立约束和索引"
    (out / "import.sh").write_text(f"#!/bin/sh\n{note}\n{command}\n", encoding="utf-8")
    return command, seconds


def _write(store: LadybugStore, out: Path, name: str, header: list[str], query: str) -> float:
    """The header file, then the rows with LadybugDB's own CSV writer (quoting per RFC 4180)."""
    t = time.perf_counter()
    (out / f"{name}.header.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    target = out / f"{name}.csv"
    # The path is this program's own output folder, not user input; COPY TO takes no parameter.
    store.run(f"COPY ({query}) TO '{target.as_posix()}' (header=false)")
    return time.perf_counter() - t
