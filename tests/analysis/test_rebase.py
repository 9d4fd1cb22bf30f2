"""Re-basing the example's areas from the 2020 London wards onto the 2022 ones, with the
expected wards computed here from the two shipped files."""
import shutil
import sqlite3

import numpy as np
import pytest
import shapely

from models.analysis.rebase import apply_rebase, plan_rebase
from models.catalogue import Catalogue
from models.catalogue.records import Area, BoundaryLayer
from models.errors import CatalogueError
from models.storage import schema
from tests.helpers.catalogues import snapshot

W20, W22 = "London wards 2020", "London wards 2022"


@pytest.fixture
def ex(london_example_file, tmp_path):
    path = tmp_path / "example.gpkg"
    shutil.copy(london_example_file, path)
    with Catalogue.open(path) as cat:
        yield cat


def _tables(cat):
    return cat.layers.table(cat.layers.find(W20).id), cat.layers.table(cat.layers.find(W22).id)


def as_drawn(cat) -> None:
    """The example's areas follow their members; kept as drawn, the crosswalk carries them."""
    for a in cat.areas.all(outlines=False):
        if a.kind == "derived":
            cat.areas.keep_as_drawn(a.id)


@pytest.mark.parametrize("kind", ["drawn", "derived"])
def test_areas_of_whole_boroughs_get_exactly_those_boroughs_2022_wards(ex, kind):
    if kind == "drawn":
        as_drawn(ex)
    old, new = _tables(ex)
    plans, _ = plan_rebase(ex, W22)
    assert {p.rule for p in plans} == {"majority" if kind == "drawn" else "derived"}
    on_2020 = [a for a in ex.areas.all(outlines=False) if a.layer_id == old.layer_id]
    assert len(plans) == len(on_2020) > 10
    row = old.index_of()
    for plan, area in zip(plans, on_2020):
        boroughs = {old.parent_codes[row[u]] for u in area.unit_ids}
        # every example area is its member boroughs' wards, all of them
        assert sum(p in boroughs for p in old.parent_codes) == len(area.unit_ids)
        expected = {c for c, p in zip(new.codes, new.parent_codes) if p in boroughs}
        assert set(plan.codes_after) == expected, plan.area
        assert plan.covered_share > 0.94


def test_wards_whose_codes_did_not_change_keep_their_codes(ex):
    old, new = _tables(ex)
    by_borough: dict[str, list[str]] = {}
    for code, parent in zip(old.codes, old.parent_codes):
        by_borough.setdefault(parent, []).append(code)
    kept = set(new.codes)
    unchanged = sorted(b for b, codes in by_borough.items() if set(codes) <= kept)
    assert unchanged, "some borough kept its 2020 ward codes in 2022"
    codes = by_borough[unchanged[0]][:5]        # part of the borough, not all of it
    ids = [int(old.ids[old.codes.index(c)]) for c in codes]
    ex.areas.add(Area(name="Five unchanged wards", layer_id=old.layer_id, unit_ids=frozenset(ids)))
    plans, _ = plan_rebase(ex, W22, names=["Five unchanged wards"])
    assert sorted(plans[0].codes_after) == sorted(codes) and plans[0].carried == 5


def test_an_area_across_borough_lines_keeps_its_km2_within_a_few_percent(ex):
    old, _ = _tables(ex)
    # The wards within 2.5 km of the middle of the Camden-Islington border.
    parents = np.array(old.parent_codes)
    camden = shapely.union_all(old.geometries[parents == "E09000007"])
    islington = shapely.union_all(old.geometries[parents == "E09000019"])
    border = shapely.intersection(camden.boundary, islington.boundary)
    middle = shapely.line_interpolate_point(shapely.line_merge(border), 0.5, normalized=True) \
        if border.geom_type != "Point" else border
    near = shapely.distance(shapely.point_on_surface(old.geometries), middle) < 2500
    ids = frozenset(int(i) for i in old.ids[near])
    assert len({old.parent_codes[k] for k in np.flatnonzero(near)}) >= 2
    ex.areas.add(Area(name="Across the border", layer_id=old.layer_id, unit_ids=ids))
    plan = plan_rebase(ex, W22, names=["Across the border"])[0][0]
    assert plan.km2_before == pytest.approx(shapely.area(old.geometries[near]).sum() / 1e6)
    assert abs(plan.km2_after - plan.km2_before) / plan.km2_before < 0.05
    for rule in ("any", "within"):   # the rules nest: within ⊆ majority ⊆ any
        plans_rule = plan_rebase(ex, W22, names=["Across the border"], rule=rule)[0][0]
        assert (set(plans_rule.codes_after) >= set(plan.codes_after)) == (rule == "any")
        assert (set(plans_rule.codes_after) <= set(plan.codes_after)) == (rule == "within") or \
            plans_rule.codes_after == plan.codes_after


