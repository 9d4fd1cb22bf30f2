"""The network beside the map: organisations and partnerships as a graph.

    net = build_network(cat, projection=None, as_of="2010")   # two-mode: one edge per membership
    net = build_network(cat, "organisations")                 # organisations linked by shared partnerships
    m = measures(net)                            # degree, betweenness, components (networkx, rustworkx)
    xy = layout(net, territory_anchors(net, territories(cat)), seed=1)   # geographic where it can be
    write_graphml(net, m, "out.graphml", xy)                  # what Gephi and Cytoscape open

Who is in what as of a date is models.analysis.overlaps.member_grid's answer (a partnership
and a membership both active or attested then), as the overlaps by members use it; every
organisation is a node even when it is in nothing, every partnership even with no members.

The projections come from one sparse product of the membership matrix M (organisations x
partnerships): M·Mᵀ links organisations by the partnerships they share, Mᵀ·M partnerships by
their shared members; the weight is the count shared, Jaccard that count over the union.

The layout is ours (numpy/scipy, deterministic for a seed): organisations with a territory
(a GSS code whose borough the boundary layers hold) are pinned at the borough's centroid and
everything else is placed by a Fruchterman–Reingold force layout around them, with repulsion
taken from each node's nearest neighbours (a k-d tree a step) rather than every pair, so a
step costs O(n log n). Nodes linked to nothing go in rows beneath the drawing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from models.analysis.overlaps import member_grid
from models.analysis.timeline import as_of_text
from models.errors import CatalogueError

ORGANISATION, PARTNERSHIP = "organisation", "partnership"
PROJECTIONS = ("organisations", "partnerships")
RUSTWORKX_ABOVE = 300        # nodes: beyond this betweenness is rustworkx's (Rust, threads), same figures
NEIGHBOURS = 8               # repulsion from each node's nearest neighbours in the force layout
REFRESH = 5                  # steps between two searches for those neighbours

# Characters XML 1.0 cannot hold at all (escaping does not help): dropped from names on export.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Network:
    """Nodes in one order (organisations first, then partnerships) and edges as row pairs."""
    projection: str | None       # None: the two-mode graph
    as_of: str | None
    ids: list[str]               # "o12", "p3": stable across dates and projections
    record_ids: np.ndarray       # the catalogue id of each node's record
    labels: list[str]
    kinds: list[str]             # ORGANISATION or PARTNERSHIP
    types: list[str]             # the record's own kind: "local authority", "shared service", ...
    codes: list[str | None]      # an organisation's GSS code
    edges: np.ndarray            # (E, 2) int64 rows, a < b
    weight: np.ndarray           # shared partnerships / members (1 per membership in the two-mode graph)
    jaccard: np.ndarray          # shared over union (1 in the two-mode graph)
    roles: list[str]             # the membership's role in the two-mode graph, "" in a projection

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, node_id: str) -> int | None:
        try:
            return self.ids.index(node_id)
        except ValueError:
            return None

    def rows_of(self, kind: str, record_ids) -> list[int]:
        wanted = {int(i) for i in record_ids}
        return [k for k in range(len(self)) if self.kinds[k] == kind and int(self.record_ids[k]) in wanted]

    def adjacency(self) -> sparse.csr_array:
        n, (a, b) = len(self), self.edges.T if len(self.edges) else (np.empty(0, int), np.empty(0, int))
        ones = np.ones(2 * len(a))
        return sparse.csr_array((ones, (np.r_[a, b], np.r_[b, a])), shape=(n, n))

    def neighbours(self, row: int) -> list[int]:
        adj = self.adjacency()
        return sorted(adj.indices[adj.indptr[row]:adj.indptr[row + 1]].tolist())

    def graph(self) -> nx.Graph:
        """The networkx graph, nodes by id with their label, kind and type."""
        g = nx.Graph()
        for k in range(len(self)):
            g.add_node(self.ids[k], label=self.labels[k], kind=self.kinds[k], type=self.types[k])
        for (a, b), w, j, r in zip(self.edges.tolist(), self.weight.tolist(), self.jaccard.tolist(), self.roles):
            g.add_edge(self.ids[a], self.ids[b], weight=w, jaccard=j, role=r)
        return g


def build_network(cat, projection: str | None = None, as_of=None, include_unknown: bool = False) -> Network:
    """The network as of a date (None: every record), two-mode or one of the PROJECTIONS."""
    if projection not in (None, *PROJECTIONS):
        raise CatalogueError(f"projection '{projection}'? use {' or '.join(PROJECTIONS)}")
    when = as_of_text(as_of)
    grid = member_grid(cat, when, with_empty=True, include_unknown=include_unknown)
    orgs, parts = grid.organisations, grid.partnerships
    if projection is None:
        ids = [f"o{o.id}" for o in orgs] + [f"p{p.id}" for p in parts]
        record_ids = [o.id for o in orgs] + [p.id for p in parts]
        labels = [o.name for o in orgs] + [p.name for p in parts]
        kinds = [ORGANISATION] * len(orgs) + [PARTNERSHIP] * len(parts)
        types = [o.kind for o in orgs] + [p.kind for p in parts]
        codes = [o.gss_code for o in orgs] + [None] * len(parts)
        cells = sorted(grid.cells.items())
        edges = np.array([(r, len(orgs) + c) for (r, c), _ in cells], dtype=np.int64).reshape(-1, 2)
        weight = np.ones(len(edges))
        return Network(None, when, ids, np.array(record_ids, dtype=np.int64), labels, kinds, types, codes,
                       edges, weight, weight.copy(), [m.role for _, m in cells])
    m = sparse.csr_array(grid.matrix().astype(np.float64))
    if projection == "organisations":
        nodes, product = orgs, m @ m.T
        ids, kinds, codes = [f"o{o.id}" for o in orgs], [ORGANISATION] * len(orgs), [o.gss_code for o in orgs]
    else:
        nodes, product = parts, m.T @ m
        ids, kinds, codes = [f"p{p.id}" for p in parts], [PARTNERSHIP] * len(parts), [None] * len(parts)
    edges, weight, jaccard = _pairs_of(sparse.coo_array(product))
    return Network(projection, when, ids, np.array([x.id for x in nodes], dtype=np.int64),
                   [x.name for x in nodes], kinds, [x.kind for x in nodes], codes,
                   edges, weight, jaccard, [""] * len(edges))


def _pairs_of(product: sparse.coo_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges (i < j with something shared), their weights and Jaccard indices, from S = M·Mᵀ."""
    n = product.shape[0]
    sizes = np.zeros(n)
    diagonal = product.row == product.col
    sizes[product.row[diagonal]] = product.data[diagonal]
    upper = (product.row < product.col) & (product.data > 0)
    a, b, shared = product.row[upper].astype(np.int64), product.col[upper].astype(np.int64), product.data[upper]
    order = np.lexsort((b, a))
    a, b, shared = a[order], b[order], shared[order]
    union = sizes[a] + sizes[b] - shared
    return np.c_[a, b].reshape(-1, 2), shared.astype(np.float64), np.where(union > 0, shared / union, 0.0)


