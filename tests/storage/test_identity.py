"""Stable identity (uuid, changed_at, changed_by) and the history kept in the file."""
import re
import shutil
import sqlite3
import uuid
from dataclasses import replace

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from models.storage import check, schema
from tests.helpers.catalogues import small_catalogue, snapshot

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _old_catalogue(path, monkeypatch) -> None:
    """A catalogue as the version before row identity wrote it, with rows in every table."""
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_row_identity)]
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", before)
        m.setattr(schema, "SCHEMA_VERSION", len(before))
        old = Catalogue.create(path)
        assert "uuid" not in old.store.columns["partnerships"]
        small_catalogue(old)
        old.close()


def _uuids(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT rowid, uuid FROM {t} ORDER BY rowid").fetchall()
                for t in schema.IDENTIFIED_TABLES}
    finally:
        conn.close()


def test_two_copies_of_an_old_file_upgraded_apart_agree_and_another_file_does_not(tmp_path, monkeypatch):
    _old_catalogue(tmp_path / "a.gpkg", monkeypatch)
    shutil.copy(tmp_path / "a.gpkg", tmp_path / "copy.gpkg")
    _old_catalogue(tmp_path / "other.gpkg", monkeypatch)   # made apart: the same rows, another file
    for name in ("a.gpkg", "copy.gpkg", "other.gpkg"):
        Catalogue.open(tmp_path / name).close()
    a, copy, other = (_uuids(tmp_path / n) for n in ("a.gpkg", "copy.gpkg", "other.gpkg"))
    assert a == copy
    everything = [u for rows in a.values() for _, u in rows]
    assert len(everything) == len(set(everything)) == 3 + 2 + 3 + 1 + 1
    assert all(uuid.UUID(u).version == 5 for u in everything)
    assert not set(everything) & {u for rows in other.values() for _, u in rows}


def test_new_rows_get_a_uuid4_and_a_stamp_and_redo_brings_back_the_same_row(cat, monkeypatch):
    cat.store.author = "Ada Researcher"
    revert = cat.partnerships.add(Partnership("West London Alliance"))
    u, at, by = cat.store.conn.execute(
        "SELECT uuid, changed_at, changed_by FROM partnerships WHERE id=?", (revert.id,)).fetchone()
    assert uuid.UUID(u).version == 4 and UTC_Z.match(at) and by == "Ada Researcher"
    redo = revert()
    assert cat.store.conn.execute("SELECT count(*) FROM partnerships").fetchone()[0] == 0
    redo()
    assert cat.store.conn.execute(
        "SELECT uuid, changed_at, changed_by FROM partnerships").fetchall() == [(u, at, by)]


def test_an_update_stamps_the_row_and_undo_puts_the_old_stamp_back(cat):
    ids = small_catalogue(cat)
    conn = cat.store.conn
    before = conn.execute("SELECT changed_at, changed_by FROM partnerships WHERE id=?", (ids["wla"],)).fetchone()
    cat.store.author = "Someone else"
    revert = cat.partnerships.update(replace(cat.partnerships.get(ids["wla"]), name="WLA"))
    after = conn.execute("SELECT changed_at, changed_by FROM partnerships WHERE id=?", (ids["wla"],)).fetchone()
    assert after[1] == "Someone else" and after[0] >= before[0]
    untouched = conn.execute("SELECT changed_by FROM partnerships WHERE id=?", (ids["north"],)).fetchone()
    assert untouched[0] != "Someone else"
    revert()
    assert conn.execute("SELECT changed_at, changed_by FROM partnerships WHERE id=?",
                        (ids["wla"],)).fetchone() == before


def test_the_history_names_each_edit_and_says_what_changed_across_a_reopen(cat, tmp_path):
    ids = small_catalogue(cat)
    cat.store.author = "Ada"
    wla = cat.partnerships.get(ids["wla"])
    with cat.store.naming("Rename West London Alliance"):
        revert = cat.partnerships.update(replace(wla, name="WLA", start="2006"))
    redo = revert()
    redo()
    path = cat.path
    cat.close()
    with Catalogue.open(path) as again:
        edit_, undo, redo_entry = reversed(again.history.entries(limit=3))
        assert [e.kind for e in (edit_, undo, redo_entry)] == ["edit", "undo", "redo"]
        assert {e.name for e in (edit_, undo, redo_entry)} == {"Rename West London Alliance"}
        assert undo.detail == '{"of": "%s"}' % edit_.uuid
        assert edit_.author == "Ada" and UTC_Z.match(edit_.at)
        (change,) = edit_.changes
        wla_uuid = again.store.conn.execute("SELECT uuid FROM partnerships WHERE id=?", (ids["wla"],)).fetchone()[0]
        assert (change.tbl, change.row_uuid, change.op) == ("partnerships", wla_uuid, "U")
        assert change.old["name"] == "West London Alliance" and change.new["name"] == "WLA"
        assert change.old["start_date"] == "2005" and change.new["start_date"] == "2006"
        assert "description" not in change.new    # only what changed
        assert undo.changes[0].new["name"] == "West London Alliance"
        # Seven edits built the small catalogue, three more here; the journal writes them all.
        assert len(again.history.entries()) == 10


