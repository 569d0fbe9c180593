"""The mesh graph: domains -> their products -> the subscribers that read them, laid out in three columns by a
deterministic computation (no layout engine, no JavaScript), drawn as SVG by templates/graph.svg.j2.

Layout: products are grouped under their domain (domains and products sorted by name), each domain centred on
its group; subscribers (every consumer, and every domain that reads something) are ordered by the mean position
of the products they read (the barycenter heuristic, ties by name), which keeps most edges short and uncrossed.
Edges: `owns` (domain -> product), `lakeformation` (product -> subscriber, one per pair, coloured by the access
mechanism of its tables) and `redshift` (product -> subscriber, one per `via: redshift` subscription, dashed: the
datashare it gets and the clearance level it is cut at). Both reader kinds come from the access views, i.e. from
the access models the grants and datashares are generated from."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from meshform.catalog_site.views import DOMAIN, EnvironmentView, ProductView

# Geometry, in SVG user units (px at 100 %).
_TOP = 48                      # room for the column headings
_SLOT = 40                     # vertical space per product row
_GROUP_GAP = 16                # extra space between two domains' products
_NODE_H = 28
_COLUMNS = {"domain": (16, 190), "product": (296, 250), "subscriber": (672, 200)}   # x, width
WIDTH = 888
_CHAR_W = 7                    # average glyph width of the 12 px sans-serif label font: for truncation only
OWNS = "owns"
LAKEFORMATION = "lakeformation"
REDSHIFT = "redshift"
# Colours as SVG presentation attributes rather than CSS, so graph.svg looks the same on its own as inline in
# graph.html (whose Content-Security-Policy admits no second stylesheet). (fill, stroke) per node kind; (stroke,
# dash pattern) per edge class. The legend in graph.html.j2 uses the same table.
NODE_STYLE = {"domain": ("#dde8f5", "#1f4e79"), "product": ("#ffffff", "#5b6b7f"),
              "consumer": ("#e3f1e4", "#2e7d32"), "subscriber-domain": ("#dde8f5", "#1f4e79")}
EDGE_STYLE = {"edge-owns": ("#9aa5b1", ""), "mech-table": ("#2e7d32", ""), "mech-list": ("#1565c0", ""),
              "mech-filter": ("#e65100", ""), "mech-policy": ("#6a1b9a", ""), "mech-mixed": ("#455a64", ""),
              "redshift": ("#c62828", "6 4")}
LEGEND = (("edge-owns", "owns"), ("mech-table", "Lake Formation: whole table"),
          ("mech-list", "column include-list"), ("mech-filter", "data cells filter"),
          ("mech-policy", "LF-tag policy"), ("mech-mixed", "several mechanisms (per table)"),
          ("redshift", "Redshift datashare (whole, or cut at the subscriber's clearance)"))


@dataclass(frozen=True)
class Node:
    id: str              # "domain:<d>", "product:<d>.<p>", "subscriber:<name>"
    kind: str            # domain | product | consumer | subscriber-domain
    name: str
    label: str           # as drawn (truncated to the box)
    title: str           # full text, the tooltip
    href: str            # relative to the environment directory
    x: int
    y: int
    width: int
    height: int

    @property
    def cy(self) -> int:
        return self.y + self.height // 2

    @property
    def style(self) -> tuple[str, str]:
        return NODE_STYLE[self.kind]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    channel: str             # owns | lakeformation | redshift
    css: str                 # the class that styles it (mechanism or channel)
    path: str                # SVG path data
    title: str
    mechanisms: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

    @property
    def stroke(self) -> tuple[str, str]:
        """(colour, dash pattern): Redshift edges are dashed."""
        return EDGE_STYLE[self.css]


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    headings: tuple[tuple[int, str], ...]    # (x, text) of each column
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @cached_property
    def _by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def node(self, node_id: str) -> Node:
        return self._by_id[node_id]


def mesh_graph(view: EnvironmentView) -> Graph:
    nodes, rows_end = _owner_nodes(view)
    nodes += _subscriber_nodes(view, nodes, rows_end)
    index = {n.id: n for n in nodes}
    height = max(rows_end, max((n.y + n.height for n in nodes), default=_TOP)) + 16
    headings = tuple((x + w // 2, text) for (x, w), text in
                     zip(_COLUMNS.values(), ("domains", "products", "subscribers"), strict=True))
    return Graph(WIDTH, height, headings, tuple(sorted(nodes, key=lambda n: n.id)), tuple(_edges(view, index)))


def _owner_nodes(view: EnvironmentView) -> tuple[list[Node], int]:
    """Products row by row, grouped by domain, each domain centred on its group; returns the nodes and the y
    where the rows end."""
    nodes: list[Node] = []
    by_domain: dict[str, list[ProductView]] = {}
    for product in view.products:
        by_domain.setdefault(product.domain, []).append(product)
    y = _TOP
    for domain in view.domains:
        group = by_domain.get(domain.name, [])
        start = y
        for product in group:
            nodes.append(_node(f"product:{product.fqn}", "product", product.fqn,
                               f"{product.fqn}: {product.title} ({product.classification.name})", product.href, y))
            y += _SLOT
        if not group:
            y += _SLOT                          # a domain without products still gets its row
        nodes.append(_node(f"domain:{domain.name}", "domain", domain.name,
                           f"domain {domain.name}: {len(group)} product(s)", domain.href,
                           start + (y - start - _SLOT) // 2))
        y += _GROUP_GAP
    return nodes, y - _GROUP_GAP


def _subscriber_nodes(view: EnvironmentView, owner_nodes: list[Node], rows_end: int) -> list[Node]:
    """Every consumer and every reading domain, ordered by the mean row of the products it reads (barycenter),
    spread evenly over the height of the product column."""
    product_row = {n.name: i for i, n in enumerate(n for n in owner_nodes if n.kind == "product")}
    pairs = _reader_pairs(view)
    readers = {s for _, s in pairs}
    subscribers = list(view.consumers) + [d for d in view.domains if d.name in readers]

    def barycenter(name: str) -> tuple[float, str]:
        rows = [product_row[p] for p, s in pairs if s == name]
        return (sum(rows) / len(rows) if rows else float(len(product_row)), name)

    ordered = sorted(subscribers, key=lambda s: barycenter(s.name))
    step = max(rows_end - _TOP, len(ordered) * _SLOT) / max(len(ordered), 1)
    nodes = []
    for i, sub in enumerate(ordered):
        nodes.append(_node(f"subscriber:{sub.name}", "subscriber-domain" if sub.kind == DOMAIN else "consumer",
                           sub.name, f"{sub.kind} {sub.name}: clearance {sub.clearance.name}, reads "
                           f"{sub.tables_read} table(s)", sub.href, round(_TOP + step * i + (step - _SLOT) / 2)))
    return nodes


def _node(node_id: str, kind: str, name: str, title: str, href: str, y: int) -> Node:
    column = "subscriber" if kind in ("consumer", "subscriber-domain") else kind
    x, width = _COLUMNS[column]
    room = (width - 16) // _CHAR_W
    label = name if len(name) <= room else name[:room - 1] + "\u2026"
    return Node(node_id, kind, name, label, title, href, x, y + (_SLOT - _NODE_H) // 2, width, _NODE_H)


def _reader_pairs(view: EnvironmentView) -> list[tuple[str, str]]:
    """(product, subscriber) for every Lake Formation access and every Redshift datashare subscription."""
    return sorted({(a.product, a.subscriber) for a in view.accesses + view.datashares})


def _curve(x1: int, y1: int, x2: int, y2: int) -> str:
    mid = (x1 + x2) // 2
    return f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"


@dataclass(frozen=True)
class _Link:
    source: Node
    target: Node
    channel: str
    css: str
    title: str
    mechanisms: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()


def _ports(links: list[_Link]) -> dict[tuple[int, str], int]:
    """Where each link leaves its source and enters its target: spread over the box's height in the order of the
    other end, so edges fan out instead of meeting in one point (and parallel channels of one pair stay apart)."""
    ports: dict[tuple[int, str], int] = {}
    for end, other in (("out", "target"), ("in", "source")):
        by_node: dict[str, list[int]] = {}
        for i, link in enumerate(links):
            node = link.source if end == "out" else link.target
            by_node.setdefault(node.id, []).append(i)
        for indexes in by_node.values():
            indexes.sort(key=lambda i: (getattr(links[i], other).cy, getattr(links[i], other).id, links[i].channel))
            for rank, i in enumerate(indexes, start=1):
                node = links[i].source if end == "out" else links[i].target
                ports[(i, end)] = node.y + round(node.height * rank / (len(indexes) + 1))
    return ports


def _edges(view: EnvironmentView, index: dict[str, Node]) -> list[Edge]:
    links = [_Link(index[f"domain:{p.domain}"], index[f"product:{p.fqn}"], OWNS, "edge-owns",
                   f"{p.domain} owns {p.fqn}") for p in view.products]
    by_pair: dict[tuple[str, str], list] = {}
    for access in view.accesses:
        by_pair.setdefault((access.product, access.subscriber), []).append(access)
    for (product, subscriber), accesses in sorted(by_pair.items()):
        accesses = sorted(accesses, key=lambda a: a.table)
        slugs = sorted({a.slug for a in accesses})
        detail = ", ".join(f"{a.table} ({a.mechanism})" for a in accesses)
        links.append(_Link(index[f"product:{product}"], index[f"subscriber:{subscriber}"], LAKEFORMATION,
                           f"mech-{slugs[0]}" if len(slugs) == 1 else "mech-mixed",
                           f"{subscriber} reads {product} through Lake Formation: {detail}",
                           tuple(sorted({a.mechanism for a in accesses})), tuple(a.table for a in accesses)))
    shares: dict[tuple[str, str], list] = {}
    for share in view.datashares:
        shares.setdefault((share.product, share.subscriber), []).append(share)
    for (product, subscriber), objects in sorted(shares.items()):
        first = objects[0]                     # one datashare per subscription: every object names it
        level = "the whole product" if first.share_clearance is None else \
            f"cut at clearance {first.share_clearance.name}"
        detail = ", ".join(f"{o.table} ({o.shared_as})" for o in objects)
        links.append(_Link(index[f"product:{product}"], index[f"subscriber:{subscriber}"], REDSHIFT, REDSHIFT,
                           f"{subscriber} reads {product} through Redshift datashare {first.share} ({level}), "
                           f"database {first.database}: {detail}",
                           (f"{first.mechanism} {first.share} ({level})",), tuple(o.table for o in objects)))
    ports = _ports(links)
    return [Edge(link.source.id, link.target.id, link.channel, link.css,
                 _curve(link.source.x + link.source.width, ports[(i, "out")], link.target.x, ports[(i, "in")]),
                 link.title, link.mechanisms, link.tables)
            for i, link in enumerate(links)]
