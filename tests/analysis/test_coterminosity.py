"""Coterminosity on the grid: exact shares, categories, the nesting index, parts for the map."""
from __future__ import annotations

import json

import pytest

from models.analysis.coterminosity import measure, parts
from models.catalogue.records import Area, Organisation
from models.catalogue.reference_geographies import NewArea, NewGeography
from models.errors import CatalogueError
from models.formats.boundary_import import import_boundaries
from tests.helpers.grid import GRID_COLS, GRID_ROWS, grid_code


@pytest.fixture
def grid_cat(cat, grid_geojson, tmp_path):
    """The grid with populations 100 x (row*4 + col + 1), as tests/helpers/overlap_grid imports it."""
    pop = tmp_path / "pop.csv"
    pop.write_text("WD20CD,population\n" + "".join(
        f"{grid_code(c, r)},{100 * (r * GRID_COLS + c + 1)}\n" for r in range(GRID_ROWS) for c in range(GRID_COLS)))
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward", population=pop)
    return cat


def _setup(cat):
    layer = cat.layers.all()[0]
    u = {x.code: x.id for x in cat.layers.units(layer.id)}
    col = lambda *cols: frozenset(u[f"W{r}{c}"] for r in range(3) for c in cols)   # noqa: E731
    for name, units in (("Left", col(0, 1)), ("Corner", frozenset({u["W00"]})), ("All", col(0, 1, 2, 3)),
                        ("Middle", col(1, 2)), ("Left plus one", col(0, 1) | {u["W02"]})):
        cat.areas.add(Area(name, layer_id=layer.id, unit_ids=units))
    cat.references.add(NewGeography("Halves"), [NewArea("West", authorities=[("B1", "")]),
                                                NewArea("East", authorities=[("B2", "")])])
    return layer, u


def _by_name(c):
    return {s.area: s for s in c.summary}, {(p.area, p.reference): p for p in c.pairs}


def test_categories_shares_and_the_nesting_index_by_units(grid_cat):
    layer, _ = _setup(grid_cat)
    c = measure(grid_cat, "halves", by="units")
    s, p = _by_name(c)
    assert s["Left"].category == "coterminous" and s["Left"].best == "West" and s["Left"].best_jaccard == 1
    assert s["Corner"].category == "nested" and p[("Corner", "West")].b_in_a == pytest.approx(1 / 6)
    assert (s["All"].category, s["All"].split_into) == ("contains", 2)
    assert (s["Middle"].category, s["Middle"].split_into) == ("split", 2)
    m = p[("Middle", "East")]
    assert (m.a_in_b, m.b_in_a, m.jaccard) == (pytest.approx(0.5), pytest.approx(0.5), pytest.approx(1 / 3))
    assert s["Left plus one"].category == "split"     # 6 of 7 wards in West: 14 % out, above 2 %
    # RN = mean over areas of Σⱼ share²: Left 1, Corner 1, All .5, Middle .5, Left plus one (6/7)²+(1/7)².
    expected = (1 + 1 + 0.5 + 0.5 + (6 / 7) ** 2 + (1 / 7) ** 2) / 5
    assert c.nesting_index == pytest.approx(expected)
    assert c.intact_share == pytest.approx(2 / 5)
    assert ("Corner", "East") not in p                  # only pairs that share something


def test_by_population_and_the_tolerance(grid_cat):
    _setup(grid_cat)
    # Populations are 100 x (row*4 + col + 1): B1 holds 3,300 people, ward W02 300.
    c = measure(grid_cat, "halves", by="population")
    s, p = _by_name(c)
    assert p[("Left plus one", "West")].a_in_b == pytest.approx(3300 / 3600)
    assert s["Left plus one"].category == "split"
    loose = measure(grid_cat, "halves", by="population", tolerance=0.1)
    assert _by_name(loose)[0]["Left plus one"].category == "coterminous"
    assert measure(grid_cat, "halves", by="area").pairs[0].shared > 0     # km²


def test_outside_and_other_way_round(grid_cat):
    layer, u = _setup(grid_cat)
    grid_cat.references.add(NewGeography("West only"), [NewArea("West", authorities=[("B1", "")])])
    right = grid_cat.areas.add(Area("Right", layer_id=layer.id, unit_ids=frozenset({u["W03"], u["W13"]})))
    west_only = measure(grid_cat, "west only")
    s, _ = _by_name(west_only)
    # Proportion intact counts areas meeting one reference area, even if partly outside the territory.
    assert west_only.intact_share == 1.0 and west_only.nesting_index < 1
    assert s["Right"].category == "outside" and s["Right"].best is None
    assert s["All"].category == "contains" and s["All"].covered == pytest.approx(0.5)   # and beyond it
    assert (s["Middle"].category, s["Middle"].split_into) == ("split", 1)   # half of West, half outside
    fits = measure(grid_cat, "halves").fits(top=2)
    west = grid_cat.references.areas(grid_cat.references.find("halves").id)[1]
    assert west.name == "West" and [f.area for f in fits[west.id]] == ["Left", "Left plus one"]
    inside, outside, ref_only = parts(grid_cat, right.id, west.id, layer.id)
    assert len(inside) == 0 and sorted(outside.tolist()) == sorted([u["W03"], u["W13"]]) and len(ref_only) == 6


def test_json_shape(grid_cat):
    _setup(grid_cat)
    out = json.loads(json.dumps(measure(grid_cat, "halves").to_json()))
    assert out["layer"] == "Halves" and out["by"] == "units"
    assert set(out["pairs"][0]) == {"area", "reference", "a_in_b", "b_in_a", "jaccard"}
    assert set(out["summary"][0]) == {"area", "category", "split_into", "best", "best_jaccard", "nesting"}


def test_a_geography_outside_the_wards_is_a_message_not_zeros(grid_cat):
    _setup(grid_cat)
    grid_cat.organisations.add(Organisation("City of London", kind="local authority", gss_code="E09000001"))
    grid_cat.references.add(NewGeography("City police"), [NewArea("City", authorities=[("E09000001", "")])])
    with pytest.raises(CatalogueError, match="'City police' lies outside the loaded wards"):
        measure(grid_cat, "city")
    with pytest.raises(CatalogueError, match="have no populations|by 'people'"):
        measure(grid_cat, "halves", by="people")


def test_by_population_with_no_people_on_any_layer_is_a_message(cat, grid_geojson):
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    cat.references.add(NewGeography("Halves"), [NewArea("West", authorities=[("B1", "")])])
    with pytest.raises(CatalogueError, match="have no populations, nor does any other layer of its level"):
        measure(cat, "halves", by="population")
