"""`network`: JSON and GraphML of the example, the projections, and bad input (never a traceback)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = tmp_path_factory.mktemp("net") / "example.gpkg"
    import cli
    assert cli.main(["example", str(path)]) == 0
    return path


def test_the_two_mode_graph_as_json(capsys, example):
    before = file_digest(example)
    code, out, err = run(capsys, "network", example)
    assert code == 0 and err == ""
    data = json.loads(out)
    nodes = {n["label"]: n for n in data["nodes"]}
    assert nodes["London Connects"]["kind"] == "partnership" and nodes["London Connects"]["degree"] == 33
    assert nodes["Hackney"]["degree"] == 4
    hub = max(data["nodes"], key=lambda n: n["betweenness"])
    assert hub["label"] == "London Connects"
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["a"] in ids and e["b"] in ids and e["weight"] == 1 for e in data["edges"])
    assert len(data["edges"]) == sum(1 for n in data["nodes"] if n["kind"] == "organisation"
                                     for _ in range(n["degree"]))
    assert file_digest(example) == before     # read-only


def test_the_projections(capsys, example):
    code, out, _ = run(capsys, "network", example, "--projection", "partnerships")
    data = json.loads(out)
    assert code == 0 and {n["kind"] for n in data["nodes"]} == {"partnership"}
    label = {n["id"]: n["label"] for n in data["nodes"]}
    wla = [e for e in data["edges"] if {label[e["a"]], label[e["b"]]} == {
        "West London Alliance", "West London Alliance Adult Social Care Efficiencies Programme"}]
    assert wla[0]["weight"] == 6 and wla[0]["jaccard"] == 1.0
    code, out, _ = run(capsys, "network", example, "--projection", "organisations", "--as-of", "2007")
    data = json.loads(out)
    assert code == 0 and data["as_of"] == "2007" and {n["kind"] for n in data["nodes"]} == {"organisation"}
    assert data["most_connected_pairs"][0]["shared"] >= data["most_connected_pairs"][-1]["shared"]


def test_graphml_reads_back(capsys, example, tmp_path):
    code, out, _ = run(capsys, "network", example, "--format", "graphml")
    assert code == 0
    path = tmp_path / "g.graphml"
    path.write_text(out, encoding="utf-8")
    ET.parse(path)
    g = nx.read_graphml(path)
    assert g.nodes["o12"]["label"] == "Hackney" and g.degree("o12") == 4
    assert {"x", "y", "betweenness"} <= set(g.nodes["o12"])


def test_awkward_catalogues_give_sensible_output(capsys, tmp_path):
    path = tmp_path / "awkward.gpkg"
    cat = Catalogue.create(path)
    cat.close()
    code, out, _ = run(capsys, "network", path)   # empty
    assert code == 0 and json.loads(out)["nodes"] == [] and json.loads(out)["components"] == 0
    code, out, _ = run(capsys, "network", path, "--format", "graphml")
    assert code == 0 and ET.fromstring(out.encode()).tag.endswith("graphml")
    cat = Catalogue.open(path)
    a = cat.organisations.add(Organisation("A <&> \"quoted\"")).id
    b = cat.organisations.add(Organisation("B")).id
    cat.organisations.add(Organisation("In nothing"))
    cat.partnerships.add(Partnership("No members"))
    cat.partnerships.add(Partnership("A & B"), [Membership(0, a), Membership(0, b)])
    cat.close()
    before = file_digest(path)
    for projection in ((), ("--projection", "organisations"), ("--projection", "partnerships")):
        code, out, err = run(capsys, "network", path, *projection)
        assert code == 0 and err == ""
        data = json.loads(out)
        assert data["components"] >= 2
        code, out, err = run(capsys, "network", path, "--format", "graphml", *projection)
        assert code == 0
        labels = {d["label"] for _, d in nx.parse_graphml(out).nodes(data=True)}
        assert ("A <&> \"quoted\"" in labels) == (projection != ("--projection", "partnerships"))
    assert file_digest(path) == before


def test_bad_input_is_one_line(capsys, tmp_path, example):
    for argv in (("network", tmp_path / "missing.gpkg"),
                 ("network", example, "--projection", "boroughs"),
                 ("network", example, "--as-of", "soon"),
                 ("network", example, "--format", "gexf")):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1
