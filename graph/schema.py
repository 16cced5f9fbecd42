"""The graph schema as data: loaded once from ``schema.yaml``.

Every other module asks this one for labels, keys and property types, so DDL,
loaders, Neo4j constraints and UI labels cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

TYPES = ("STRING", "INT64", "DOUBLE", "BOOL")
#: LoadBatch.mode of a `workbench load --append` (payments only): `scan --since` extends
#: the last scan's rows only after such loads.
APPEND_MODE = "追加"
ARROW_TYPES: dict[str, pa.DataType] = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOL": pa.bool_(),
}


@dataclass(frozen=True)
class Prop:
    """One property of a node or relationship type."""

    name: str
    type: str
    label: str


@dataclass(frozen=True)
class NodeType:
    """A node label with its key property and properties (key first)."""

    name: str
    label: str
    key: str
    properties: tuple[Prop, ...]
    #: Properties a lookup index is declared on (Neo4j; LadybugDB scans columns).
    indexes: tuple[str, ...] = ()

    def arrow_schema(self) -> pa.Schema:
        """Arrow schema of a bulk-load table for this node type."""
        return pa.schema([(p.name, ARROW_TYPES[p.type]) for p in self.properties])


@dataclass(frozen=True)
class RelType:
    """A relationship type between two node types, with its properties."""

    name: str
    label: str
    source: str
    target: str
    properties: tuple[Prop, ...]
    #: The types of the two end nodes' keys (most are text; a LoadBatch's is a number).
    source_key_type: str = "STRING"
    target_key_type: str = "STRING"
    #: ``"from"`` or ``"to"``: the edge comes from the source row of the node at that end
    #: (a payment's edges) and carries none of its own; ``""``: its own ``src_fid``/``src_line``.
    provenance: str = ""

    def provenance_end(self) -> str:
        """The node type whose ``src_fid``/``src_line`` is this edge's source row (``""``: its own)."""
        return {"from": self.source, "to": self.target}.get(self.provenance, "")

    def arrow_schema(self) -> pa.Schema:
        """Arrow schema of a bulk-load table: ``from`` and ``to`` keys, then properties."""
        ends = [("from", ARROW_TYPES[self.source_key_type]), ("to", ARROW_TYPES[self.target_key_type])]
        return pa.schema(ends + [(p.name, ARROW_TYPES[p.type]) for p in self.properties])


@dataclass(frozen=True)
class Schema:
    """All node and relationship types of the graph."""

    nodes: dict[str, NodeType]
    rels: dict[str, RelType]

    def node(self, name: str) -> NodeType:
        """The node type called ``name``; KeyError names the unknown label."""
        return self.nodes[name]

    def rel(self, name: str) -> RelType:
        """The relationship type called ``name``."""
        return self.rels[name]

    def property_keys(self) -> set[str]:
        """Every property name used anywhere (for the Neo4j linter's schema)."""
        keys = {p.name for n in self.nodes.values() for p in n.properties}
        keys |= {p.name for r in self.rels.values() for p in r.properties}
        return keys


def _props(raw: dict, owner: str) -> tuple[Prop, ...]:
    out = []
    for name, spec in raw.items():
        if spec["type"] not in TYPES:
            raise ValueError(f"schema: {owner}.{name} has unknown type {spec['type']}")
        out.append(Prop(name, spec["type"], spec.get("label", name)))
    return tuple(out)


def parse_schema(data: dict) -> Schema:
    """Build a Schema from its YAML form, checking keys and endpoints."""
    nodes = {}
    for name, spec in data["nodes"].items():
        props = _props(spec["properties"], name)
        if props[0].name != spec["key"]:
            raise ValueError(f"schema: {name}'s key {spec['key']} must be its first property")
        indexes = tuple(spec.get("indexes", ()))
        unknown = set(indexes) - {p.name for p in props}
        if unknown:
            raise ValueError(f"schema: {name} indexes unknown properties {sorted(unknown)}")
        nodes[name] = NodeType(name, spec["label"], spec["key"], props, indexes)
    rels = {}
    for name, spec in data["relationships"].items():
        for end in (spec["from"], spec["to"]):
            if end not in nodes:
                raise ValueError(f"schema: relationship {name} names unknown node type {end}")
        ends = [nodes[end].properties[0].type for end in (spec["from"], spec["to"])]  # the key comes first
        props = _props(spec["properties"] or {}, name)
        provenance = spec.get("provenance", "")
        own = {"src_fid", "src_line"} <= {p.name for p in props}
        if provenance not in ("", "from", "to") or own == bool(provenance):
            # every edge must lead back to a file and line: its own, or its end node's
            raise ValueError(f"schema: {name} needs src_fid and src_line, or provenance: from|to instead of them")
        rels[name] = RelType(name, spec["label"], spec["from"], spec["to"], props, *ends, provenance)
    return Schema(nodes, rels)


@cache
def load_schema(path: Path | None = None) -> Schema:
    """The project's schema (``graph/schema.yaml``)."""
    path = path or Path(__file__).with_name("schema.yaml")
    return parse_schema(yaml.safe_load(path.read_text(encoding="utf-8")))
