"""The ego network of a person, as map nodes and edges for ``workbench.graphview``.

Depth counts edges drawn from the centre. People are expanded through the stored
queries ``graph/person_links`` (relatives, households, accounts, offices, employers,
vehicles, businesses) and ``graph/person_payments`` (payments grouped per program);
households and accounts through ``graph/linked_people`` (their members and users).
Villages, employers, vehicles, businesses and payment groups are leaves: a village
would pull in everyone in it. A node with more than ``cap`` new neighbours shows the
first ``cap`` and one group node with the count of the rest, so that an account with
500 users stays readable.

A person or household outside the user's jurisdiction comes from the queries with
``visible`` false and no name; it is drawn as a bare 辖区外 node (no name, no ID, not
expandable), numbered in the order met so that even its key stays on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from graph.schema import load_schema
from graph.store import GraphStore
from workbench.graphview import MapEdge, MapNode
from workbench.search import mask_account, mask_id

GRADE_ORDER = {"yellow": 1, "orange": 2, "red": 3}
FAR_PAST, FAR_FUTURE = -1_000_000, 1_000_000  # day numbers bounding "no date filter"
EXPANDABLE = ("Person", "Household", "Account")  #: kinds of map node that have links to open


@dataclass
class EgoMap:
    """What to draw, plus notes for the user (caps applied, filters)."""

    nodes: list[MapNode] = field(default_factory=list)
    edges: list[MapEdge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: node id of each node outside the jurisdiction met so far ("Person:<pid>" → "Outside:<n>")
    outside: dict[str, str] = field(default_factory=dict)

    def node_ids(self) -> set[str]:
        return {n.id for n in self.nodes}


def rel_label(rel: str) -> str:
    """The Chinese name of a relationship type, from the schema."""
    schema = load_schema()
    return schema.rels[rel].label if rel in schema.rels else rel


def node_id(kind: str, key: object) -> str:
    """A map node id unique across kinds (keys of different kinds may be equal strings)."""
    return f"{kind}:{key}"


def link_label(rel: str, detail: object) -> str:
    """An edge's caption: the relationship's Chinese name, with the link's detail (relation, position…)."""
    return rel_label(rel) + (f"（{detail}）" if isinstance(detail, str) and detail else "")


def person_links(store: GraphStore, pids: list[str]) -> pd.DataFrame:
    """``graph/person_links`` of ``pids``, sorted: the store returns rows in no set order, and a
    map (node numbers, layout, which neighbours a cap hides) or a path list must be the same
    for the same data. One relative link per pair, the declared one first."""
    links = _visible(_each(store, "graph/person_links", [{"pid": p} for p in dict.fromkeys(pids)]))
    # a relative both declared and in the cadre's household is one link, shown as declared
    inferred = links["detail"].astype(str).str.endswith("·户籍推断")
    links = links.assign(_inferred=inferred).sort_values(["pid", "rel", "kind", "key", "_inferred", "detail"], kind="stable")
    again = links["rel"].str.startswith("RELATIVE_OF") & links.duplicated(["pid", "rel", "kind", "key"])
    return links[~again].drop(columns="_inferred")


def linked_people(store: GraphStore, hids: list[str], accounts: list[str]) -> pd.DataFrame:
    """``graph/linked_people`` of households and accounts, sorted (as ``person_links``)."""
    keys = [{"hid": h, "account": ""} for h in dict.fromkeys(hids)] + [{"hid": "", "account": a} for a in dict.fromkeys(accounts)]
    linked = _each(store, "graph/linked_people", keys)
    return _visible(linked).sort_values(["kind", "key", "pid", "rel"], kind="stable")


def person_payments(store: GraphStore, pids: list[str], day_from: int, day_to: int) -> pd.DataFrame:
    """``graph/person_payments`` of ``pids``: payments per person and program in the day range."""
    return _each(
        store, "graph/person_payments", [{"pid": p, "day_from": day_from, "day_to": day_to} for p in dict.fromkeys(pids)]
    )


def _each(store: GraphStore, name: str, calls: list[dict]) -> pd.DataFrame:
    """A stored query once per key, rows together. The map's queries take one key a call:
    an equality on a node key is an index lookup in both stores (milliseconds), where a
    list of keys made LadybugDB scan the whole label (about a second at county scale)."""
    frames = [store.query(name, **c) for c in calls]
    found = [f for f in frames if len(f)]
    if found:
        return pd.concat(found, ignore_index=True)
    return frames[0] if frames else pd.DataFrame(columns=list(EMPTY_COLUMNS[name]))


