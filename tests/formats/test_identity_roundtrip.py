"""Identifiers survive export and import: a copy recognises its own rows instead of adding them twice."""
import json

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Partnership, Source
from models.formats.export import export
from models.formats.partnership_import import PartnershipImportError, import_partnerships, plan_import
from models.formats.references import import_sources
from tests.helpers.catalogues import file_digest, small_catalogue, snapshot


@pytest.fixture
def two_copies(tmp_path):
    """One catalogue and a copy of it, each then edited on its own."""
    mine = Catalogue.create(tmp_path / "mine.gpkg")
    small_catalogue(mine)
    mine.save_copy(tmp_path / "theirs.gpkg")
    theirs = Catalogue.open(tmp_path / "theirs.gpkg")
    yield mine, theirs
    mine.close()
    theirs.close()


def _uuid(cat, name):
    return cat.identity.uuid_of("partnerships", cat.partnerships.find(name).id)


def test_a_partnership_exported_to_csv_from_one_copy_is_recognised_by_the_other(two_copies, tmp_path):
    mine, theirs = two_copies
    barnet = mine.organisations.find("Barnet").id
    mine.partnerships.add(Partnership("Harrow Waste Partnership"), [Membership(0, barnet)])
    export(mine, tmp_path / "mine.csv")
    assert "uuid" in (tmp_path / "mine.csv").read_text().splitlines()[0].split(",")
    plan = plan_import(theirs, tmp_path / "mine.csv")
    # The two partnerships both copies hold are recognised by uuid (no "already in the catalogue" error).
    assert sorted(name for _, name in plan.recognised) == ["North Waste Board", "West London Alliance"]
    assert [r.partnership.name for r in plan.rows] == ["Harrow Waste Partnership"]
    import_partnerships(theirs, tmp_path / "mine.csv")
    assert _uuid(theirs, "Harrow Waste Partnership") == _uuid(mine, "Harrow Waste Partnership")
    assert len(theirs.partnerships.all()) == 3
    # Again: everything is recognised now, nothing is added.
    before = snapshot(theirs)
    revert = import_partnerships(theirs, tmp_path / "mine.csv")
    assert revert.inserted("partnerships") == [] and snapshot(theirs) == before


def test_a_renamed_partnership_is_still_recognised(two_copies, tmp_path):
    mine, theirs = two_copies
    from dataclasses import replace
    wla = theirs.partnerships.find("West London Alliance")
    theirs.partnerships.update(replace(wla, name="WLA"))
    export(mine, tmp_path / "mine.csv")
    plan = plan_import(theirs, tmp_path / "mine.csv")
    assert ("WLA" in [name for _, name in plan.recognised]) and not plan.rows and not plan.row_errors


def test_a_row_with_a_bad_or_repeated_uuid_is_an_error_and_nothing_is_written(two_copies, tmp_path):
    mine, theirs = two_copies
    path = tmp_path / "bad.csv"
    path.write_text("name,uuid\nA,not-a-uuid\nB,6f1c3e2a-8d4b-4c7e-9a10-2b3c4d5e6f71\n"
                    "C,6F1C3E2A-8D4B-4C7E-9A10-2B3C4D5E6F71\n")
    theirs.close()
    before = file_digest(tmp_path / "theirs.gpkg")
    with Catalogue.open(tmp_path / "theirs.gpkg") as cat, pytest.raises(PartnershipImportError) as e:
        import_partnerships(cat, path)
    assert e.value.row_errors == [(2, "uuid 'not-a-uuid' is not a uuid"),
                                  (4, "uuid 6f1c3e2a-8d4b-4c7e-9a10-2b3c4d5e6f71 is also on row 3")]
    assert file_digest(tmp_path / "theirs.gpkg") == before


def test_csl_json_carries_the_source_uuid_as_its_id_and_an_import_recognises_it(two_copies, tmp_path):
    mine, theirs = two_copies
    mine.sources.add(Source("Embracing wider partnerships", "Localis", 2014))
    export(mine, tmp_path / "sources.csl.json")
    items = json.loads((tmp_path / "sources.csl.json").read_text())
    held = mine.identity.uuids("sources")
    assert {i["id"] for i in items} == set(held)
    assert {i["citation-key"] for i in items} == {"youngfoundation2008", "localis2014"}
    result = import_sources(theirs, tmp_path / "sources.csl.json")
    assert [s.title for s in result.added] == ["Embracing wider partnerships"] and result.known == 1
    assert set(theirs.identity.uuids("sources")) == set(held)   # the new one kept its identifier
    again = import_sources(theirs, tmp_path / "sources.csl.json")
    assert again.added == [] and again.known == 2


def test_a_gpkg_export_keeps_the_identifiers(two_copies, tmp_path):
    mine, _ = two_copies
    export(mine, tmp_path / "part.gpkg", ["West London Alliance"])
    with Catalogue.open(tmp_path / "part.gpkg") as part:
        assert _uuid(part, "West London Alliance") == _uuid(mine, "West London Alliance")
        assert set(part.identity.uuids("organisations")) <= set(mine.identity.uuids("organisations"))
        assert part.history.uuids() == mine.history.uuids()   # the history they share comes along


def test_organisations_and_memberships_csv_carry_their_uuids(two_copies, tmp_path):
    import csv
    mine, _ = two_copies
    export(mine, tmp_path / "all.organisations.csv")
    export(mine, tmp_path / "wla.memberships.csv", ["West London Alliance"])
    orgs = list(csv.DictReader((tmp_path / "all.organisations.csv").open()))
    assert [(o["name"], o["uuid"]) for o in orgs] == [
        (o.name, mine.identity.uuid_of("organisations", o.id))
        for o in sorted(mine.organisations.all(), key=lambda o: o.name)]
    members = list(csv.DictReader((tmp_path / "wla.memberships.csv").open()))
    assert {(m["partnership_uuid"], m["organisation"], m["role"]) for m in members} == {
        (_uuid(mine, "West London Alliance"), "Barnet", "member"),
        (_uuid(mine, "West London Alliance"), "Brent", "lead")}
    assert all(mine.identity.find("memberships", m["uuid"]) for m in members)
