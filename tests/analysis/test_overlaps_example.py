"""Overlaps on the example catalogue over the real London wards (ONS, December 2020)."""
from __future__ import annotations

from collections import Counter

import pytest

from models.analysis import overlaps, sets
from models.catalogue import Catalogue
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS, london_population_rows, london_ward_features

WLA = "West London Alliance"
NLWA = "North London Waste Authority"
OLYMPIC = "Olympic host boroughs Joint Borough Central Unit"
HACKNEY, WALTHAM_FOREST = "E09000012", "E09000031"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from models.formats.example import build_example, load

    cat = Catalogue.create(tmp_path_factory.mktemp("example") / "example.gpkg")
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    yield cat, load()
    cat.close()


def area_id(cat, name):
    (a,) = [a for a in cat.areas.all() if a.name == name]
    return a.id


def boroughs_of(cat, unit_ids):
    table = cat.layers.table(cat.layers.all()[0].id)
    parent = dict(zip(table.ids.tolist(), table.parent_codes))
    return {parent[u] for u in unit_ids}


def test_west_london_alliance_and_north_london_waste_share_no_borough(example):
    cat, _ = example
    pairs = {frozenset((p.a, p.b)): p for p in overlaps.pairwise(cat, "units")}
    p = pairs[frozenset((WLA, NLWA))]
    assert (p.shared, p.jaccard, p.a_in_b, p.b_in_a) == (0, 0, 0, 0)
    both, only_a, only_b = overlaps.area_set(cat).pair_parts(area_id(cat, WLA), area_id(cat, NLWA))
    assert both == []
    assert not boroughs_of(cat, only_a) & boroughs_of(cat, only_b)
    (members,) = [p for p in overlaps.pairwise(cat, "members") if {p.a, p.b} == {WLA, NLWA}]
    assert members.shared == 0


def test_olympic_boroughs_and_north_london_waste_share_hackney_and_waltham_forest(example):
    cat, _ = example
    both, _, _ = overlaps.area_set(cat).pair_parts(area_id(cat, OLYMPIC), area_id(cat, NLWA))
    assert boroughs_of(cat, both) == {HACKNEY, WALTHAM_FOREST}
    (p,) = [p for p in overlaps.pairwise(cat, "units") if {p.a, p.b} == {OLYMPIC, NLWA}]
    assert p.shared == 21 + 20   # Hackney's and Waltham Forest's wards (ONS README)
    (m,) = [p for p in overlaps.pairwise(cat, "members") if {p.a, p.b} == {OLYMPIC, NLWA}]
    assert m.shared == 2


def test_population_of_an_area_matches_the_ons_table(example):
    cat, data = example
    codes = {o["name"]: o["gss_code"] for o in data["organisations"]}
    (nlwa,) = [p for p in data["partnerships"] if p["name"] == NLWA]
    boroughs = {codes[m["organisation"]] for m in nlwa["members"]}
    expected = sum(float(r["population"] or 0) for r in london_population_rows() if r["LAD20CD"] in boroughs)
    m = overlaps.overlap_matrix(cat, "population")
    assert m.sizes[m.names.index(NLWA)] == pytest.approx(expected)


def test_coverage_matches_a_count_from_the_source_files(example):
    """Independent count: for each ward's borough, the example partnerships that have a
    borough area and count that borough among their members."""
    cat, data = example
    codes = {o["name"]: o["gss_code"] for o in data["organisations"]}
    per_borough = Counter()
    for p in data["partnerships"]:
        if p["borough_area"]:
            per_borough.update({codes[m["organisation"]] for m in p["members"]} - {None})
    wards = london_ward_features()
    expected = {f["properties"]["WD20CD"]: per_borough[f["properties"]["LAD20CD"]] for f in wards}
    cov = sets.coverage(cat)
    got = dict(zip(cov.codes, cov.counts.tolist()))
    assert got == expected
    assert len(got) == 657 and max(got.values()) > 3

    waste = sets.coverage(cat, policy_area="waste")
    waste_boroughs = {codes[m["organisation"]] for p in data["partnerships"]
                      if p["borough_area"] and "waste" in p["policy_areas"] for m in p["members"]}
    assert {c for c, n in zip(waste.codes, waste.counts) if n} == {
        f["properties"]["WD20CD"] for f in wards if f["properties"]["LAD20CD"] in waste_boroughs}
    _, legend = waste.classes()
    assert legend[0].label == "none" and legend[0].units == 657 - sum(c.units for c in legend[1:]) > 0


def test_a_new_user_on_the_example(qtbot, example, tmp_path):
    """Open Overlaps, click a pair, UpSet the waste and sub-regional partnerships, move the
    year from 2008 to 2010 (Northumbria 101 drops out), export a plot as SVG."""
    from PySide6.QtCore import Qt

    from ui.document import Document
    from ui.overlaps.tab import OverlapsTab

    cat, _ = example
    tab = OverlapsTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(1300, 850)
    tab.show()
    qtbot.waitExposed(tab)
    heat = tab.heatmap
    row, col = heat.matrix.names.index(OLYMPIC), heat.matrix.names.index(NLWA)
    with qtbot.waitSignal(tab.pair_selected) as signal:
        qtbot.mouseClick(heat.viewport(), Qt.MouseButton.LeftButton, pos=heat.cell_centre(row, col).toPoint())
    assert signal.args == [area_id(cat, OLYMPIC), area_id(cat, NLWA)]
    assert "41 wards shared" in tab.note.text()

    wanted = {p.id for p in cat.partnerships.all() if "waste" in p.policy_areas or p.kind == "sub-regional partnership"}
    for k in range(tab.items.count()):
        item = tab.items.item(k)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)[1] in wanted
                           and item.data(Qt.ItemDataRole.UserRole)[0] == "p" else Qt.CheckState.Unchecked)
    tab.tabs.setCurrentIndex(1)
    assert sorted(tab.upset.set_names) == sorted([NLWA, OLYMPIC, WLA])
    bars = {x.names: x.units for x in tab.upset.items}
    assert bars[tuple(sorted((NLWA, OLYMPIC), key=tab.upset.set_names.index))] == 41

    tab.tabs.setCurrentIndex(4)
    tab.set_year(2008)
    assert "Northumbria 101" in tab.listed_names()
    assert "Northumbria 101" in [r.name for r in tab.timeline.rows]
    tab.set_year(2010)
    assert "Northumbria 101" not in tab.listed_names()
    assert "Northumbria 101" not in [r.name for r in tab.timeline.rows]
    tab.export_current(tmp_path / "timeline.svg")
    assert "Warwickshire Direct Partnership" in (tmp_path / "timeline.svg").read_text(encoding="utf-8")