#: The columns of each map query, for a call with no key at all.
EMPTY_COLUMNS = {
    "graph/person_links": ("pid", "rel", "detail", "kind", "key", "name", "day_from", "day_to", "visible"),
    "graph/linked_people": ("kind", "key", "rel", "detail", "pid", "name", "visible"),
    "graph/person_payments": ("pid", "program", "payments", "amount", "first_date", "last_date"),
}


def _visible(rows: pd.DataFrame) -> pd.DataFrame:
    """``visible`` as a plain bool, a missing value read as outside (deny by default)."""
    return rows.assign(visible=rows["visible"].map(lambda v: v is True or v == True))  # noqa: E712 - numpy bools


def parse_node_id(nid: str) -> tuple[str, str]:
    """(kind, key) of a map node id; a cadre is expanded as the person it is."""
    kind, _, key = nid.partition(":")
    return ("Person" if kind == "Cadre" else kind), key


def ego_map(
    store: GraphStore,
    pid: str | list[str],
    depth: int = 2,
    rels: set[str] | None = None,
    day_from: int | None = None,
    day_to: int | None = None,
    cap: int = 30,
    grades: dict[str, str] | None = None,
    mask: bool = True,
    expand: list[str] | None = None,
) -> EgoMap:
    """The ego network of person ``pid`` (or of several people together: a warning's) to ``depth`` (1–3) edges.

    Filtered by relationship types and by dates (day numbers). ``expand`` names map nodes
    (people, households, accounts) to open one layer further, as a user does on the map.
    """
    if not 1 <= depth <= 3:
        raise ValueError("深度应为 1 至 3")
    grades = grades or {}
    lo, hi = day_from if day_from is not None else FAR_PAST, day_to if day_to is not None else FAR_FUTURE
    out = EgoMap()
    seeds = [pid] if isinstance(pid, str) else list(dict.fromkeys(pid))
    for p in seeds:
        centre = store.query("person_by_id", pid=p)
        if centre.empty:
            raise KeyError(f"没有身份证号为 {mask_id(p) if mask else p} 的人员")
        add_person(out, p, str(centre.iloc[0]["name"] or ""), grades, mask)

    frontier: list[tuple[str, str]] = [("Person", p) for p in seeds]
    expanded: set[str] = set()
    for _ in range(depth):
        frontier = _expand(store, out, frontier, expanded, rels, lo, hi, cap, grades, mask)
    # nodes the user opened in place: one more layer from each (a node already open stays as it is)
    extra = [parse_node_id(n) for n in expand or [] if parse_node_id(n)[0] in EXPANDABLE]
    _expand(store, out, extra, expanded, rels, lo, hi, cap, grades, mask)
    return out


def _expand(
    store: GraphStore,
    out: EgoMap,
    frontier: list[tuple[str, str]],
    expanded: set[str],
    rels: set[str] | None,
    lo: int,
    hi: int,
    cap: int,
    grades: dict[str, str],
    mask: bool,
) -> list[tuple[str, str]]:
    """Add the links of the people, households and accounts in ``frontier`` not yet expanded; the next frontier."""
    people = [k for kind, k in frontier if kind == "Person" and node_id(kind, k) not in expanded]
    hids = [k for kind, k in frontier if kind == "Household" and node_id(kind, k) not in expanded]
    accounts = [k for kind, k in frontier if kind == "Account" and node_id(kind, k) not in expanded]
    expanded |= {node_id("Person", k) for k in people} | {node_id("Household", k) for k in hids}
    expanded |= {node_id("Account", k) for k in accounts}
    nxt: list[tuple[str, str]] = []
    if people:
        links = person_links(store, people)
        _mark_cadres(out, set(links.loc[links["rel"] == "HOLDS_OFFICE", "pid"]))  # before any filter
        links = links[_in_range(links, lo, hi)]
        if rels is not None:
            links = links[links["rel"].str.rstrip("<").isin(rels)]
        for src, group in links.groupby("pid", sort=True):
            nxt += _attach(out, node_id("Person", src), group, cap, grades, mask, from_person=True)
        if rels is None or "RECEIVED" in rels:
            pays = person_payments(store, people, lo, hi)
            for r in pays.sort_values(["pid", "program"]).itertuples():
                gid = node_id("PaymentGroup", f"{r.pid}|{r.program}")
                label = f"{r.program} {int(r.payments)}笔 {float(r.amount):,.2f}元"
                details = {"期间": f"{r.first_date} 至 {r.last_date}"}
                add_node(out, MapNode(gid, "PaymentGroup", label, details))
                out.edges.append(MapEdge(node_id("Person", r.pid), gid, rel_label("RECEIVED")))
    if hids or accounts:
        linked = linked_people(store, hids, accounts)
        if rels is not None:
            linked = linked[linked["rel"].isin(rels)]
        for (kind, key), group in linked.groupby(["kind", "key"], sort=True):
            nxt += _attach(out, node_id(kind, key), group, cap, grades, mask, from_person=False)
    return nxt


