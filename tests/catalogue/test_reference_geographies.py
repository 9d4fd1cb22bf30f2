"""Reference geographies: storage, finding by name, one undo step, refusals that write nothing."""
from __future__ import annotations

import pytest
import shapely

from models.catalogue import Catalogue
from models.catalogue.reference_geographies import NewArea, NewGeography
from models.errors import CatalogueError
from models.storage import check
from tests.helpers.catalogues import snapshot
from tests.helpers.grid import CELL, GRID_ORIGIN


def _cell(col: int, row: int, cols: int = 1, rows: int = 1):
    x, y = GRID_ORIGIN[0] + col * CELL, GRID_ORIGIN[1] + row * CELL
    return shapely.box(x, y, x + cols * CELL, y + rows * CELL)


def _halves() -> list[NewArea]:
    return [NewArea("West", code="X1", authorities=[("B1", "")]),
            NewArea("East", code="X2", authorities=[("b2", "")])]


def test_add_list_find_and_undo(grid_cat):
    cat = grid_cat
    before = snapshot(cat)
    revert = cat.references.add(NewGeography("Halves ICBs", agency="NHS", in_force_from="2022-07",
                                             source_title="A list", source_year=2022), _halves())
    (g,) = cat.references.list()
    assert (g.name, g.agency, g.in_force_from, g.partitions, g.area_count) == ("Halves ICBs", "NHS", "2022-07", True, 2)
    assert cat.references.find("icb").id == g.id == revert.id
    areas = {a.name: a for a in cat.references.areas(g.id)}
    assert areas["East"].authorities == (("B2", ""),)   # codes kept upper case
    assert areas["East"].source_title == "A list"        # the geography's source when the area has none
    assert check.problems(cat) == []                      # still a sound GeoPackage
    redo = revert()
    assert snapshot(cat) == before                        # one undo step takes it all away
    redo()
    assert cat.references.find("Halves ICBs").area_count == 2


def test_unit_sets_by_authorities_polygon_and_area(grid_cat):
    cat = grid_cat
    layer = cat.layers.all()[0]
    units = {u.code: u.id for u in cat.layers.units(layer.id)}
    cat.references.add(NewGeography("Halves"), _halves())
    g = cat.references.find("halves")
    sets = {a.name: sorted(s.tolist()) for a, s in
            ((a, cat.references.unit_sets(g.id, layer.id)[a.id]) for a in cat.references.areas(g.id))}
    assert sets["West"] == sorted(units[f"W{r}{c}"] for r in range(3) for c in (0, 1))
    # A polygon over column 0 and 60 % of column 1 holds both columns' wards; 40 % of column 2 is not enough.
    x0, y0 = GRID_ORIGIN
    poly = shapely.box(x0, y0, x0 + 1.6 * CELL, y0 + 3 * CELL)
    rest = shapely.box(x0 + 1.6 * CELL, y0, x0 + 4 * CELL, y0 + 3 * CELL)
    cat.references.add(NewGeography("Drawn"), [NewArea("Left", geometry=poly), NewArea("Right", geometry=rest)])
    d = cat.references.find("drawn")
    by_name = {a.name: a for a in cat.references.areas(d.id)}
    assert by_name["Left"].has_geometry and by_name["Left"].definition == "polygon"
    got = cat.references.unit_sets(d.id, layer.id)
    assert sorted(got[by_name["Left"].id].tolist()) == sets["West"]
    assert len(got[by_name["Right"].id]) == 6
    # Outlines for the map: a polygon as imported, authorities as the union of their wards.
    outlines = grid_cat.references.outlines(g.id, layer.id)
    assert sorted(round(o.area / 1e6, 6) for o in outlines.values()) == [6.0, 6.0]
    assert grid_cat.references.outlines(d.id, layer.id)[by_name["Left"].id].equals(poly)


def test_bad_input_is_every_problem_and_nothing_written(grid_cat):
    cat = grid_cat
    before = snapshot(cat)
    areas = [NewArea("One", authorities=[("E09000999", "")]), NewArea("one", authorities=[("B1", "")]),
             NewArea("Empty"), NewArea("Also B1", authorities=[("B1", "")])]
    with pytest.raises(CatalogueError) as e:
        cat.references.add(NewGeography("Bad"), areas)
    lines = str(e.value).splitlines()
    assert any("unknown authority code 'E09000999'" in line for line in lines)
    assert any("'one' appears more than once" in line for line in lines)
    assert any("'Empty' has no authorities" in line for line in lines)
    assert any("both hold B1" in line for line in lines)
    assert snapshot(cat) == before
    # Overlapping polygons: refused unless the geography says it does not partition.
    overlapping = [NewArea("A", geometry=_cell(0, 0, 2, 3)), NewArea("B", geometry=_cell(1, 0, 2, 3))]
    with pytest.raises(CatalogueError, match="'A' and 'B' overlap"):
        cat.references.add(NewGeography("Overlaps"), overlapping)
    assert snapshot(cat) == before
    cat.references.add(NewGeography("Overlaps", partitions=False), overlapping)
    assert cat.references.find("overlaps").partitions is False


def test_find_unknown_and_ambiguous(grid_cat):
    cat = grid_cat
    with pytest.raises(CatalogueError, match="no reference geographies"):
        cat.references.find("icb")
    cat.references.add(NewGeography("London ICBs"), _halves())
    cat.references.add(NewGeography("London police"), _halves()[:1])
    with pytest.raises(CatalogueError, match="ambiguous: London ICBs, London police"):
        cat.references.find("london")
    with pytest.raises(CatalogueError, match="unknown reference geography 'fire'"):
        cat.references.find("fire")


def test_delete_is_one_step_and_survives_reopen(grid_cat, tmp_path):
    cat = grid_cat
    cat.references.add(NewGeography("Halves"), _halves())
    g = cat.references.find("halves")
    undo = cat.references.delete(g.id)
    assert cat.references.list() == []
    undo()
    path = cat.path
    cat.close()
    with Catalogue.open(path) as again:
        assert again.references.find("halves").area_count == 2
        assert again.store.conn.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name='reference_areas'").fetchone() == ("features",)