# -- measures -------------------------------------------------------------------
@dataclass
class Measures:
    degree: np.ndarray        # links (partnerships of an organisation in the two-mode graph)
    strength: np.ndarray      # summed weights: partnerships shared with others, in a projection
    betweenness: np.ndarray   # networkx's normalised betweenness, unweighted
    component: np.ndarray     # 0 is the largest piece
    library: str              # who computed betweenness: "networkx" or "rustworkx"

    @property
    def components(self) -> int:
        return int(self.component.max()) + 1 if len(self.component) else 0


def measures(net: Network, rustworkx_above: int = RUSTWORKX_ABOVE) -> Measures:
    """Degree, betweenness and components by networkx; betweenness of graphs above
    `rustworkx_above` nodes by rustworkx (networkx takes seconds at a few hundred nodes and
    minutes at 3,000, rustworkx seconds; both exact and normalised alike). Betweenness counts
    shortest paths by links, not weights: who brokers between partnerships, however many
    they share."""
    g = net.graph()
    n = len(net)
    row = {node: k for k, node in enumerate(net.ids)}
    degree = np.array([g.degree(node) for node in net.ids], dtype=np.int64)
    strength = np.array([g.degree(node, weight="weight") for node in net.ids], dtype=np.float64)
    if n > rustworkx_above:
        library, between = "rustworkx", _rustworkx_betweenness(net)
    else:
        library, by_id = "networkx", nx.betweenness_centrality(g, normalized=True)
        between = np.array([by_id[x] for x in net.ids], dtype=np.float64)
    component = np.zeros(n, dtype=np.int64)
    pieces = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(row[x] for x in c)))
    for k, piece in enumerate(pieces):
        component[[row[x] for x in piece]] = k
    return Measures(degree, strength, between, component, library)


