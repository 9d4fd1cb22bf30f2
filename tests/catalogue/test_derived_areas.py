"""Areas that follow their members: stored as the member boroughs' wards at any time,
re-derived in the same edit (one undo step) as the membership change, and as of a
date through models.analysis.footprints."""
from __future__ import annotations

import json
import sqlite3

import pytest

from models.analysis.footprints import Footprints, as_of
from models.catalogue import Catalogue
from models.catalogue.records import Area, Membership, Organisation, Partnership
from models.errors import CatalogueError
from models.storage import schema


@pytest.fixture
def boroughs(grid_cat):
    """Two borough bodies whose GSS codes are the grid's parent codes, a third without one."""
    cat = grid_cat
    t = cat.layers.table(cat.layers.all()[0].id)
    by_borough: dict[str, set[int]] = {}
    for fid, parent in zip(t.ids, t.parent_codes):
        by_borough.setdefault(parent, set()).add(int(fid))
    b1 = cat.organisations.add(Organisation("Borough One", kind="local authority", gss_code="B1")).id
    b2 = cat.organisations.add(Organisation("Borough Two", kind="local authority", gss_code="B2")).id
    police = cat.organisations.add(Organisation("Police", kind="police")).id
    pid = cat.partnerships.add(Partnership("Shared", start="2005"),
                               [Membership(0, b1, joined="2005"), Membership(0, b2, joined="2012"),
                                Membership(0, police)]).id
    return cat, pid, {"B1": b1, "B2": b2, "police": police}, by_borough, cat.layers.all()[0].id


def _derived(cat, pid, layer_id) -> int:
    return cat.areas.from_partnership(pid, layer_id, name="Shared area", kind="derived").id


