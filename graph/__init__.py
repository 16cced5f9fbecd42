"""Graph stores: the embedded LadybugDB store (default) and Neo4j, behind one interface."""

from graph.schema import Schema, load_schema
from graph.store import GraphStore, open_store

__all__ = ["GraphStore", "Schema", "load_schema", "open_store"]
