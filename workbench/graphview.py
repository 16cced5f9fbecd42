"""Relationship maps as one self-contained HTML page, for air-gapped intranets.

pyvis builds the network (nodes, edges, options); the page is rendered here rather
than by pyvis's template, because that template links Bootstrap and, by default,
vis-network from public CDNs. vis-network's JavaScript and CSS are read from the pyvis
package and inlined, so the page loads nothing from anywhere.

Data never reaches the page as markup: tooltips are HTML-escaped here and turned into
elements in the page (vis-network shows string titles as text, pyvis's template put
them through ``innerHTML``); every ``<``, ``>`` and ``&`` inside the embedded JSON is
written as a ``\\u00xx`` escape so that no value can close the ``<script>`` element.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyvis
from pyvis.network import Network

from graph.schema import load_schema

VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

#: Colour and vis-network shape per kind of node; kinds are schema labels plus the
#: display-only kinds a map groups nodes into.
STYLES: dict[str, tuple[str, str]] = {
    "Cadre": ("#c0392b", "star"),
    "Person": ("#2e86de", "dot"),
    "Household": ("#27ae60", "square"),
    "PaymentGroup": ("#f39c12", "diamond"),
    "Payment": ("#f5b041", "diamond"),
    "Account": ("#8e44ad", "triangle"),
    "Employer": ("#16a085", "box"),
    "Vehicle": ("#7f8c8d", "triangleDown"),
    "Business": ("#d35400", "hexagon"),
    "Village": ("#95a5a6", "ellipse"),
    "Town": ("#bdc3c7", "ellipse"),
    "Death": ("#34495e", "dot"),
    "Program": ("#e67e22", "box"),
    "Group": ("#d5d8dc", "box"),
    "Outside": ("#e5e7e9", "dot"),
}
KIND_LABELS: dict[str, str] = {"Cadre": "村干部", "PaymentGroup": "发放（按项目）", "Group": "合并节点", "Outside": "辖区外"}
RING: dict[str, str] = {"red": "#e60000", "orange": "#ff8c00", "yellow": "#f2c200"}

_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass
class MapNode:
    """A node of a relationship map: its kind (schema label or display kind), caption and details."""

    id: str
    kind: str
    label: str
    details: dict[str, str] = field(default_factory=dict)
    grade: str | None = None  # the highest warning grade on this node, drawn as a ring


@dataclass
class MapEdge:
    """A directed, labelled edge between two map nodes."""

    source: str
    target: str
    label: str


def kind_label(kind: str) -> str:
    """The Chinese name of a node kind (schema label, or a display kind)."""
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    schema = load_schema()
    return schema.nodes[kind].label if kind in schema.nodes else kind


def tooltip(node: MapNode) -> str:
    """The node's tooltip as escaped HTML: kind, caption and details, one per line."""
    lines = [f"{kind_label(node.kind)}：{node.label}"] + [f"{k}：{v}" for k, v in node.details.items() if v not in (None, "")]
    if node.grade:
        lines.append(f"预警等级：{ {'red': '红色', 'orange': '橙色', 'yellow': '黄色'}.get(node.grade, node.grade) }")
    return "<br>".join(html.escape(str(line), quote=True) for line in lines)


def build_network(nodes: list[MapNode], edges: list[MapEdge]) -> Network:
    """The pyvis network of a map: a colour and shape per kind, a ring per warning grade."""
    net = Network(height="640px", width="100%", directed=True, cdn_resources="in_line")
    # The page numbers its nodes: map ids carry keys (a person's is the ID number), and a
    # page's script is readable by whoever opens the file, masked labels or not.
    number = {n.id: i for i, n in enumerate(nodes, start=1)}
    for n in nodes:
        colour, shape = STYLES.get(n.kind, ("#999999", "dot"))
        ring = RING.get(n.grade or "")
        net.add_node(
            number[n.id],
            label=n.label,
            title=tooltip(n),
            shape=shape,
            color={"background": colour, "border": ring or colour, "highlight": {"background": colour, "border": "#000"}},
            borderWidth=5 if ring else 1,
            kind=n.kind,  # not `group`: pyvis drops the colour of grouped nodes
        )
    for e in edges:
        net.add_edge(
            number[e.source], number[e.target], label=e.label, title=html.escape(e.label), arrows="to", font={"size": 11}
        )
    # A dict, not set_options(): that parser deletes every space ("Noto Sans" → "NotoSans").
    net.options = {
        "physics": {"stabilization": {"iterations": 200}, "barnesHut": {"springLength": 140}},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, sans-serif"}},
        "edges": {"smooth": {"type": "dynamic"}},
    }
    return net


def safe_json(value: object) -> str:
    """JSON that cannot end a ``<script>`` element or open markup: ``<``, ``>`` and ``&`` are escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_UNSAFE[m.group(0)], text)


@cache
def _vis_assets() -> tuple[str, str]:
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # A closing tag inside the library would end our inline element early.
    if "</script" in js.lower() or "</style" in css.lower():
        raise RuntimeError("vis-network 资源中含有结束标签，无法内联")
    return js, css


def render_html(nodes: list[MapNode], edges: list[MapEdge], title: str, note: str = "") -> str:
    """The map as one HTML page with vis-network inlined: nothing is loaded from a network."""
    net = build_network(nodes, edges)
    js, css = _vis_assets()
    legend = "".join(
        f'<span class="k"><i style="background:{STYLES[k][0]}"></i>{html.escape(kind_label(k))}</span>'
        for k in sorted({n.kind for n in nodes} & STYLES.keys(), key=list(STYLES).index)
    )
    return _PAGE.format(
        title=html.escape(title),
        note=html.escape(note),
        legend=legend,
        css=css,
        js=js,
        nodes=safe_json(net.nodes),
        edges=safe_json(net.edges),
        options=safe_json(net.options),
    )


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{css}</style>
<style>
body {{ margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
header {{ padding: 6px 10px; font-size: 14px; }}
header .k {{ margin-right: 12px; white-space: nowrap; }}
header .k i {{ display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; }}
#graph {{ width: 100%; height: 640px; border-top: 1px solid #ddd; }}
.vis-tooltip {{ white-space: normal; max-width: 360px; }}
</style>
<script>{js}</script>
</head>
<body>
<header><strong>{title}</strong> {note}<br>{legend}</header>
<div id="graph"></div>
<script>
(function () {{
  var nodes = {nodes};
  var edges = {edges};
  // Tooltips arrive HTML-escaped; an element built from them shows the text, never markup.
  function tip(t) {{ var d = document.createElement("div"); d.innerHTML = t; return d; }}
  nodes.forEach(function (n) {{ if (n.title) n.title = tip(n.title); }});
  edges.forEach(function (e) {{ if (e.title) e.title = tip(e.title); }});
  var network = new vis.Network(document.getElementById("graph"),
    {{ nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }}, {options});
  window.workbenchNetwork = network;
}})();
</script>
</body>
</html>
"""


#: What makes a page load something from elsewhere: an attribute, CSS url() or @import with a scheme.
EXTERNAL = re.compile(r"""(?:\b(?:src|href|action|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//""", re.I)


def external_resources(page: str) -> list[str]:
    """Every place in an HTML page that would fetch a resource over the network (empty when offline-safe)."""
    return [page[max(m.start() - 20, 0) : m.end() + 40] for m in EXTERNAL.finditer(page)]