def test_history_by_record_finds_the_partnership_and_the_rows_pointing_to_it(cat):
    ids = small_catalogue(cat)
    wla_uuid = cat.store.conn.execute("SELECT uuid FROM partnerships WHERE id=?", (ids["wla"],)).fetchone()[0]
    harrow = cat.organisations.add(Organisation("Harrow", "local authority", "E09000015")).id
    cat.partnerships.add_member(Membership(ids["wla"], harrow, role="funder"))
    cat.partnerships.add_member(Membership(ids["north"], harrow))
    entries = cat.history.entries(record=wla_uuid)
    names = [e.name for e in entries]
    assert len(entries) == 3   # added (with its members), its citation, the new member
    (member,) = entries[0].changes
    assert member.tbl == "memberships" and member.new["partnership_id"] == wla_uuid
    org_uuid = cat.store.conn.execute("SELECT uuid FROM organisations WHERE id=?", (harrow,)).fetchone()[0]
    assert member.new["organisation_id"] == org_uuid   # keys as uuids: ids differ between copies
    assert cat.history.find_record("west london alliance") == [("partnerships", wla_uuid, "West London Alliance")]
    assert [e.uuid for e in cat.history.entries(record=wla_uuid, limit=1)] == [entries[0].uuid]
    (added,) = cat.history.entries(text="HARROW")   # in a name, an author or a value
    assert added.changes[0].new["name"] == "Harrow" and names[0] != added.name


def test_a_removed_record_is_still_found_by_name_with_its_whole_row(cat):
    ids = small_catalogue(cat)
    cat.partnerships.delete(ids["north"])
    ((table, row_uuid, name),) = cat.history.find_record("North Waste Board")
    (entry, *_) = cat.history.entries(record=row_uuid)
    removed = {c.tbl: c for c in entry.changes}
    assert removed["partnerships"].op == "D" and removed["partnerships"].old["name"] == "North Waste Board"
    assert removed["memberships"].op == "D"   # the cascade is in the same entry


def test_a_boundary_import_is_one_change_its_layer_row(grid_cat):
    (entry,) = grid_cat.history.entries()
    assert [(c.tbl, c.op) for c in entry.changes] == [("boundary_layers", "I")]


def test_area_units_are_written_by_area_and_unit_code(grid_cat):
    from models.catalogue.records import Area
    layer = grid_cat.layers.all()[0]
    units = [int(u) for u in grid_cat.layers.table(layer.id).ids[:2]]
    grid_cat.areas.add(Area("Two wards", unit_ids=frozenset(units)))
    (entry, *_) = grid_cat.history.entries()
    area = next(c for c in entry.changes if c.tbl == "areas")
    assert "geom" not in area.new   # the cached outline is derived, not history
    members = [c for c in entry.changes if c.tbl == "area_units"]
    assert len(members) == 2 and {c.row_uuid for c in members} == {area.row_uuid}
    assert all(c.new["unit_id"].startswith(layer_uuid := grid_cat.store.conn.execute(
        "SELECT uuid FROM boundary_layers").fetchone()[0]) for c in members)
    codes = {c.new["unit_id"].split("/", 1)[1] for c in members}
    assert codes == {u.code for u in grid_cat.layers.units(layer.id) if u.id in units} and layer_uuid


def test_a_failed_edit_writes_no_history(cat):
    small_catalogue(cat)
    before = snapshot(cat), cat.store.conn.execute("SELECT count(*) FROM history").fetchone()
    with pytest.raises(Exception):
        cat.partnerships.add(Partnership("Bad"), [Membership(0, 999)])   # no such organisation
    assert (snapshot(cat), cat.store.conn.execute("SELECT count(*) FROM history").fetchone()) == before


def test_check_reports_missing_and_repeated_uuids(cat):
    ids = small_catalogue(cat)
    assert check.problems(cat) == []
    conn = cat.store.conn
    conn.execute("DROP INDEX organisations_uuid")
    conn.execute("UPDATE organisations SET uuid=(SELECT uuid FROM organisations WHERE id=?)", (ids["Barnet"],))
    conn.execute("UPDATE sources SET uuid=NULL")
    found = check.problems(cat)
    assert any("organisations" in p and "same uuid" in p for p in found)
    assert any("sources" in p and "no uuid" in p for p in found)
