"""`network`: the graph of organisations and partnerships as JSON or GraphML (reads only)."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("network", help="organisations and partnerships as a graph (one edge per membership), "
                       "or a projection, with degree, betweenness, components and the most connected pairs")
    p.add_argument("file")
    p.add_argument("--projection", choices=("organisations", "partnerships"),
                   help="organisations linked by the partnerships they share, or partnerships by shared "
                        "members (weight and Jaccard on each edge); without it the two-mode graph")
    p.add_argument("--as-of", metavar="DATE", help="only partnerships and memberships active or attested then")
    p.add_argument("--include-unknown", action="store_true",
                   help="with --as-of, also count those with no evidence either way")
    p.add_argument("--format", choices=("json", "graphml"), default="json",
                   help="graphml: for Gephi or Cytoscape, with the map-anchored layout as x and y")
    p.set_defaults(run=cmd_network)


def cmd_network(args) -> int:
    from models.analysis import network as nw
    from models.catalogue import Catalogue
    with Catalogue.open(args.file, read_only=True) as cat:
        net = nw.build_network(cat, args.projection, args.as_of, args.include_unknown)
        places = nw.territories(cat) if args.format == "graphml" else {}
    measures = nw.measures(net)
    if args.format == "graphml":
        positions = nw.layout(net, nw.territory_anchors(net, places), seed=0)
        nw.write_graphml(net, measures, sys.stdout.buffer, positions)
        sys.stdout.buffer.flush()
    else:
        print(nw.json_text(net, measures))
    return 0
