"""The area panel's figures, from the grid of exact squares (populations 100..1200)."""
import pytest
import shapely

from models.analysis.area_stats import area_stats, borough_names
from models.catalogue.records import Area
from tests.helpers.grid import GRID_ORIGIN


def ids_of(table, *codes):
    return [int(table.ids[table.codes.index(c)]) for c in codes]


def test_figures_of_a_cross_boundary_area(grid_cat):
    layer = grid_cat.layers.all()[0]
    t = grid_cat.layers.table(layer.id, with_attributes=True)
    # W00 W01 W02 in row 0 (B1, B1, B2) and W23 (B2) apart in the top right corner.
    units = ids_of(t, "W00", "W01", "W02", "W23")
    s = area_stats(t, units, names=borough_names(t))
    assert s.units == 4
    assert s.km2 == pytest.approx(4.0)
    assert [(b.code, b.units) for b in s.boroughs] == [("B1", 2), ("B2", 2)]
    assert s.cross_boundary
    assert s.population is None  # the grid was imported without a population file
    assert s.parts == 2
    assert s.isolated == ("Ward 2-3",)


def test_one_borough_and_overlaps(grid_cat):
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    units = ids_of(t, "W00", "W10")
    other = Area(name="Other", unit_ids=frozenset(ids_of(t, "W10", "W11")))
    s = area_stats(t, units, others=[other])
    assert not s.cross_boundary and s.parts == 1 and s.isolated == ()
    assert s.overlaps == (("Other", 1),)


def test_drawn_polygon_counts_in_km2(grid_cat):
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    x0, y0 = GRID_ORIGIN
    drawn = shapely.box(x0 + 500, y0, x0 + 1500, y0 + 1000)  # half inside W00, half in W01
    s = area_stats(t, ids_of(t, "W00"), drawn=drawn)
    assert s.km2 == pytest.approx(1.5)


def test_empty_area(grid_cat):
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    s = area_stats(t, [])
    assert (s.units, s.km2, s.parts, s.population, s.boroughs) == (0, 0.0, 0, None, ())


def test_a_drawn_area_apportions_population_and_finds_its_boroughs(grid_cat):
    from dataclasses import replace

    import numpy as np
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    # Populations 100..1200 by row-major index, as the grid file gives them.
    t = replace(t, population=np.array([100.0 * (k + 1) for k in range(len(t.ids))]))
    x0, y0 = GRID_ORIGIN
    # 40% of W01 (B1, 200 people) and of W02 (B2, 300), and 0.4% slivers of W11 (600) and W12 (700).
    drawn = shapely.box(x0 + 1600, y0 + 0, x0 + 2400, y0 + 1010)
    s = area_stats(t, [], drawn=drawn, names=borough_names(t, [], {"B1": {}, "B2": {}}))
    assert s.units == 0 and s.drawn_over == 2 and s.apportioned
    assert s.population == pytest.approx(0.4 * 200 + 0.4 * 300 + 0.004 * 600 + 0.004 * 700)
    assert sorted((b.code, b.units) for b in s.boroughs) == [("B1", 1), ("B2", 1)]
    assert sum(b.km2 for b in s.boroughs) == pytest.approx(0.8, abs=0.01)
    assert s.cross_boundary and s.parts == 1
    assert s.km2 == pytest.approx(drawn.area / 1e6)
    # Within one borough: not a virtual borough.
    inside = area_stats(t, [], drawn=shapely.box(x0 + 100, y0 + 100, x0 + 900, y0 + 900))
    assert [b.code for b in inside.boroughs] == ["B1"] and not inside.cross_boundary
    assert inside.population == pytest.approx(0.64 * 100)
