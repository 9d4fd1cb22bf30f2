"""Search as you type (FTS5 in the TEMP schema) and the list's filters."""
from models.catalogue.records import Area, Membership, Organisation, Partnership, Source
from models.catalogue.search import Filters, Search, match_expression
from tests.helpers.catalogues import small_catalogue


def names(search, **kw):
    return [r.name for r in search.rows(Filters(**kw))]


def test_prefix_search_over_name_description_members_and_sources(cat):
    small_catalogue(cat)
    s = Search(cat)
    assert names(s, text="west") == ["West London Alliance"]
    assert names(s, text="wes lon") == ["West London Alliance"]
    assert names(s, text="boroughs") == ["West London Alliance"]          # description
    assert names(s, text="barnet") == ["North Waste Board", "West London Alliance"]  # member
    assert names(s, text="E09000005") == ["West London Alliance"]          # member's GSS code
    assert names(s, text="collaborative") == ["West London Alliance"]      # source title
    assert names(s, text="procurement") == ["West London Alliance"]        # quote
    assert names(s, text="zebra") == []
    assert names(s, text="  ") == ["North Waste Board", "West London Alliance"]


def test_typed_operators_are_plain_words(cat):
    small_catalogue(cat)
    s = Search(cat)
    assert match_expression('west" OR NEAR(') == '"west"* "OR"* "NEAR"*'
    assert names(s, text='"west -') == ["West London Alliance"]


def test_index_follows_every_kind_of_edit_and_undo(cat):
    ids = small_catalogue(cat)
    s = Search(cat)
    assert names(s, text="harrow") == []
    revert = cat.organisations.add(Organisation("Harrow"))
    cat.partnerships.add_member(Membership(ids["north"], revert.id))
    assert names(s, text="harrow") == ["North Waste Board"]
    undo_rename = cat.organisations.update(Organisation("Harrow Council", id=revert.id))
    assert names(s, text="council") == ["North Waste Board"]
    undo_rename()
    assert names(s, text="council") == []
    cat.sources.update(Source("Minutes of the board", id=ids["report"]))
    assert names(s, text="minutes") == ["West London Alliance"]
    undo_delete = cat.partnerships.delete(ids["wla"])
    assert names(s, text="minutes") == []
    undo_delete()
    assert names(s, text="minutes") == ["West London Alliance"]
    p = cat.partnerships.get(ids["north"])
    from dataclasses import replace
    cat.partnerships.update(replace(p, notes="recycling credits"))
    assert names(s, text="recycl") == ["North Waste Board"]


def test_failed_edit_leaves_index_consistent(cat):
    ids = small_catalogue(cat)
    s = Search(cat)
    try:
        with cat.store.edit():
            cat.partnerships.add(Partnership("Phantom partnership"))
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert names(s, text="phantom") == []


def test_filters(cat):
    ids = small_catalogue(cat)
    s = Search(cat)
    assert names(s, kind="thematic board") == ["North Waste Board"]
    assert names(s, status="active") == ["West London Alliance"]
    assert names(s, policy_area="WASTE") == ["North Waste Board", "West London Alliance"]
    assert names(s, policy_area="adult social care") == ["West London Alliance"]
    assert names(s, organisation_id=ids["Brent"]) == ["West London Alliance"]
    assert names(s, borough="e09000003") == ["North Waste Board", "West London Alliance"]
    assert names(s, year=2003) == ["North Waste Board"]
    assert names(s, year=2004) == ["North Waste Board"]
    assert names(s, year=2005) == ["West London Alliance"]
    assert names(s, year=2030) == ["West London Alliance"]
    assert names(s, text="west", status="ended") == []
    rows = s.rows(Filters(text="west"))
    assert rows[0].members == 2 and rows[0].years == "2005–"
    assert s.count() == 2 and s.policy_areas_in_use() == ["adult social care", "waste"]


def test_borough_filter_finds_areas_drawn_over_its_wards(grid_cat):
    cat = grid_cat
    s = Search(cat)
    pid = cat.partnerships.add(Partnership("Grid partnership")).id
    layer = cat.layers.all()[0]
    table = cat.layers.table(layer.id)
    b2 = {int(fid) for fid, parent in zip(table.ids, table.parent_codes) if parent == "B2"}
    cat.areas.add(Area("East half", partnership_id=pid, layer_id=layer.id, unit_ids=frozenset(b2)))
    assert names(s, borough="B2") == ["Grid partnership"]
    assert names(s, borough="B1") == []
    (area,) = s.linked_areas(pid)
    assert (area.name, area.units) == ("East half", 6)


def test_index_lives_outside_the_file(cat):
    small_catalogue(cat)
    Search(cat)
    tables = [r[0] for r in cat.store.conn.execute("SELECT name FROM main.sqlite_master")]
    assert not [t for t in tables if "fts" in t or "search" in t]


def test_duplicate_names(cat):
    ids = small_catalogue(cat)
    s = Search(cat)
    assert s.duplicate_names("west london alliance") == 1
    assert s.duplicate_names("West London Alliance", exclude_id=ids["wla"]) == 0
