"""The model methods the catalogue window added: each one edit, undone exactly."""
import pytest

from models.catalogue.records import Citation, Membership, Organisation, Source
from models.errors import CatalogueError
from tests.helpers.catalogues import small_catalogue, snapshot


def test_add_member_new_organisation_is_one_edit_undone_exactly(cat):
    ids = small_catalogue(cat)
    before = snapshot(cat)
    revert = cat.partnerships.add_member_new_organisation(
        Organisation("Hounslow"), Membership(ids["wla"], 0, joined="2009"))
    org = cat.organisations.find("Hounslow")
    assert org is not None
    members = cat.partnerships.memberships(ids["wla"])
    assert [(m.organisation_id, m.joined) for m in members][-1] == (org.id, "2009")
    assert members[-1].id == revert.id
    redo = revert()
    assert snapshot(cat) == before
    redo()
    assert cat.organisations.find("Hounslow") is not None


def test_add_member_new_organisation_checks_before_writing(cat):
    ids = small_catalogue(cat)
    before = snapshot(cat)
    with pytest.raises(CatalogueError, match="left 2001 is before joined 2005"):
        cat.partnerships.add_member_new_organisation(
            Organisation("Hounslow"), Membership(ids["wla"], 0, joined="2005", left="2001"))
    with pytest.raises(CatalogueError, match="already belongs to Barnet"):
        cat.partnerships.add_member_new_organisation(
            Organisation("Barnet twice", gss_code="E09000003"), Membership(ids["wla"], 0))
    assert snapshot(cat) == before


def test_cite_new_source_is_one_edit(cat):
    ids = small_catalogue(cat)
    before = snapshot(cat)
    revert = cat.sources.cite_new(Source("Minutes", year=2010),
                                  Citation(0, page="3", partnership_id=ids["north"]))
    (citation,) = cat.sources.citations(partnership_id=ids["north"])
    assert citation.id == revert.id and cat.sources.get(citation.source_id).title == "Minutes"
    assert cat.sources.usage(citation.source_id) == 1
    revert()
    assert snapshot(cat) == before


def test_partnership_counts_and_names(cat):
    ids = small_catalogue(cat)
    counts = cat.organisations.partnership_counts()
    assert counts[ids["Barnet"]] == 2 and counts[ids["Brent"]] == 1 and ids["Ealing"] not in counts
    assert cat.partnerships.names()[ids["wla"]] == "West London Alliance"


def test_merge_keeps_every_membership(cat):
    ids = small_catalogue(cat)
    dup = cat.organisations.add(Organisation("London Borough of Barnet")).id
    cat.partnerships.add_member(Membership(ids["north"], dup, role="funder"))
    before = snapshot(cat)
    revert = cat.organisations.merge(ids["Barnet"], dup)
    roles = sorted(m.role for m in cat.partnerships.memberships_of(ids["Barnet"]))
    assert roles == ["funder", "member", "member"]
    revert()
    assert snapshot(cat) == before


def test_remove_members_is_one_edit(cat):
    ids = small_catalogue(cat)
    before = snapshot(cat)
    members = [m.id for m in cat.partnerships.memberships(ids["wla"])]
    revert = cat.partnerships.remove_members(members)
    assert cat.partnerships.memberships(ids["wla"]) == []
    revert()
    assert snapshot(cat) == before
    with pytest.raises(CatalogueError, match="no membership"):
        cat.partnerships.remove_members([members[0], 999])
    assert snapshot(cat) == before


def test_delete_many_restores_members_citations_and_area_links(grid_cat):
    cat = grid_cat
    ids = small_catalogue(cat)
    from models.catalogue.records import Area
    layer = cat.layers.all()[0]
    unit = int(cat.layers.table(layer.id).ids[0])
    cat.areas.add(Area("Linked", partnership_id=ids["wla"], layer_id=layer.id, unit_ids=frozenset({unit})))
    before = snapshot(cat)
    revert = cat.partnerships.delete_many([ids["wla"], ids["north"]])
    assert cat.partnerships.all() == [] and cat.areas.all()[0].partnership_id is None
    revert()
    assert snapshot(cat) == before
    with pytest.raises(CatalogueError, match="no partnership"):
        cat.partnerships.delete_many([ids["wla"], 999])
