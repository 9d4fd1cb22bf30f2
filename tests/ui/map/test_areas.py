"""The area edits the map adds: duplicate, and an area from a partnership's member boroughs."""
import pytest

from models.catalogue.records import Area, Membership, Organisation, Partnership
from models.errors import CatalogueError
from models.storage.schema import CONTENT_TABLES


def snapshot(cat):
    c = cat.store.conn
    return {t: c.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in CONTENT_TABLES}


def grid_ids(cat, *codes):
    t = cat.layers.table(cat.layers.all()[0].id)
    return frozenset(int(t.ids[t.codes.index(c)]) for c in codes)


def test_duplicate_then_revert(grid_cat):
    layer = grid_cat.layers.all()[0]
    aid = grid_cat.areas.add(Area("North", colour="#112233", layer_id=layer.id,
                                  unit_ids=grid_ids(grid_cat, "W00", "W01"), notes="n")).id
    before = snapshot(grid_cat)
    revert = grid_cat.areas.duplicate(aid)
    copy = grid_cat.areas.get(revert.id)
    assert copy.name == "North (copy)" and copy.unit_ids == grid_cat.areas.get(aid).unit_ids
    assert copy.colour == "#112233" and copy.notes == "n" and copy.outline.area == pytest.approx(2e6)
    redo = revert()
    assert snapshot(grid_cat) == before
    redo()
    assert grid_cat.areas.get(revert.id).name == "North (copy)"


def test_from_partnership_members_then_revert(grid_cat):
    layer = grid_cat.layers.all()[0]
    b2 = grid_cat.organisations.add(Organisation("Borough Two", "local authority", gss_code="B2")).id
    grid_cat.organisations.add(Organisation("Nobody", "other"))
    pid = grid_cat.partnerships.add(Partnership("Shared waste"), [Membership(0, b2)]).id
    before = snapshot(grid_cat)
    revert = grid_cat.areas.from_partnership(pid, layer.id)
    area = grid_cat.areas.get(revert.id)
    assert area.name == "Shared waste" and area.partnership_id == pid
    assert area.unit_ids == grid_ids(grid_cat, "W02", "W03", "W12", "W13", "W22", "W23")
    revert()
    assert snapshot(grid_cat) == before


def test_from_partnership_without_matching_codes_changes_nothing(grid_cat):
    layer = grid_cat.layers.all()[0]
    pid = grid_cat.partnerships.add(Partnership("No codes")).id
    before = snapshot(grid_cat)
    with pytest.raises(CatalogueError, match="GSS code"):
        grid_cat.areas.from_partnership(pid, layer.id)
    assert snapshot(grid_cat) == before


def test_snap_drawn_then_revert(grid_cat):
    import shapely

    from tests.helpers.grid import GRID_ORIGIN
    layer = grid_cat.layers.all()[0]
    x0, y0 = GRID_ORIGIN
    aid = grid_cat.areas.add(Area("Free", layer_id=layer.id,
                                  drawn=shapely.box(x0, y0, x0 + 1800, y0 + 900))).id
    before = snapshot(grid_cat)
    revert = grid_cat.areas.snap_drawn(aid, grid_ids(grid_cat, "W00", "W01"))
    area = grid_cat.areas.get(aid)
    assert area.drawn is None and area.unit_ids == grid_ids(grid_cat, "W00", "W01")
    assert area.outline.area == pytest.approx(2e6)
    redo = revert()
    assert snapshot(grid_cat) == before
    redo()
    assert grid_cat.areas.get(aid).drawn is None
