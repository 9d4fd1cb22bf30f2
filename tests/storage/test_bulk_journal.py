"""An import journals its units as one entry (Store.bulk_insert), not one a row: undo and
redo still give back the catalogue exactly, a cancelled import leaves it unchanged, and
every other edit is journaled row by row as before."""
import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Area, Organisation
from models.errors import Cancelled
from models.formats.boundary_import import import_boundaries
from tests.helpers.catalogues import small_catalogue, snapshot
from tests.helpers.grid import write_grid_geojson


@pytest.fixture
def cat(tmp_path):
    c = Catalogue.create(tmp_path / "c.gpkg")
    small_catalogue(c)
    import_boundaries(c, write_grid_geojson(tmp_path / "first.geojson"), name="First")
    yield c
    c.close()


def _journal_triggers(cat) -> set[str]:
    return {r[0] for r in cat.store.conn.execute("SELECT name FROM sqlite_temp_master WHERE type='trigger'")}


def test_an_import_is_one_entry_and_undo_redo_give_the_catalogue_back_exactly(cat, tmp_path):
    before = snapshot(cat)
    revert, _ = import_boundaries(cat, write_grid_geojson(tmp_path / "second.geojson"), name="Second")
    after = snapshot(cat)
    assert len(after["boundary_units"]) == len(before["boundary_units"]) + 12
    # One entry for the layer, one for its 12 units.
    assert [(t, op) for t, op, _, _ in revert._entries] == [("boundary_layers", "I"), ("boundary_units", "B")]
    redo = revert()
    assert snapshot(cat) == before
    assert cat.store.conn.execute("SELECT count(*) FROM boundary_unit_columns").fetchone()[0] == 1
    undo = redo()
    assert snapshot(cat) == after
    assert undo() is not None and snapshot(cat) == before


def test_the_journal_is_whole_again_after_an_import(cat, tmp_path):
    triggers = _journal_triggers(cat)
    assert "undo_boundary_units_i" in triggers
    import_boundaries(cat, write_grid_geojson(tmp_path / "second.geojson"), name="Second")
    assert _journal_triggers(cat) == triggers
    # A later edit is journaled row by row: undoing it takes back exactly it.
    before = snapshot(cat)
    layer = cat.layers.find("Second")
    ids = cat.layers.table(layer.id).ids[:3].tolist()
    revert = cat.areas.add(Area("Three", colour="#0072B2", layer_id=layer.id, unit_ids=frozenset(ids)))
    revert()
    assert snapshot(cat) == before


def test_a_cancelled_import_leaves_the_catalogue_and_its_journal_as_they_were(cat, tmp_path):
    before, triggers = snapshot(cat), _journal_triggers(cat)

    def progress(fraction, message):
        if fraction > 0.75:   # while the units are written, inside the bulk entry
            raise Cancelled()

    with pytest.raises(Cancelled):
        import_boundaries(cat, write_grid_geojson(tmp_path / "second.geojson"), name="Second", progress=progress)
    assert snapshot(cat) == before and _journal_triggers(cat) == triggers
    revert = cat.organisations.add(Organisation("Camden", kind="local authority"))
    revert()
    assert snapshot(cat) == before


def test_undo_of_an_import_in_a_reopened_file(cat, tmp_path):
    """The bulk entry names the layer, not rows: undo works on what is in the file."""
    path = cat.store.path
    before = snapshot(cat)
    revert, _ = import_boundaries(cat, write_grid_geojson(tmp_path / "second.geojson"), name="Second")
    revert()
    cat.close()
    with Catalogue.open(path) as again:
        assert snapshot(again) == before