def test_a_derived_area_is_its_members_wards_and_as_of_a_date_only_those_members_then(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    area = cat.areas.get(area_id)
    assert area.kind == "derived"
    assert area.unit_ids == wards["B1"] | wards["B2"]
    feet = Footprints(cat)
    assert feet.units(area, "2008") == wards["B1"]          # Borough Two joined in 2012
    assert feet.units(area, "2015") == wards["B1"] | wards["B2"]
    assert feet.units(area, "2001") == frozenset()          # before anyone joined
    assert as_of(cat, [area], None)[0].unit_ids == area.unit_ids


def test_a_borough_leaving_removes_its_wards_later_and_undo_restores_both(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    m = next(m for m in cat.partnerships.memberships(pid) if m.organisation_id == orgs["B1"])
    revert = cat.partnerships.update_member(Membership(pid, orgs["B1"], joined="2005", left="2014", id=m.id))
    assert "memberships" in revert.tables
    area = cat.areas.get(area_id)
    assert Footprints(cat).units(area, "2016") == wards["B2"]
    assert Footprints(cat).units(area, "2013") == wards["B1"] | wards["B2"]
    revert()
    assert cat.partnerships.memberships(pid)[0].left is None
    assert Footprints(cat).units(cat.areas.get(area_id), "2016") == wards["B1"] | wards["B2"]


def test_removing_and_adding_a_member_re_derives_the_stored_wards_in_the_same_undo_step(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    before = cat.areas.get(area_id)
    m = next(m for m in cat.partnerships.memberships(pid) if m.organisation_id == orgs["B2"])
    revert = cat.partnerships.remove_member(m.id)
    assert "area_units" in revert.tables and "memberships" in revert.tables
    after = cat.areas.get(area_id)
    assert after.unit_ids == wards["B1"]
    assert after.outline.area == pytest.approx(len(wards["B1"]) * 1e6)
    redo = revert()
    assert cat.areas.get(area_id).unit_ids == before.unit_ids
    assert cat.areas.get(area_id).outline.area == pytest.approx(before.outline.area)
    redo()
    assert cat.areas.get(area_id).unit_ids == wards["B1"]
    cat.partnerships.add_member(Membership(pid, orgs["B2"]))
    assert cat.areas.get(area_id).unit_ids == wards["B1"] | wards["B2"]


def test_a_new_gss_code_moves_the_area_and_a_drawn_area_stays_as_drawn(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    drawn_id = cat.areas.from_partnership(pid, layer_id, name="Drawn copy").id
    m = next(m for m in cat.partnerships.memberships(pid) if m.organisation_id == orgs["B2"])
    cat.partnerships.remove_member(m.id)
    assert cat.areas.get(drawn_id).unit_ids == wards["B1"] | wards["B2"]   # drawn: not followed
    cat.organisations.update(Organisation("Borough Two", kind="local authority", id=orgs["B2"]))
    revert = cat.organisations.update(Organisation("Borough One", kind="local authority", gss_code="B2",
                                                   id=orgs["B1"]))
    assert cat.areas.get(area_id).unit_ids == wards["B2"]
    revert()
    assert cat.areas.get(area_id).unit_ids == wards["B1"]


def test_converting_each_way_is_one_undo_step(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = cat.areas.add(Area("Hand drawn", partnership_id=pid, layer_id=layer_id,
                                 unit_ids=frozenset(list(wards["B1"])[:2]))).id
    revert = cat.areas.follow_members(area_id)
    assert cat.areas.get(area_id).kind == "derived"
    assert cat.areas.get(area_id).unit_ids == wards["B1"] | wards["B2"]
    revert()
    assert cat.areas.get(area_id).kind == "drawn"
    assert len(cat.areas.get(area_id).unit_ids) == 2
    cat.areas.follow_members(area_id)
    # Kept as drawn as of 2008: the footprint seen then is what it keeps.
    area = cat.areas.get(area_id)
    undo = cat.areas.keep_as_drawn(area_id, Footprints(cat).units(area, "2008"))
    kept = cat.areas.get(area_id)
    assert kept.kind == "drawn" and kept.unit_ids == wards["B1"]
    m = next(m for m in cat.partnerships.memberships(pid) if m.organisation_id == orgs["B1"])
    cat.partnerships.remove_member(m.id)
    assert cat.areas.get(area_id).unit_ids == wards["B1"]    # no longer follows
    cat.partnerships.add_member(Membership(pid, orgs["B1"], joined="2005"))
    undo()
    assert cat.areas.get(area_id).kind == "derived"


def test_bad_conversions_say_why_in_one_line_and_change_nothing(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    free = cat.areas.add(Area("Free", layer_id=layer_id, unit_ids=frozenset(wards["B1"]))).id
    police_only = cat.partnerships.add(Partnership("Police only"), [Membership(0, orgs["police"])]).id
    linked = cat.areas.add(Area("Police area", partnership_id=police_only, layer_id=layer_id,
                                unit_ids=frozenset(wards["B2"]))).id
    derived = _derived(cat, pid, layer_id)
    before = cat.areas.all()
    for call, words in ((lambda: cat.areas.follow_members(free), "linked to no partnership"),
                        (lambda: cat.areas.follow_members(linked), "no member of 'Police only'"),
                        (lambda: cat.areas.follow_members(derived), "already follows"),
                        (lambda: cat.areas.keep_as_drawn(free), "already kept as drawn"),
                        (lambda: cat.areas.change_units(derived, add=wards["B1"]), "Keep as drawn"),
                        (lambda: cat.areas.set_drawn(derived, None), "Keep as drawn")):
        with pytest.raises(CatalogueError) as e:
            call()
        assert words in str(e.value) and "\n" not in str(e.value)
    assert [(a.id, a.kind, a.unit_ids) for a in cat.areas.all()] == [(a.id, a.kind, a.unit_ids) for a in before]


def test_deleting_the_partnership_keeps_its_derived_area_as_drawn(boroughs):
    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    revert = cat.partnerships.delete(pid)
    area = cat.areas.get(area_id)
    assert area.partnership_id is None and area.kind == "drawn" and area.unit_ids == wards["B1"] | wards["B2"]
    revert()
    assert cat.areas.get(area_id).kind == "derived"


def test_a_catalogue_made_before_area_kinds_migrates_with_every_area_drawn(grid_cat, tmp_path):
    cat = grid_cat
    layer_id = cat.layers.all()[0].id
    t = cat.layers.table(layer_id)
    cat.areas.add(Area("Old", layer_id=layer_id, unit_ids=frozenset(int(u) for u in t.ids[:3])))
    path = cat.store.path
    cat.close()
    # Back to the schema before this migration: no kind column, the version before it.
    before = schema.MIGRATIONS.index(schema.migration_area_kinds)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE areas DROP COLUMN kind")
    conn.execute("UPDATE atlas_meta SET value=? WHERE key='schema_version'", (str(before),))
    conn.close()
    with Catalogue.open(path) as reopened:
        (area,) = reopened.areas.all()
        assert area.kind == "drawn" and len(area.unit_ids) == 3
        version = reopened.store.conn.execute(
            "SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0]
        assert int(version) == schema.SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):   # the kinds are the two the app knows
            reopened.store.conn.execute("UPDATE areas SET kind='other'")


def test_overlaps_and_coverage_count_a_derived_area_as_its_members_then(boroughs, capsys):
    from models.analysis.overlaps import area_set
    from models.analysis.sets import coverage
    from tests.helpers.cli import run

    cat, pid, orgs, wards, layer_id = boroughs
    area_id = _derived(cat, pid, layer_id)
    cat.areas.add(Area("Borough Two drawn", layer_id=layer_id, unit_ids=frozenset(wards["B2"])))
    for year, expected in (("2008", wards["B1"]), ("2015", wards["B1"] | wards["B2"])):
        chosen = area_set(cat, as_of=year)
        k = [a.id for a in chosen.areas].index(area_id)
        assert set(chosen.unit_ids_of(k).tolist()) == expected
        cov = coverage(cat, as_of=year)
        covered = {int(u) for u, n in zip(cov.unit_ids, cov.counts) if n == 2}
        assert covered == (wards["B2"] if year == "2015" else set())
    path = str(cat.store.path)
    cat.close()
    code, out, _ = run(capsys, "overlaps", path, "--as-of", "2008", "--format", "json")
    assert code == 0 and json.loads(out)[0]["shared"] == 0
    code, out, _ = run(capsys, "overlaps", path, "--as-of", "2015", "--format", "json")
    assert json.loads(out)[0]["shared"] == len(wards["B2"])
