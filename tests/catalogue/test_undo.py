"""Every mutating model method: before -> apply -> revert -> equal to before; redo -> equal to after."""
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.catalogue.records import Area, Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from tests.helpers.catalogues import snapshot


def _roundtrip(cat, apply):
    before = snapshot(cat)
    revert = apply()
    after = snapshot(cat)
    assert after != before, "the edit changed nothing"
    redo = revert()
    assert snapshot(cat) == before
    undo_again = redo()
    assert snapshot(cat) == after
    undo_again()  # leave the catalogue as it was for the next edit
    assert snapshot(cat) == before


@pytest.fixture
def filled(grid_cat):
    cat = grid_cat
    a = cat.organisations.add(Organisation("Brent", "local authority", "E09000005")).id
    b = cat.organisations.add(Organisation("Ealing", "local authority", "E09000009")).id
    p = cat.partnerships.add(Partnership("West London Alliance", "sub-regional partnership",
                                         policy_areas=("waste",)),
                             [Membership(0, a), Membership(0, b, role="lead", joined="2008-04")]).id
    s = cat.sources.add(Source("Transforming London's Public Services", "GOL", 2010)).id
    cat.sources.cite(Citation(s, quote="The WLA boroughs", partnership_id=p))
    layer = cat.layers.all()[0].id
    units = cat.layers.table(layer).ids[:3]
    area = cat.areas.add(Area("WLA area", partnership_id=p, unit_ids=frozenset(int(u) for u in units))).id
    return cat, dict(a=a, b=b, p=p, s=s, layer=layer, area=area)


def test_every_edit_reverts_exactly(filled):
    cat, ids = filled
    p = cat.partnerships.get(ids["p"])
    m = cat.partnerships.memberships(ids["p"])[0]
    from dataclasses import replace
    edits = [
        lambda: cat.organisations.add(Organisation("Harrow", "local authority", "E09000015")),
        lambda: cat.organisations.update(replace(cat.organisations.get(ids["a"]), name="Brent Council")),
        lambda: cat.organisations.merge(ids["a"], ids["b"]),
        lambda: cat.organisations.delete(ids["a"]),
        lambda: cat.partnerships.add(Partnership("NLWA", "joint authority/committee")),
        lambda: cat.partnerships.update(replace(p, name="WLA", status="ended", end="2012")),
        lambda: cat.partnerships.delete(ids["p"]),
        lambda: cat.partnerships.add_member(Membership(ids["p"], ids["a"], role="funder")),
        lambda: cat.partnerships.update_member(replace(m, left="2011")),
        lambda: cat.partnerships.remove_member(m.id),
        lambda: cat.sources.add(Source("A collaborative city?", year=2008)),
        lambda: cat.sources.update(replace(cat.sources.get(ids["s"]), year=2009)),
        lambda: cat.sources.delete(ids["s"]),
        lambda: cat.sources.cite(Citation(ids["s"], page="12", organisation_id=ids["a"])),
        lambda: cat.sources.uncite(cat.sources.citations(partnership_id=ids["p"])[0].id),
        lambda: cat.areas.add(Area("Drawn", drawn=shapely.box(530000, 180000, 531500, 181500))),
        lambda: cat.areas.update(replace(cat.areas.get(ids["area"]), colour="#E69F00")),
        lambda: cat.areas.change_units(ids["area"], add=[int(cat.layers.table(ids["layer"]).ids[5])],
                                       remove=[min(cat.areas.get(ids["area"]).unit_ids)]),
        lambda: cat.areas.set_drawn(ids["area"], shapely.box(533000, 182000, 534000, 183000)),
        lambda: cat.areas.delete(ids["area"]),
        lambda: cat.layers.delete(ids["layer"]),
    ]
    for edit in edits:
        _roundtrip(cat, edit)


def test_deleting_a_partnership_restores_members_sources_and_area_links(filled):
    cat, ids = filled
    revert = cat.partnerships.delete(ids["p"])
    assert cat.partnerships.memberships(ids["p"]) == []
    assert cat.sources.citations(partnership_id=ids["p"]) == []
    assert cat.areas.get(ids["area"]).partnership_id is None  # the area is kept, unlinked
    revert()
    assert len(cat.partnerships.memberships(ids["p"])) == 2
    assert len(cat.sources.citations(partnership_id=ids["p"])) == 1
    assert cat.areas.get(ids["area"]).partnership_id == ids["p"]


def test_failed_edit_changes_nothing(filled):
    cat, ids = filled
    before = snapshot(cat)
    with pytest.raises(CatalogueError):
        cat.partnerships.add(Partnership("X", "shared service", start="2010", end="2008"))
    with pytest.raises(CatalogueError):
        cat.partnerships.add(Partnership("Y", "shared service"), [Membership(0, 9999)])
    with pytest.raises(CatalogueError):
        cat.organisations.add(Organisation("Brent again", "local authority", "E09000005"))
    assert snapshot(cat) == before


def test_outline_is_the_union_of_units(grid_cat):
    cat = grid_cat
    t = cat.layers.table(cat.layers.all()[0].id)
    area = cat.areas.add(Area("Two", unit_ids=frozenset(int(i) for i in t.ids[:2]))).id
    outline = cat.areas.get(area).outline
    assert outline.area == pytest.approx(2e6)
    assert outline.geom_type == "MultiPolygon" and len(outline.geoms) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["org", "part", "member", "delete", "area", "stroke"]),
                                st.integers(0, 50)), min_size=1, max_size=12))
def test_any_sequence_undoes_to_the_start(grid_cat, steps):
    """Random edit sequences, undone in reverse order, give back the exact starting file."""
    cat = grid_cat
    start = snapshot(cat)
    units = [int(u) for u in cat.layers.table(cat.layers.all()[0].id).ids]
    reverts = []
    for kind, n in steps:
        orgs, parts, areas = cat.organisations.all(), cat.partnerships.all(), cat.areas.all()
        if kind == "org":
            reverts.append(cat.organisations.add(Organisation(f"Org {n}", "other")))
        elif kind == "part":
            reverts.append(cat.partnerships.add(Partnership(f"P {n} {len(parts)}")))
        elif kind == "member" and orgs and parts:
            reverts.append(cat.partnerships.add_member(
                Membership(parts[n % len(parts)].id, orgs[n % len(orgs)].id)))
        elif kind == "delete" and parts:
            reverts.append(cat.partnerships.delete(parts[n % len(parts)].id))
        elif kind == "area":
            reverts.append(cat.areas.add(Area(f"A {n}", unit_ids=frozenset(units[: n % 6 + 1]))))
        elif kind == "stroke" and areas:
            reverts.append(cat.areas.change_units(areas[n % len(areas)].id, add=units[n % 12:n % 12 + 3],
                                                  remove=units[:1]))
    for revert in reversed(reverts):
        revert()
    assert snapshot(cat) == start