def _in_range(links: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    """Links whose known period overlaps [lo, hi]; links without dates always pass."""
    start = pd.to_numeric(links["day_from"], errors="coerce").fillna(FAR_PAST)
    end = pd.to_numeric(links["day_to"], errors="coerce").fillna(FAR_FUTURE)
    return (start <= hi) & (end >= lo)


def _attach(
    out: EgoMap, src: str, group: pd.DataFrame, cap: int, grades: dict[str, str], mask: bool, from_person: bool
) -> list[tuple[str, str]]:
    """Add the linked nodes of ``src`` (at most ``cap`` new ones, the rest as one group node)."""
    known = out.node_ids()
    # one link per neighbour: a relative may be both declared and a household co-member
    targets = group.apply(lambda r: _target(r, from_person), axis=1) if len(group) else group.index.to_series()
    rows = list(group[~targets.duplicated().to_numpy()].itertuples())
    known |= set(out.outside)  # an outside node met before is on the map under its number
    new_rows = [r for r in rows if _target(r, from_person) not in known]
    shown, hidden = new_rows[:cap], new_rows[cap:]
    reached: list[tuple[str, str]] = []
    for r in [r for r in rows if _target(r, from_person) in known] + shown:
        kind, key, name = ("Person", r.pid, r.name) if not from_person else (r.kind, r.key, r.name)
        nid = node_id(kind, key)
        if not r.visible:
            nid = out.outside.setdefault(nid, node_id("Outside", len(out.outside) + 1))
            what = "人员" if kind == "Person" else "户"
            add_node(out, MapNode(nid, "Outside", f"辖区外{what}", {"说明": "不在您的辖区内，详情不予显示"}))
            kind = "Outside"
        elif kind == "Person":
            add_person(out, str(key), str(name or ""), grades, mask)
        elif kind == "Account" and mask:
            add_node(out, MapNode(nid, kind, str(mask_account(str(key)))))
        else:
            add_node(out, MapNode(nid, kind, str(name or key)))
        rel = r.rel.rstrip("<")  # "<": the link points at the person being expanded
        label = link_label(rel, r.detail)
        edge = MapEdge(src, nid, label) if from_person and rel == r.rel else MapEdge(nid, src, label)
        if not any(e.source == edge.source and e.target == edge.target and e.label == edge.label for e in out.edges):
            out.edges.append(edge)
        if kind in ("Person", "Household", "Account"):
            reached.append((kind, str(key)))
    if hidden:
        gid = f"{src}|more"
        add_node(out, MapNode(gid, "Group", f"另有 {len(hidden)} 项未展开", {"说明": f"超过上限 {cap}，已合并"}))
        out.edges.append(MapEdge(src, gid, f"{len(hidden)} 项"))
        out.notes.append(f"{src.split(':', 1)[1]} 的关联超过 {cap} 项，另 {len(hidden)} 项合并为一个节点")
    return reached


def _target(r: object, from_person: bool) -> str:
    return node_id(r.kind, r.key) if from_person else node_id("Person", r.pid)  # type: ignore[attr-defined]


def add_node(out: EgoMap, node: MapNode) -> None:
    """Add ``node`` unless a node with its id is on the map."""
    if node.id not in out.node_ids():
        out.nodes.append(node)


def add_person(out: EgoMap, pid: str, name: str, grades: dict[str, str], mask: bool) -> None:
    """Add person ``pid`` (masked ID, warning ring) unless on the map."""
    nid = node_id("Person", pid)
    if nid in out.node_ids() or nid in out.outside:
        return
    shown_id = mask_id(pid) if mask else pid
    out.nodes.append(MapNode(nid, "Person", name or shown_id, {"身份证号": shown_id}, grades.get(pid)))


def _mark_cadres(out: EgoMap, pids: set[str]) -> None:
    """People found to hold an office when they are expanded are drawn as cadres."""
    for n in out.nodes:
        if n.kind == "Person" and n.id.split(":", 1)[1] in pids:
            n.kind = "Cadre"


def grades_by_person(evidence: pd.DataFrame, warnings: pd.DataFrame) -> dict[str, str]:
    """The highest warning grade per person among the evidence payments' recipients."""
    if evidence.empty or warnings.empty:
        return {}
    g = evidence[["warning_id", "pid"]].merge(warnings[["warning_id", "grade"]], on="warning_id")
    g["_r"] = g["grade"].map(GRADE_ORDER)
    best = g.sort_values("_r").groupby("pid")["grade"].last()
    return best.to_dict()
