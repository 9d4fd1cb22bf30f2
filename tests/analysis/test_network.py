"""The network of organisations and partnerships: graphs, projections, measures, layout, exports."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest

from models.analysis import network as nw
from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from models.errors import CatalogueError
from tests.helpers.catalogues import small_catalogue
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS

WLA = "West London Alliance"
WLA_ASC = "West London Alliance Adult Social Care Efficiencies Programme"
WLA_BOROUGHS = {"Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow"}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from models.formats.example import build_example

    cat = Catalogue.create(tmp_path_factory.mktemp("example") / "example.gpkg")
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    yield cat
    cat.close()


def node(net, label):
    (k,) = [k for k, x in enumerate(net.labels) if x == label]
    return k


def labels_of(net, rows):
    return {net.labels[k] for k in rows}


# -- the example: what the issue says should be true ------------------------------------
def test_the_wla_links_its_six_boroughs_with_london_connects_as_the_hub(example):
    net = nw.build_network(example)
    wla, asc = node(net, WLA), node(net, WLA_ASC)
    assert labels_of(net, net.neighbours(wla)) == WLA_BOROUGHS
    assert labels_of(net, net.neighbours(asc)) == WLA_BOROUGHS
    m = nw.measures(net)
    hub = int(np.argmax(m.degree))
    assert net.labels[hub] == "London Connects" and m.degree[hub] == 33
    assert net.labels[int(np.argmax(m.betweenness))] == "London Connects"
    # in the partnerships' projection the two WLA partnerships share all six members
    parts = nw.build_network(example, "partnerships")
    pairs = {(p.a, p.b): p for p in nw.most_connected_pairs(parts, 50)}
    assert pairs[(WLA, WLA_ASC)].shared == 6 and pairs[(WLA, WLA_ASC)].jaccard == 1.0


def test_hackney_is_in_four_partnerships(example):
    net = nw.build_network(example)
    hackney = node(net, "Hackney")
    assert labels_of(net, net.neighbours(hackney)) == {
        "London Connects", "North London Waste Authority", "Olympic host boroughs Joint Borough Central Unit",
        "Olympic host boroughs residents' newsletter printing"}


def test_betweenness_agrees_with_networkx_on_the_example(example):
    for projection in (None, "organisations", "partnerships"):
        net = nw.build_network(example, projection)
        # networkx's own graph, built here from the catalogue without the module
        g = nx.Graph()
        orgs = {o.id: o.name for o in example.organisations.all()}
        parts = {p.id: p.name for p in example.partnerships.all()}
        if projection is None:
            g.add_nodes_from(f"o{i}" for i in orgs)
            g.add_nodes_from(f"p{i}" for i in parts)
            g.add_edges_from((f"o{m.organisation_id}", f"p{m.partnership_id}")
                             for m in example.partnerships.memberships())
        else:
            members: dict[int, set[int]] = {}
            for m in example.partnerships.memberships():
                members.setdefault(m.partnership_id, set()).add(m.organisation_id)
            if projection == "organisations":
                g.add_nodes_from(f"o{i}" for i in orgs)
                for ms in members.values():
                    g.add_edges_from((f"o{a}", f"o{b}") for a in ms for b in ms if a < b)
            else:
                g.add_nodes_from(f"p{i}" for i in parts)
                g.add_edges_from((f"p{a}", f"p{b}") for a in members for b in members
                                 if a < b and members[a] & members[b])
        expected = nx.betweenness_centrality(g)
        m = nw.measures(net)
        assert m.library == "networkx" and sorted(net.ids) == sorted(g.nodes)
        assert len(net.edges) == g.number_of_edges()
        for k, i in enumerate(net.ids):
            assert m.betweenness[k] == pytest.approx(expected[i], abs=1e-12)
        assert m.components == nx.number_connected_components(g)
        # big graphs go to rustworkx: the same figures
        fast = nw.measures(net, rustworkx_above=0)
        assert fast.library == "rustworkx"
        assert np.allclose(fast.betweenness, m.betweenness, atol=1e-12)


def test_the_layout_puts_boroughs_at_their_centroids_and_partnerships_among_members(example):
    net = nw.build_network(example)
    places = nw.territories(example)
    anchors = nw.territory_anchors(net, places)
    assert len(anchors) == 33          # the London boroughs and the City
    xy = nw.layout(net, anchors, seed=3)
    assert np.isfinite(xy).all()
    # west of London is west in the picture: Hillingdon left of Havering, Barnet above Croydon
    assert xy[node(net, "Hillingdon"), 0] < xy[node(net, "Havering"), 0]
    assert xy[node(net, "Barnet"), 1] > xy[node(net, "Croydon"), 1]
    # the WLA sits among its boroughs, nearer them than the east
    wla = xy[node(net, WLA)]
    west = np.mean([xy[node(net, b)] for b in WLA_BOROUGHS], axis=0)
    assert np.hypot(*(wla - west)) < np.hypot(*(wla - xy[node(net, "Havering")]))
    # deterministic for a seed, another seed moves the free nodes only
    assert np.array_equal(xy, nw.layout(net, anchors, seed=3))
    other = nw.layout(net, anchors, seed=4)
    pinned = sorted(anchors)
    assert np.array_equal(other[pinned], xy[pinned]) and not np.array_equal(other, xy)


def test_a_pure_force_layout_ignores_territories(example):
    net = nw.build_network(example, "organisations")
    anchors = nw.territory_anchors(net, nw.territories(example))
    geo = nw.layout(net, anchors, seed=1)
    free = nw.layout(net, anchors, seed=1, geographic=False)
    assert np.isfinite(free).all() and not np.allclose(free, geo)
    assert np.array_equal(free, nw.layout(net, None, seed=1))


def test_populations_come_from_the_wards(example):
    net = nw.build_network(example)
    people = nw.populations(net, nw.territories(example))
    assert 250_000 < people[node(net, "Hackney")] < 300_000   # mid-2020: about 281,000
    assert people[node(net, WLA)] == 0


# -- the projections' arithmetic ------------------------------------------------------
def test_projections_weigh_and_jaccard(cat):
    ids = small_catalogue(cat)   # WLA: Barnet, Brent; North Waste Board: Barnet; Ealing in nothing
    orgs = nw.build_network(cat, "organisations")
    assert [(orgs.labels[a], orgs.labels[b]) for a, b in orgs.edges.tolist()] == [("Barnet", "Brent")]
    assert orgs.weight.tolist() == [1.0] and orgs.jaccard.tolist() == [0.5]   # 1 shared of {WLA, North}
    parts = nw.build_network(cat, "partnerships")
    assert parts.weight.tolist() == [1.0] and parts.jaccard.tolist() == [0.5]  # Barnet of {Barnet, Brent}
    two = nw.build_network(cat)
    assert len(two) == 5 and len(two.edges) == 3
    assert sorted(two.roles) == ["lead", "member", "member"]
    # as of 2010 the North Waste Board (2001–2004) has gone, and with it the projections' link
    later = nw.build_network(cat, "partnerships", as_of="2010")
    assert later.labels == ["West London Alliance"] and len(later.edges) == 0
    assert ids["wla"] in later.record_ids


def test_an_unknown_projection_is_one_clear_error(cat):
    with pytest.raises(CatalogueError, match="projection 'boroughs'"):
        nw.build_network(cat, "boroughs")


# -- bad input: drawn sensibly, never an exception -----------------------------------------
def awkward_catalogue(cat):
    """A partnership with no members, organisations in nothing, many small pieces, and names
    full of markup and a control character."""
    orgs = [cat.organisations.add(Organisation(f"Org <{k}> & \"co\" \x0b", gss_code=None)).id for k in range(12)]
    cat.partnerships.add(Partnership("Empty <board>"))
    for k in range(0, 8, 2):   # four pieces of two organisations each
        cat.partnerships.add(Partnership(f"Pair {k} & 'friends'"),
                             [Membership(0, orgs[k]), Membership(0, orgs[k + 1], role="lead")])
    return orgs


@pytest.mark.parametrize("projection", [None, "organisations", "partnerships"])
def test_awkward_graphs_measure_lay_out_and_export(cat, tmp_path, projection):
    awkward_catalogue(cat)
    net = nw.build_network(cat, projection)
    m = nw.measures(net)
    xy = nw.layout(net, nw.territory_anchors(net, nw.territories(cat)), seed=0)
    assert np.isfinite(xy).all()
    # no two nodes on one spot, even those linked to nothing
    assert len({(round(x, 9), round(y, 9)) for x, y in xy.tolist()}) == len(net)
    assert m.components >= 4
    data = nw.to_json(net, m)
    json.dumps(data)
    for path, write in ((tmp_path / "g.graphml", nw.write_graphml), (tmp_path / "g.gexf", nw.write_gexf)):
        write(net, m, path, xy)
        root = ET.parse(path).getroot()     # valid XML, or this raises
        assert root.tag.endswith(("graphml", "gexf"))
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == len(net) and back.number_of_edges() == len(net.edges)
    labels = {d["label"] for _, d in back.nodes(data=True)}
    assert any("<" in x for x in labels) and any("&" in x for x in labels)
    assert not any("\x0b" in x for x in labels)
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    assert gexf.number_of_nodes() == len(net)


def test_an_empty_catalogue_is_an_empty_network(cat, tmp_path):
    for projection in (None, "organisations", "partnerships"):
        net = nw.build_network(cat, projection)
        m = nw.measures(net)
        assert len(net) == 0 and m.components == 0
        assert nw.layout(net).shape == (0, 2)
        assert nw.to_json(net, m)["nodes"] == [] and nw.most_connected_pairs(net) == []
        buffer = io.BytesIO()
        nw.write_graphml(net, m, buffer)
        ET.fromstring(buffer.getvalue())


def test_json_has_the_fields_the_issue_names(cat):
    small_catalogue(cat)
    net = nw.build_network(cat)
    data = nw.to_json(net, nw.measures(net))
    assert set(data["nodes"][0]) >= {"id", "label", "kind", "degree", "betweenness"}
    assert set(data["edges"][0]) >= {"a", "b", "weight"}
    barnet = next(n for n in data["nodes"] if n["label"] == "Barnet")
    assert barnet["kind"] == "organisation" and barnet["degree"] == 2
    assert barnet["betweenness"] > 0   # Barnet is the one path between the two partnerships
    ealing = next(n for n in data["nodes"] if n["label"] == "Ealing")
    assert ealing["degree"] == 0 and ealing["component"] > 0
