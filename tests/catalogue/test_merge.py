"""Merging two copies of a catalogue: matching, three-way per field, conflicts, both directions."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from models.catalogue import Catalogue, merge
from models.catalogue.records import Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from models.formats.example import build_example
from models.storage import check
from tests.helpers.catalogues import file_digest, snapshot


def content(cat) -> dict:
    """Every identified row by uuid, foreign keys as uuids, areas with their wards' codes:
    what two files must agree on to hold the same catalogue (ids and stamps may differ)."""
    return merge.read_side(cat.store.conn).rows


def copies(tmp_path, build=build_example):
    """The example, and two copies of it taken after it was written (the researchers' copies)."""
    base = tmp_path / "base.gpkg"
    with Catalogue.create(base) as cat:
        build(cat)
    for name in ("a.gpkg", "b.gpkg"):
        shutil.copy(base, tmp_path / name)
    return tmp_path / "a.gpkg", tmp_path / "b.gpkg"


def _p(cat, name) -> Partnership:
    found = cat.partnerships.find(name)
    assert found is not None, name
    return found


def _org(cat, name) -> Organisation:
    return next(o for o in cat.organisations.all() if o.name == name)


WLA = "West London Alliance"
NLWA = "North London Waste Authority"
SLWP = "South London Waste Partnership"
GONE = "London Connects"


def edit_a(cat) -> None:
    """Researcher A: a new partnership, a rename, a new member, a governance text (also edited
    by B: a conflict), and an edit of a partnership B deletes."""
    barnet = _org(cat, "Barnet").id
    cat.partnerships.add(Partnership("A's new board", kind="thematic board", start="2012"),
                         [Membership(0, barnet, role="lead")])
    cat.partnerships.update(replace(_p(cat, NLWA), name="North London Waste Authority (NLWA)"))
    wla = _p(cat, WLA)
    have = {m.organisation_id for m in cat.partnerships.memberships(wla.id)}
    newcomer = next(o for o in cat.organisations.all() if o.kind == "local authority" and o.id not in have)
    cat.partnerships.add_member(Membership(wla.id, newcomer.id, role="observer"))
    cat.partnerships.update(replace(_p(cat, SLWP), governance="Joint committee (A)"))
    cat.partnerships.update(replace(_p(cat, GONE), notes="A checked this in 2024"))


def edit_b(cat) -> None:
    """Researcher B: a new organisation and partnership, a membership ended, a different
    governance text, a deletion, and a rename of another partnership."""
    org = cat.organisations.add(Organisation("B's new trust", kind="health body")).id
    cat.partnerships.add(Partnership("B's new alliance", kind="alliance contract", start="2019"),
                         [Membership(0, org, role="provider")])
    wla = _p(cat, WLA)
    first = cat.partnerships.memberships(wla.id)[0]
    cat.partnerships.update_member(replace(first, left="2019-03-31"))
    cat.partnerships.update(replace(_p(cat, SLWP), governance="Joint waste committee (B)"))
    cat.partnerships.delete(_p(cat, GONE).id)
    cat.partnerships.update(replace(_p(cat, "Wigan Deal"), description="B: the Deal, described"))
    cat.sources.add(Source("B's interview notes", year=2021))


@pytest.fixture
def edited(tmp_path):
    a, b = copies(tmp_path)
    with Catalogue.open(a) as cat:
        edit_a(cat)
    with Catalogue.open(b) as cat:
        edit_b(cat)
    return a, b


def test_done_when_both_directions_same_content_conflicts_reported(edited, tmp_path):
    a, b = edited
    a2, b2 = tmp_path / "a2.gpkg", tmp_path / "b2.gpkg"
    shutil.copy(a, a2)
    shutil.copy(b, b2)
    with Catalogue.open(a2) as cat:
        p = merge.plan(cat, b2, prefer="mine")
        report = p.report()
        merge.apply(cat, p)
        into_a = content(cat)
        assert check.problems(cat) == []
        names = {x.name for x in cat.partnerships.all()}
        entries = cat.history.entries(limit=1)
    with Catalogue.open(b2) as cat:
        p2 = merge.plan(cat, a, prefer="theirs")
        merge.apply(cat, p2)
        into_b = content(cat)
        assert check.problems(cat) == []
    assert into_a == into_b
    # Additions and one-sided changes of both researchers are in the result.
    assert {"A's new board", "B's new alliance", "North London Waste Authority (NLWA)"} <= names
    assert report["added"]["partnerships"] == 1 and report["added"]["organisations"] == 1
    assert report["added"]["sources"] == 1
    # The same-field conflict and the deletion against an edit are reported, resolved as asked.
    conflicts = {(c["table"], c["field"]): c for c in report["conflicts"]}
    gov = conflicts[("partnerships", "governance")]
    assert (gov["mine"], gov["theirs"], gov["resolved"]) == ("Joint committee (A)", "Joint waste committee (B)", "mine")
    gone = conflicts[("partnerships", merge.ROW)]
    assert (gone["mine"], gone["theirs"]) == ("edited", "deleted")
    assert GONE in names     # mine kept it
    ended = [m for m in into_a["memberships"].values() if m["left_date"] == "2019-03-31"]
    assert len(ended) == 1
    assert set(report) == {"added", "changed", "conflicts", "matched"}
    # One history entry of kind merge, naming the other file.
    assert entries[0].kind == "merge" and "b2.gpkg" in entries[0].name


def test_merging_again_changes_nothing(edited):
    a, b = edited
    with Catalogue.open(a) as cat:
        merge.apply(cat, merge.plan(cat, b, prefer="theirs"))
        before = snapshot(cat)
        again = merge.plan(cat, b)
        assert again.changes == [] and again.conflicts == []
        merge.apply(cat, again)
        assert snapshot(cat) == before


def test_one_undo_step_puts_everything_back(edited):
    a, b = edited
    with Catalogue.open(a) as cat:
        before = content(cat)
        revert = merge.apply(cat, merge.plan(cat, b, prefer="theirs"))
        assert content(cat) != before
        redo = revert()
        assert content(cat) == before
        redo()
        assert _p(cat, "B's new alliance")


def test_undone_merge_is_not_shared_next_time(edited):
    """After undoing a merge, merging again brings the other's edits back (they are not
    counted as shared just because the undone merge copied their history)."""
    a, b = edited
    with Catalogue.open(a) as cat:
        first = merge.plan(cat, b, prefer="theirs")
        merge.apply(cat, first)()
        again = merge.plan(cat, b, prefer="theirs")
        assert again.report()["added"] == first.report()["added"]


def test_one_side_changes_are_taken_without_conflict(tmp_path):
    a, b = copies(tmp_path)
    with Catalogue.open(b) as cat:
        cat.partnerships.update(replace(_p(cat, WLA), description="changed in B"))
    with Catalogue.open(a) as cat:
        cat.partnerships.update(replace(_p(cat, WLA), notes="changed in A"))
        p = merge.plan(cat, b)
        assert p.conflicts == []
        assert p.report()["changed"] == {"partnerships": 1}
        merge.apply(cat, p)
        wla = _p(cat, WLA)
        assert (wla.description, wla.notes) == ("changed in B", "changed in A")


def test_unresolved_conflict_is_refused_and_nothing_written(edited):
    a, b = edited
    with Catalogue.open(a) as cat:
        before = snapshot(cat)
        p = merge.plan(cat, b)
        assert p.conflicts and all(c.resolved is None for c in p.conflicts)
        with pytest.raises(CatalogueError, match="conflict not resolved"):
            merge.apply(cat, p)
        assert snapshot(cat) == before


def test_edit_resolution_writes_the_typed_value(edited):
    a, b = edited
    with Catalogue.open(a) as cat:
        p = merge.plan(cat, b, prefer="theirs")
        gov = next(c for c in p.conflicts if c.field == "governance")
        merge.apply(cat, p, {gov.key: ("edit", "Joint committee (agreed)")})
        assert _p(cat, SLWP).governance == "Joint committee (agreed)"


def test_rows_made_independently_are_matched_and_say_why(tmp_path):
    """Two catalogues built apart (different uuids): organisations by GSS code, sources by
    title and year, partnerships by name, start year and members."""
    one, two = tmp_path / "one.gpkg", tmp_path / "two.gpkg"
    for path in (one, two):
        with Catalogue.create(path) as cat:
            build_example(cat)
    with Catalogue.open(two) as cat:
        cat.organisations.add(Organisation("Only in two", kind="other"))
    with Catalogue.open(one) as cat:
        p = merge.plan(cat, two, prefer="mine")
        by = {(m.table, m.by) for m in p.matched}
        assert ("organisations", "gss_code") in by
        assert ("partnerships", "name+start+members") in by
        assert ("sources", "title+year") in by or ("sources", "url") in by or ("sources", "doi") in by
        assert p.report()["added"] == {"organisations": 1}
        merge.apply(cat, p)
        assert len(cat.partnerships.all()) == 32
        assert check.problems(cat) == []
        assert merge.plan(cat, two).report()["added"] == {}


def test_foreign_keys_follow_uuids_not_ids(tmp_path):
    """B adds an organisation and makes it a member; A adds another organisation first, so the
    integer ids clash: the membership must point at B's organisation, by uuid."""
    a, b = copies(tmp_path)
    with Catalogue.open(a) as cat:
        cat.organisations.add(Organisation("A's clinic", kind="health body"))
    with Catalogue.open(b) as cat:
        org = cat.organisations.add(Organisation("B's trust", kind="health body")).id
        cat.partnerships.add_member(Membership(_p(cat, WLA).id, org, role="provider"))
    with Catalogue.open(a) as cat:
        merge.apply(cat, merge.plan(cat, b))
        wla = _p(cat, WLA)
        names = {o.id: o.name for o in cat.organisations.all()}
        members = {names[m.organisation_id] for m in cat.partnerships.memberships(wla.id)}
        assert "B's trust" in members and "A's clinic" not in members


@pytest.mark.parametrize("case", ["not a catalogue", "newer", "damaged", "same file", "missing"])
def test_bad_other_file_is_one_line_and_nothing_changes(edited, tmp_path, case):
    a, b = edited
    other = tmp_path / "other.gpkg"
    if case == "not a catalogue":
        other.write_text("name,kind\nWLA,alliance\n")
    elif case == "newer":
        shutil.copy(b, other)
        import sqlite3
        conn = sqlite3.connect(other)
        conn.execute("UPDATE atlas_meta SET value='999' WHERE key='schema_version'")
        conn.commit()
        conn.close()
    elif case == "damaged":
        from tests.helpers.damage import damage_page_holding, many_rows
        with Catalogue.create(other) as cat:
            many_rows(cat)
        damage_page_holding(other, b"Org 0300")
    elif case == "same file":
        other = a
    digest = file_digest(a)
    with Catalogue.open(a) as cat:
        before = snapshot(cat)
        with pytest.raises(CatalogueError) as e:
            merge.plan(cat, other if case != "missing" else tmp_path / "nowhere.gpkg")
        assert "\n" not in str(e.value)
        assert snapshot(cat) == before
    assert file_digest(a) == digest


@pytest.fixture(scope="module")
def with_areas(tmp_path_factory):
    """The example on London's wards, with its areas (derived from members), built once."""
    path = tmp_path_factory.mktemp("merge-areas") / "base.gpkg"
    with Catalogue.create(path) as cat:
        build_example(cat, shipped=True)
    return path


def _area_edits(path, side):
    with Catalogue.open(path) as cat:
        (edit_a if side == "a" else edit_b)(cat)
        areas = sorted(cat.areas.all(outlines=False), key=lambda x: x.name)
        area = areas[0] if side == "a" else areas[1]
        cat.areas.keep_as_drawn(area.id)
        units = sorted(cat.areas.get(area.id).unit_ids)
        cat.areas.change_units(area.id, remove=units[:3] if side == "a" else units[-4:])


@pytest.mark.parametrize("prefer", ["mine", "theirs"])
def test_areas_and_a_deleted_partnership_merge_the_same_both_ways(with_areas, tmp_path, prefer):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    shutil.copy(with_areas, a)
    shutil.copy(with_areas, b)
    _area_edits(a, "a")
    _area_edits(b, "b")
    a2, b2 = tmp_path / "a2.gpkg", tmp_path / "b2.gpkg"
    shutil.copy(a, a2)
    shutil.copy(b, b2)
    other = {"mine": "theirs", "theirs": "mine"}[prefer]
    results = []
    for mine, theirs, choice in ((a2, b, prefer), (b2, a, other)):
        with Catalogue.open(mine) as cat:
            p = merge.plan(cat, theirs, prefer=choice)
            assert {c.field for c in p.conflicts} == {"governance", merge.ROW}
            merge.apply(cat, p)
            assert check.problems(cat) == []
            results.append(content(cat))
            kept = cat.partnerships.find(GONE) is not None
            assert kept == (prefer == "mine")
            # Each side's drawn area edit is in the result, its outline redrawn.
            drawn = [x for x in cat.areas.all() if x.kind == "drawn" and x.partnership_id is not None]
            assert len(drawn) >= 2 and all(x.outline is not None for x in drawn)
    assert results[0] == results[1]


def test_a_copy_still_at_the_older_schema_is_merged_from_an_upgraded_temporary_copy(tmp_path, monkeypatch):
    """A colleague's copy from before row identity: read, upgraded aside (never written), and
    its rows match this copy's by uuid, since both were upgraded from the same file."""
    from tests.storage.test_identity import _old_catalogue
    old = tmp_path / "old.gpkg"
    _old_catalogue(old, monkeypatch)
    mine = tmp_path / "mine.gpkg"
    shutil.copy(old, mine)
    with monkeypatch.context() as m:   # the colleague, still on the older version, adds a partnership
        _schema_before_identity(m)
        with Catalogue.open(old) as cat:
            assert "uuid" not in cat.store.columns["partnerships"]
            cat.partnerships.add(Partnership("Colleague's board"))
    digest = file_digest(old)
    with Catalogue.open(mine) as cat:
        p = merge.plan(cat, old)
        assert p.matched == [] and p.report()["added"] == {"partnerships": 1}
        merge.apply(cat, p)
        assert cat.partnerships.find("Colleague's board") is not None
    assert file_digest(old) == digest
    assert sorted(x.name for x in tmp_path.iterdir()) == ["mine.gpkg", "old.gpkg"]


def _schema_before_identity(m) -> None:
    from models.storage import schema
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_row_identity)]
    m.setattr(schema, "MIGRATIONS", before)
    m.setattr(schema, "SCHEMA_VERSION", len(before))


