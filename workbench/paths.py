"""Paths between two people, up to four hops, through kinship, households and shared accounts.

A bidirectional breadth-first search over the stored map queries (``graph/person_links``
from people, ``graph/linked_people`` from households and accounts), one batch query per
layer, growing the smaller side first: at four hops each side goes two layers deep, so
the search reads two people's neighbourhoods instead of one person's four-hop ball. It
stays in Python so that the Cypher keeps to the subset both stores run (variable-length
paths differ between them: relationship reuse, direction, path functions).

Villages, employers, vehicles and businesses are not stepped through: a village links
everyone in it, and an investigator asks "how is this cadre related to that recipient",
which kinship, a shared household or a shared account answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.store import GraphStore
from workbench.egonet import EgoMap, add_node, add_person, link_label, linked_people, node_id, parse_node_id, person_links
from workbench.graphview import MapEdge, MapNode
from workbench.search import mask_account, mask_id

MAX_HOPS = 4
STEP_KINDS = ("Person", "Household", "Account")  #: node kinds a path may pass through


@dataclass(frozen=True)
class Step:
    """One edge of the graph as the search saw it: ``source`` → ``target`` in the stored direction."""

    source: str
    target: str
    label: str


@dataclass
class Side:
    """One end of the bidirectional search: distance and parents (with the connecting step) per node."""

    dist: dict[str, int]
    parents: dict[str, list[tuple[str, Step]]] = field(default_factory=dict)
    frontier: list[str] = field(default_factory=list)
    depth: int = 0


@dataclass
class PathResult:
    """The shortest paths found (each a list of steps from ``a`` to ``b``), their length, and names."""

    a: str
    b: str
    hops: int | None
    paths: list[list[Step]]
    names: dict[str, str]
    truncated: bool = False


def neighbours(store: GraphStore, nodes: list[str], names: dict[str, str]) -> dict[str, list[tuple[str, Step]]]:
    """The neighbours (people, households, accounts) of map nodes, each with the step linking them."""
    out: dict[str, list[tuple[str, Step]]] = {n: [] for n in nodes}
    parsed = [parse_node_id(n) for n in nodes]
    people = [k for kind, k in parsed if kind == "Person"]
    hids = [k for kind, k in parsed if kind == "Household"]
    accounts = [k for kind, k in parsed if kind == "Account"]
    if people:
        links = person_links(store, people)
        # a person or household outside the jurisdiction is no step: a path through it would tell
        for r in links[links["kind"].isin(STEP_KINDS) & links["visible"]].itertuples():
            me, other = node_id("Person", r.pid), node_id(r.kind, r.key)
            names.setdefault(other, str(r.name or r.key))
            rel = r.rel.rstrip("<")  # "<": the link points at the person being expanded
            label = link_label(rel, r.detail)
            step = Step(other, me, label) if rel != r.rel else Step(me, other, label)
            out[me].append((other, step))
    if hids or accounts:
        linked = linked_people(store, hids, accounts)
        for r in linked[linked["visible"]].itertuples():
            me, other = node_id(r.kind, r.key), node_id("Person", r.pid)
            names.setdefault(other, str(r.name or ""))
            out[me].append((other, Step(other, me, link_label(r.rel, r.detail))))
    return out


def _grow(store: GraphStore, side: Side, names: dict[str, str]) -> None:
    """Expand ``side`` by one full layer."""
    found = neighbours(store, side.frontier, names)
    nxt: list[str] = []
    for node in side.frontier:
        for other, step in found[node]:
            if other not in side.dist:
                side.dist[other] = side.depth + 1
                side.parents[other] = []
                nxt.append(other)
            if side.dist[other] == side.depth + 1 and (node, step) not in side.parents[other]:
                side.parents[other].append((node, step))
    side.frontier, side.depth = nxt, side.depth + 1


def _walks(side: Side, node: str, limit: int) -> list[list[Step]]:
    """Every shortest walk from the side's origin to ``node`` (steps in walk order), at most ``limit``."""
    if side.dist[node] == 0:
        return [[]]
    walks: list[list[Step]] = []
    for parent, step in side.parents[node]:
        for w in _walks(side, parent, limit):
            walks.append([*w, step])
            if len(walks) >= limit:
                return walks
    return walks


def shortest_paths(store: GraphStore, a: str, b: str, max_hops: int = MAX_HOPS, limit: int = 20) -> PathResult:
    """The shortest paths (at most ``limit``) between people ``a`` and ``b`` of at most ``max_hops`` edges."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise ValueError(f"跳数应为 1 至 {MAX_HOPS}")
    na, nb = node_id("Person", a), node_id("Person", b)
    names: dict[str, str] = {}
    for nid, pid in ((na, a), (nb, b)):
        row = store.query("person_by_id", pid=pid)
        if row.empty:
            raise KeyError(f"没有身份证号为 {mask_id(pid)} 的人员")
        names[nid] = str(row.iloc[0]["name"] or "")
    if na == nb:
        return PathResult(a, b, 0, [[]], names)
    sa, sb = Side({na: 0}, frontier=[na]), Side({nb: 0}, frontier=[nb])
    while sa.depth + sb.depth < max_hops and sa.frontier and sb.frontier:
        _grow(store, sa if len(sa.frontier) <= len(sb.frontier) else sb, names)
        meet = set(sa.dist) & set(sb.dist)
        if meet:
            # both sides are expanded in whole layers, so the least sum over the meeting
            # nodes is the shortest distance
            hops = min(sa.dist[m] + sb.dist[m] for m in meet)
            paths: list[list[Step]] = []
            for m in sorted(x for x in meet if sa.dist[x] + sb.dist[x] == hops):
                for left in _walks(sa, m, limit):
                    for right in _walks(sb, m, limit):
                        paths.append(left + right[::-1])
            return PathResult(a, b, hops, paths[:limit], names, truncated=len(paths) > limit)
    return PathResult(a, b, None, [], names)


def describe(result: PathResult, path: list[Step], mask: bool = True) -> str:
    """A path as one line of text: 张三 —亲属（儿子）→ 张小明 —户成员← 户 H001 …"""
    here = node_id("Person", result.a)
    parts = [_name(here, result.names, mask)]
    for step in path:
        forward = step.source == here
        there = step.target if forward else step.source
        parts.append(f"—{step.label}→" if forward else f"←{step.label}—")
        parts.append(_name(there, result.names, mask))
        here = there
    return " ".join(parts)


def _name(nid: str, names: dict[str, str], mask: bool) -> str:
    kind, key = parse_node_id(nid)
    if kind == "Household":
        return f"户 {key}"
    if kind == "Account":
        return f"账户 {mask_account(key) if mask else key}"
    return names.get(nid) or (mask_id(key) if mask else key)


def path_map(result: PathResult, grades: dict[str, str] | None = None, mask: bool = True) -> EgoMap:
    """The nodes and edges of every path found, to draw with ``workbench.graphview``."""
    grades = grades or {}
    out = EgoMap()
    seen: set[Step] = set()
    for path in result.paths:
        for step in path:
            for nid in (step.source, step.target):
                kind, key = parse_node_id(nid)
                if kind == "Person":
                    add_person(out, key, result.names.get(nid, ""), grades, mask)
                elif kind == "Account":
                    add_node(out, MapNode(nid, kind, str(mask_account(key) if mask else key)))
                else:
                    add_node(out, MapNode(nid, kind, key))
            if step not in seen:
                seen.add(step)
                out.edges.append(MapEdge(step.source, step.target, step.label))
    return out