def _rustworkx_betweenness(net: Network) -> np.ndarray:
    import rustworkx as rx  # only for big graphs: not loaded otherwise
    g = rx.PyGraph(multigraph=False)
    g.add_nodes_from(range(len(net)))
    g.add_edges_from_no_data([(int(a), int(b)) for a, b in net.edges.tolist()])
    by_index = rx.betweenness_centrality(g, normalized=True)
    return np.array([by_index[k] for k in range(len(net))], dtype=np.float64)


@dataclass(frozen=True)
class LinkedPair:
    a: str
    b: str
    shared: float
    jaccard: float


def most_connected_pairs(net: Network, count: int = 20) -> list[LinkedPair]:
    """The pairs sharing most (partnerships, for organisations; members, for partnerships),
    then by Jaccard, then by name. The two-mode graph answers for its organisations."""
    if net.projection is None:
        m = sparse.csr_array((np.ones(len(net.edges)), (net.edges[:, 0], net.edges[:, 1])),
                             shape=(len(net), len(net))) if len(net.edges) else sparse.csr_array((len(net),) * 2)
        edges, weight, jaccard = _pairs_of(sparse.coo_array(m @ m.T))
        keep = np.array([net.kinds[a] == ORGANISATION for a, _ in edges.tolist()], dtype=bool)
        edges, weight, jaccard = edges[keep], weight[keep], jaccard[keep] if len(edges) else jaccard
    else:
        edges, weight, jaccard = net.edges, net.weight, net.jaccard
    pairs = [LinkedPair(net.labels[a], net.labels[b], float(w), float(j))
             for (a, b), w, j in zip(edges.tolist(), weight.tolist(), jaccard.tolist())]
    pairs.sort(key=lambda p: (-p.shared, -p.jaccard, p.a.casefold(), p.b.casefold()))
    return pairs[:count]


# -- where each node goes ----------------------------------------------------------
@dataclass
class Territory:
    x: float          # centroid, metres (British National Grid)
    y: float
    population: float


def territories(cat) -> dict[str, Territory]:
    """Each borough's centroid and people by its GSS code: the borough's own outline where a
    layer holds it (a unit whose code is the GSS code), else its wards (units whose parent code
    it is) weighted by their area; people from whichever layer counts most of them."""
    found: dict[str, Territory] = {}
    from_wards: dict[str, Territory] = {}
    for layer in cat.layers.all():
        table = cat.layers.table(layer.id)
        if not len(table):
            continue
        centres = shapely.get_coordinates(shapely.centroid(table.geometries))
        area = shapely.area(table.geometries)
        population = np.nan_to_num(np.asarray(table.population, dtype=np.float64), nan=0.0)
        for k, code in enumerate(table.codes):
            if code:
                found[code.upper()] = _bigger(found.get(code.upper()),
                                              Territory(*centres[k], float(population[k])))
        parents = np.array([(p or "").upper() for p in table.parent_codes])
        for code in set(parents.tolist()) - {""}:
            rows = np.flatnonzero(parents == code)
            w = area[rows] / area[rows].sum() if area[rows].sum() > 0 else np.full(len(rows), 1 / len(rows))
            x, y = w @ centres[rows]
            here = Territory(float(x), float(y), float(population[rows].sum()))
            old = from_wards.get(code)
            from_wards[code] = here if old is None or here.population > old.population else old
    for code, t in from_wards.items():
        own = found.get(code)
        found[code] = t if own is None else Territory(own.x, own.y, max(own.population, t.population))
    return found


def _bigger(old: Territory | None, new: Territory) -> Territory:
    return new if old is None or new.population > old.population else old


def territory_anchors(net: Network, places: dict[str, Territory]) -> dict[int, tuple[float, float]]:
    """Node row -> the centroid of its territory, for organisations whose GSS code is known there."""
    return {k: (places[c.upper()].x, places[c.upper()].y) for k, c in enumerate(net.codes)
            if c and c.upper() in places}


def populations(net: Network, places: dict[str, Territory]) -> np.ndarray:
    return np.array([places[c.upper()].population if c and c.upper() in places else 0.0 for c in net.codes])