def test_a_layer_and_an_area_only_the_other_copy_has_come_with_their_units(tmp_path, grid_geojson):
    from models.catalogue.records import Area
    from models.formats.boundary_import import import_boundaries
    a, b = copies(tmp_path)
    with Catalogue.open(b) as cat:
        import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
        layer = cat.layers.find("Grid wards")
        units = sorted(u.id for u in cat.layers.units(layer.id))[:5]
        cat.areas.add(Area("B's patch", partnership_id=_p(cat, WLA).id, layer_id=layer.id,
                           unit_ids=frozenset(units)))
        levels, count = cat.layers.level_tolerances(layer.id), cat.layers.unit_count(layer.id)
        want = {u.code for u in cat.layers.units(layer.id) if u.id in units}
        outline = cat.areas.all()[0].outline.area
    with Catalogue.open(a) as cat:
        p = merge.plan(cat, b)
        assert p.report()["added"] == {"boundary_layers": 1, "areas": 1}
        mine_outline, theirs_outline = merge.footprints(cat, p, next(c.id for c in p.changes if c.table == "areas"))
        assert mine_outline is None and abs(theirs_outline.area - outline) < 1e-6
        merge.apply(cat, p)
        layer = cat.layers.find("Grid wards")
        assert cat.layers.unit_count(layer.id) == count and cat.layers.level_tolerances(layer.id) == levels
        area = next(x for x in cat.areas.all() if x.name == "B's patch")
        codes = {u.code for u in cat.layers.units(layer.id) if u.id in area.unit_ids}
        assert codes == want and abs(area.outline.area - outline) < 1e-6
        assert check.problems(cat) == []
        assert merge.plan(cat, b).is_empty()