@pytest.mark.parametrize("kind", ["drawn", "derived"])
def test_apply_moves_every_area_with_provenance_in_one_undo_step(ex, kind):
    if kind == "drawn":
        as_drawn(ex)
    before = snapshot(ex)
    old, new = _tables(ex)
    plans, _ = plan_rebase(ex, W22)
    revert = apply_rebase(ex, plans)
    for plan in plans:
        area = ex.areas.get(plan.area_id)
        assert area.layer_id == new.layer_id
        assert {new.codes[new.index_of()[u]] for u in area.unit_ids} == set(plan.codes_after)
        prov = ex.areas.rebased_from(area.id)
        assert prov["layer"] == W20 and prov["vintage"] == "2020" and prov["rule"] == plan.rule
        assert area.kind == kind   # a derived area goes on following its members on the new wards
        assert sorted(prov["codes_before"]) == sorted(plan.codes_before)
        assert prov["covered_share"] == pytest.approx(plan.covered_share, abs=1e-4)
    redo = revert()
    assert snapshot(ex) == before
    redo()
    assert all(ex.areas.get(p.area_id).layer_id == new.layer_id for p in plans)


@pytest.mark.parametrize("case", ["borough layer", "no overlap", "unknown area", "part of London",
                                  "same layer", "unknown layer"])
def test_bad_input_is_one_line_and_changes_nothing(ex, case):
    old, new = _tables(ex)
    kwargs = {"to": W22}
    if case == "borough layer":
        kwargs["to"] = "London boroughs 2020"
    elif case == "unknown area":
        kwargs["names"] = ["Nowhere Partnership"]
    elif case == "same layer":
        kwargs.update(to=W20, from_=W20)
    elif case == "unknown layer":
        kwargs["to"] = "Wards 1999"
    else:
        keep = (np.arange(len(new)) if case == "no overlap"
                else np.flatnonzero(np.array(new.parent_codes) == "E09000007"))   # Camden only
        geoms = new.geometries[keep]
        if case == "no overlap":
            geoms = shapely.transform(geoms, lambda xy: xy + [0, 150_000])   # 150 km north
        ex.layers.add(BoundaryLayer(name="Partial", level="ward", vintage="2022"),
                      [new.codes[k] for k in keep], [new.names[k] for k in keep],
                      [new.parent_codes[k] for k in keep], [None] * len(keep),
                      [{} for _ in keep], geoms)
        kwargs["to"] = "Partial"
    before = snapshot(ex)
    with pytest.raises(CatalogueError) as info:
        plans, _ = plan_rebase(ex, from_=kwargs.pop("from_", None), **kwargs)
        apply_rebase(ex, plans)
    message = str(info.value)
    assert "\n" not in message
    expected = {"borough layer": "cannot re-base from a ward layer", "no overlap": "does not overlap",
                "unknown area": "no area called 'Nowhere Partnership'", "part of London": "cover only",
                "same layer": "already on", "unknown layer": "no boundary layer called"}[case]
    assert expected in message
    assert snapshot(ex) == before


def test_a_catalogue_made_before_vintages_migrates(london_example_file, tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copy(london_example_file, path)
    # Make it as a file from before the migration was: without its columns and number.
    number = schema.MIGRATIONS.index(schema.migration_layer_vintages) + 1
    conn = sqlite3.connect(path)
    for table, column in (("boundary_layers", "in_force_from"), ("boundary_layers", "in_force_to"),
                          ("areas", "rebased_from")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("UPDATE atlas_meta SET value=? WHERE key='schema_version'", (str(number - 1),))
    conn.commit()
    conn.close()
    with Catalogue.open(path) as cat:
        version = cat.store.conn.execute("SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()
        assert int(version[0]) == schema.SCHEMA_VERSION
        assert [(l.name, l.vintage, l.in_force_from) for l in cat.layers.all()][:2] == [
            (W20, "2020", None), (W22, "2022", None)]
        plans, _ = plan_rebase(cat, W22, names=["West London Alliance"])
        apply_rebase(cat, plans)
        assert cat.areas.rebased_from(plans[0].area_id)["vintage"] == "2020"