def layout(net: Network, anchors: dict[int, tuple[float, float]] | None = None, seed: int = 0,
           iterations: int = 60, geographic: bool = True) -> np.ndarray:
    """(n, 2) positions, y up. geographic: anchored nodes sit at their anchors (scaled so the
    anchors span about 2 units) and the rest settle around them; else a pure force layout."""
    n = len(net)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    rng = np.random.default_rng(seed)
    anchors = anchors if geographic and anchors else {}
    pinned = np.zeros(n, dtype=bool)
    linked = np.zeros(n, dtype=bool)
    if len(net.edges):
        linked[net.edges.ravel()] = True
    if anchors:
        rows = np.fromiter(anchors, dtype=np.int64)
        xy = np.array([anchors[k] for k in rows.tolist()], dtype=np.float64)
        centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
        span = max(float(np.ptp(xy, axis=0).max()), 1e-9) / 2 if len(xy) > 1 else 1.0
        pos[rows] = (xy - centre) / span
        pinned[rows] = True
    placed = linked | pinned
    k = 2.0 / np.sqrt(max(int(placed.sum()), 1))   # the ideal link length: the box shared out
    adj = net.adjacency()
    if anchors:
        # Pieces that reach no anchor are drawn apart, beside the map, not spread over it.
        _, piece = csgraph.connected_components(adj, directed=False)
        anchored_pieces = np.unique(piece[pinned])
        beside = placed & ~np.isin(piece, anchored_pieces)
        on_map = placed & ~beside
    else:
        beside, on_map = np.zeros(n, dtype=bool), placed
    free = on_map & ~pinned
    pos[free] = rng.uniform(-1, 1, size=(int(free.sum()), 2))
    if pinned.any() and free.any():
        # Start each free node at the mean of its neighbours (a few smoothing passes from the
        # anchors): a partnership of boroughs begins among them, not at random.
        deg = np.asarray(adj.sum(axis=1)).ravel()
        for _ in range(4):
            mean = adj @ pos / np.maximum(deg, 1)[:, None]
            pos[free & (deg > 0)] = mean[free & (deg > 0)]
        pos[free] += rng.normal(scale=k / 4, size=(int(free.sum()), 2))
    if free.any() and on_map.sum() > 1:
        _settle(pos, net.edges, net.weight, np.flatnonzero(on_map), free, k, iterations)
    if beside.any():
        _beside(pos, net, beside, on_map, k, iterations, rng)
    _park_isolated(pos, ~placed, k)
    return pos


def _beside(pos, net, beside, on_map, k, iterations, rng) -> None:
    """The pieces with no anchor: a force layout of their own, scaled to their share of the
    nodes and set to the right of the map's drawing."""
    rows = np.flatnonzero(beside)
    pos[rows] = rng.uniform(-1, 1, size=(len(rows), 2))
    if len(rows) > 1:
        _settle(pos, net.edges[beside[net.edges[:, 0]]], net.weight[beside[net.edges[:, 0]]], rows, beside,
                2.0 / np.sqrt(len(rows)), iterations)
    own = pos[rows]
    span = max(float(np.ptp(own, axis=0).max()), 1e-9)
    main = pos[on_map] if on_map.any() else np.zeros((1, 2))
    height = max(float(np.ptp(main[:, 1])), 2.0) * np.sqrt(len(rows) / max(len(rows) + on_map.sum(), 1))
    own = (own - own.min(axis=0)) / span * max(height, 4 * k)
    pos[rows, 0] = own[:, 0] + main[:, 0].max() + 2 * k
    pos[rows, 1] = own[:, 1] - own[:, 1].mean() + main[:, 1].mean()


def _settle(pos, edges, weight, active, free, k, iterations) -> None:
    """Fruchterman–Reingold steps on the free nodes, in place; temperature falls linearly.
    Each node is pushed by its nearest neighbours only, found again every few steps (they
    change slowly; the k-d tree's query is the dearest part of a step)."""
    local = np.full(len(pos), -1, dtype=np.int64)
    local[active] = np.arange(len(active))
    keep = (local[edges[:, 0]] >= 0) & (local[edges[:, 1]] >= 0) if len(edges) else np.zeros(0, dtype=bool)
    a, b = local[edges[keep, 0]], local[edges[keep, 1]]
    pull = np.log1p(weight[keep])[:, None]
    m = len(active)
    moving = free[active]
    pts = pos[active].copy()
    neighbours = min(NEIGHBOURS + 1, m)
    extent = max(float(np.ptp(pts, axis=0).max()), 2.0)
    near = None
    for step in range(iterations):
        temperature = 0.1 * extent * (1 - step / iterations) + 1e-3
        if step % REFRESH == 0:
            near = cKDTree(pts).query(pts, k=neighbours)[1][:, 1:]
        # Repulsion k²/d from the nearest neighbours: far nodes hardly push.
        delta = pts[:, None, :] - pts[near]
        d2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), (1e-3 * k) ** 2)
        disp = np.einsum("ijk,ij->ik", delta, k * k / d2)
        # Attraction d²/k along each link, stronger for links that share more.
        delta = pts[a] - pts[b]
        force = delta * (np.hypot(delta[:, 0], delta[:, 1])[:, None] / k * pull)
        disp[:, 0] -= np.bincount(a, force[:, 0], m) - np.bincount(b, force[:, 0], m)
        disp[:, 1] -= np.bincount(a, force[:, 1], m) - np.bincount(b, force[:, 1], m)
        disp -= 0.05 * pts / k   # gravity: pieces linked to no anchor stay in the picture
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-12)[:, None]
        move = disp / length * np.minimum(length, temperature)
        pts[moving] += move[moving]
    pos[active] = pts


