"""A large import's pages are copied from the WAL into the file by a thread after its commit
(Store.checkpoint_later): the edit is saved at commit, the file is whole once the thread is
done, and closing waits for it and folds the WAL back."""
import sqlite3

from models.catalogue import Catalogue
from models.formats.boundary_import import import_boundaries
from models.storage import sqlite_file, store
from tests.helpers.catalogues import snapshot
from tests.helpers.grid import write_grid_geojson


def _size(cat) -> int:
    """The database's size as its connection sees it (the file plus what the WAL adds)."""
    conn = cat.store.conn
    return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]


def test_a_large_import_is_checkpointed_by_a_thread_and_close_folds_the_wal(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "LATER_PAGES", 1)   # the grid counts as large
    path = tmp_path / "c.gpkg"
    cat = Catalogue.create(path)
    import_boundaries(cat, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid")
    thread = cat.store._checkpointer
    assert thread is not None
    cat.store.wait_for_checkpoint()
    assert not thread.is_alive() and cat.store._checkpointer is None
    assert path.stat().st_size >= _size(cat)   # the thread copied every page into the file
    assert sqlite_file.wal_path(path).stat().st_size > 0   # the WAL is kept until close...
    after = snapshot(cat)
    cat.close()
    assert not sqlite_file.wal_path(path).exists() or sqlite_file.wal_path(path).stat().st_size == 0
    # ...and the file alone holds the import.
    with Catalogue.open(path) as again:
        assert snapshot(again) == after and len(after["boundary_units"]) == 12


def test_the_import_is_saved_before_the_thread_has_copied_it(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "LATER_PAGES", 1)
    monkeypatch.setattr(store, "_checkpoint", lambda path: None)   # the thread copies nothing
    path = tmp_path / "c.gpkg"
    cat = Catalogue.create(path)
    import_boundaries(cat, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid")
    cat.store.wait_for_checkpoint()
    assert path.stat().st_size < _size(cat)   # nothing copied into the file yet
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:   # a reader sees the committed units through the WAL
        assert conn.execute("SELECT count(*) FROM boundary_units").fetchone()[0] == 12
    finally:
        conn.close()
    cat.close()


def test_a_small_import_checkpoints_as_before(tmp_path):
    path = tmp_path / "c.gpkg"
    with Catalogue.create(path) as cat:
        import_boundaries(cat, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid")
        assert cat.store._checkpointer is None
        assert cat.store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