def _park_isolated(pos, isolated, k) -> None:
    """Nodes linked to nothing (and with no territory) in rows under the drawing, in node order."""
    rows = np.flatnonzero(isolated)
    if not len(rows):
        return
    others = ~isolated
    left, right = (pos[others, 0].min(), pos[others, 0].max()) if others.any() else (-1.0, 1.0)
    bottom = pos[others, 1].min() if others.any() else 0.0
    gap = max(k, 0.05)
    per_row = max(int((right - left) / gap) + 1, 1)
    i = np.arange(len(rows))
    pos[rows, 0] = left + (i % per_row) * gap
    pos[rows, 1] = bottom - gap * (2 + i // per_row)


# -- exports -------------------------------------------------------------------------
def xml_safe(text: str) -> str:
    """Text XML 1.0 can hold: markup characters are escaped by the writer, control
    characters (which no escape allows) are dropped."""
    return _NOT_XML.sub("", text)


def export_graph(net: Network, m: Measures, positions: np.ndarray | None = None) -> nx.Graph:
    """The graph with everything a reader of GraphML/GEXF wants on its nodes and edges."""
    g = nx.Graph(projection=net.projection or "two-mode", as_of=net.as_of or "any time")
    for k in range(len(net)):
        attrs = {"label": xml_safe(net.labels[k]), "kind": net.kinds[k], "type": xml_safe(net.types[k]),
                 "gss_code": net.codes[k] or "", "degree": int(m.degree[k]),
                 "betweenness": float(m.betweenness[k]), "component": int(m.component[k])}
        if positions is not None:
            attrs["x"], attrs["y"] = float(positions[k, 0]), float(positions[k, 1])
        g.add_node(net.ids[k], **attrs)
    for (a, b), w, j, r in zip(net.edges.tolist(), net.weight.tolist(), net.jaccard.tolist(), net.roles):
        g.add_edge(net.ids[a], net.ids[b], weight=w, jaccard=j, role=xml_safe(r))
    return g


def write_graphml(net: Network, m: Measures, path, positions: np.ndarray | None = None) -> None:
    nx.write_graphml(export_graph(net, m, positions), path)


def write_gexf(net: Network, m: Measures, path, positions: np.ndarray | None = None) -> None:
    g = export_graph(net, m, positions)
    if positions is not None:   # Gephi reads positions from the viz namespace
        for node, data in g.nodes(data=True):
            data["viz"] = {"position": {"x": data.pop("x") * 100, "y": data.pop("y") * 100, "z": 0.0}}
    nx.write_gexf(g, path)


def to_json(net: Network, m: Measures, pairs: int = 20) -> dict:
    return {
        "projection": net.projection or "two-mode", "as_of": net.as_of,
        "nodes": [{"id": net.ids[k], "label": net.labels[k], "kind": net.kinds[k], "type": net.types[k],
                   "degree": int(m.degree[k]), "betweenness": round(float(m.betweenness[k]), 6),
                   "component": int(m.component[k])} for k in range(len(net))],
        "edges": [{"a": net.ids[a], "b": net.ids[b], "weight": w, "jaccard": round(j, 6),
                   **({"role": r} if r else {})}
                  for (a, b), w, j, r in zip(net.edges.tolist(), net.weight.tolist(), net.jaccard.tolist(),
                                             net.roles)],
        "components": m.components,
        "most_connected_pairs": [{"a": p.a, "b": p.b, "shared": p.shared, "jaccard": round(p.jaccard, 6)}
                                 for p in most_connected_pairs(net, pairs)],
    }


def json_text(net: Network, m: Measures) -> str:
    return json.dumps(to_json(net, m), indent=2, ensure_ascii=False)
