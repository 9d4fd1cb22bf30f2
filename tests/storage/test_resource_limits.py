"""A read-only file, a full disk, a cancelled import: the edit is refused in one line,
the undo stack still tells the truth, and nothing already saved is lost."""
import contextlib
import os
import shutil
import sqlite3
import subprocess

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Organisation, Partnership
from models.errors import Cancelled, CatalogueError
from models.formats.boundary_import import import_boundaries
from tests.helpers.catalogues import file_digest, snapshot
from tests.helpers.data import LONDON_WARDS

FULL = "not saved: the disk is full; free some space and try again"
BIG_NOTES = "x" * 200_000  # needs dozens of new pages


def _names(cat):
    return [p.name for p in cat.partnerships.all()]


def _fill_disk(cat, spare_pages: int = 1) -> None:
    """The disk is full a page or so past the file's current size (SQLite's own cap)."""
    conn = cat.store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert conn.execute(f"PRAGMA max_page_count={pages + spare_pages}").fetchone()[0] == pages + spare_pages


# -- a read-only file -----------------------------------------------------------
@pytest.fixture
def read_only_file(tmp_path):
    path = tmp_path / "ro.gpkg"
    with Catalogue.create(path) as cat:
        cat.partnerships.add(Partnership("Kept"))
    with write_protected(path, 0o444):
        yield path


@contextlib.contextmanager
def write_protected(path, mode):
    """chmod `path` to `mode`; where the user ignores permissions (root), also set the
    immutable flag, which stops even root; skip the test when neither stops writes."""
    os.chmod(path, mode)
    immutable = False
    if os.access(path, os.W_OK) and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running with rights that ignore file permissions")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def test_a_read_only_file_opens_read_only_and_refuses_edits(read_only_file, qapp):
    from ui.document import Document
    digest = file_digest(read_only_file)
    with pytest.raises(CatalogueError, match="ro.gpkg is read-only; open it read-only instead"):
        Catalogue.open(read_only_file)
    with Catalogue.open(read_only_file, read_only=True) as cat:
        assert _names(cat) == ["Kept"]
        document = Document(cat)
        with pytest.raises(CatalogueError, match="ro.gpkg is open read-only"):
            document.edit("Add", lambda: cat.partnerships.add(Partnership("New")))
        assert document.undo_stack.count() == 0
        assert _names(cat) == ["Kept"]
    assert file_digest(read_only_file) == digest


# -- a full disk ----------------------------------------------------------------
def test_a_full_disk_refuses_the_edit_and_keeps_what_was_saved(cat):
    cat.partnerships.add(Partnership("First"))
    cat.organisations.add(Organisation("Brent", "local authority"))
    before = snapshot(cat)
    _fill_disk(cat)
    with pytest.raises(CatalogueError) as refused:
        cat.partnerships.add(Partnership("Too big", notes=BIG_NOTES))
    assert str(refused.value) == FULL
    assert snapshot(cat) == before
    # A small edit still fits in the pages the file has, and undoes exactly.
    revert = cat.partnerships.add(Partnership("Small"))
    after = snapshot(cat)
    redo = revert()
    assert snapshot(cat) == before
    redo()
    assert snapshot(cat) == after
    path = cat.path
    cat.close()
    with Catalogue.open(path) as again:
        assert _names(again) == ["First", "Small"]
        assert [o.name for o in again.organisations.all()] == ["Brent"]


def test_a_full_disk_refuses_a_boundary_import(cat, tmp_path):
    from bench.reliability.kill import write_grid
    grid = write_grid(tmp_path / "grid48.geojson")  # 48 wards: several pages
    cat.partnerships.add(Partnership("First"))
    before = snapshot(cat)
    _fill_disk(cat, spare_pages=0)
    with pytest.raises(CatalogueError, match=f"^{FULL}$"):
        import_boundaries(cat, grid, name="Grid wards", level="ward")
    assert snapshot(cat) == before
    assert cat.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_undo_stack_skips_an_edit_the_full_disk_refused(cat, qapp):
    from ui.document import Document
    document = Document(cat)
    stack = document.undo_stack
    document.edit("Add A", lambda: cat.partnerships.add(Partnership("A")))
    document.edit("Add B", lambda: cat.partnerships.add(Partnership("B")))
    _fill_disk(cat)
    with pytest.raises(CatalogueError, match=f"^{FULL}$"):
        document.edit("Add big", lambda: cat.partnerships.add(Partnership("Big", notes=BIG_NOTES)))
    assert (stack.count(), stack.index()) == (2, 2)
    assert stack.text(1) == "Add B"
    stack.undo()
    assert _names(cat) == ["A"]
    stack.undo()
    assert _names(cat) == []
    stack.redo()
    stack.redo()
    assert _names(cat) == ["A", "B"]
    document.edit("Add C", lambda: cat.partnerships.add(Partnership("C")))
    assert (stack.count(), stack.index()) == (3, 3)
    assert _names(cat) == ["A", "B", "C"]


def _take_the_free_space(conn) -> None:
    """Another program fills the disk: the pages our last delete freed are gone."""
    conn.execute("CREATE TABLE filler(x BLOB)")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for _ in range(10_000):
            conn.execute("INSERT INTO filler VALUES (zeroblob(4000))")


def _space_again(conn) -> None:
    """The other program's file is deleted and the disk has room again: enough for the row
    and the copy of it the history keeps."""
    conn.execute("DROP TABLE filler")
    conn.execute("PRAGMA max_page_count=1000000")


def _watched_document(cat):
    """A Document on `cat`, its undo stack, and the list its failure messages land in."""
    from ui.document import Document
    document = Document(cat)
    failures = []
    document.failed.connect(failures.append)
    return document, document.undo_stack, failures


def test_an_undo_the_full_disk_refuses_stays_on_the_stack(cat, qapp):
    document, stack, failures = _watched_document(cat)
    document.edit("Add big", lambda: cat.partnerships.add(Partnership("Big", notes=BIG_NOTES)))
    big = cat.partnerships.find("Big").id
    document.edit("Delete big", lambda: cat.partnerships.delete(big))
    before = snapshot(cat)
    _fill_disk(cat)
    _take_the_free_space(cat.store.conn)
    stack.undo()  # would put Big back: no room
    assert failures == [FULL]
    assert snapshot(cat) == before
    # The step is still there and still done: the stack says what the file holds.
    assert (stack.count(), stack.index()) == (2, 2)
    _space_again(cat.store.conn)  # space again
    stack.undo()
    assert _names(cat) == ["Big"]
    stack.undo()
    assert _names(cat) == []
    stack.redo()
    stack.redo()
    assert _names(cat) == [] and (stack.count(), stack.index()) == (2, 2)
    assert failures == [FULL]


def test_a_redo_the_full_disk_refuses_stays_on_the_stack(cat, qapp):
    document, stack, failures = _watched_document(cat)
    document.edit("Add big", lambda: cat.partnerships.add(Partnership("Big", notes=BIG_NOTES)))
    stack.undo()
    before = snapshot(cat)
    _fill_disk(cat)
    _take_the_free_space(cat.store.conn)
    stack.redo()
    assert failures == [FULL]
    assert snapshot(cat) == before
    assert (stack.count(), stack.index()) == (1, 0)
    _space_again(cat.store.conn)
    stack.redo()
    assert _names(cat) == ["Big"] and stack.index() == 1


def test_the_main_window_says_why_an_undo_was_not_done(window):
    cat, document = window.catalogue, window.document
    document.edit("Add big", lambda: cat.partnerships.add(Partnership("Big", notes=BIG_NOTES)))
    big = cat.partnerships.find("Big").id
    document.edit("Delete big", lambda: cat.partnerships.delete(big))
    _fill_disk(cat)
    _take_the_free_space(cat.store.conn)
    window.undo_action.trigger()
    assert window.last_message.text() == FULL
    assert document.undo_stack.index() == document.undo_stack.count()
    assert window.undo_action.isEnabled() and window.undo_action.text() == "&Undo Delete big"
    _space_again(cat.store.conn)
    window.undo_action.trigger()
    assert cat.partnerships.find("Big") is not None


# -- cancelling an import at any point ------------------------------------------
def _cancel_at_every_point(cat, source, **options) -> int:
    """Cancel at the 1st, 2nd, ... progress call until the import finishes; returns the points."""
    before, dump = snapshot(cat), list(cat.store.conn.iterdump())
    for k in range(1, 100):
        calls = []

        def progress(fraction, message):
            calls.append(fraction)
            if len(calls) == k:
                raise Cancelled()

        try:
            import_boundaries(cat, source, progress=progress, **options)
        except Cancelled:
            assert snapshot(cat) == before, f"cancelled at call {k}"
            assert list(cat.store.conn.iterdump()) == dump, f"cancelled at call {k}"
            continue
        assert len(calls) == k - 1  # every call before this run's end was a cancel point
        return k - 1
    raise AssertionError("the import never finished")


def test_cancelling_the_grid_import_anywhere_changes_nothing(cat, grid_geojson):
    cat.partnerships.add(Partnership("Before"))
    points = _cancel_at_every_point(cat, grid_geojson, name="Grid wards")
    assert points >= 3
    assert len(cat.layers.all()) == 1  # the run that was not cancelled


def test_cancelling_the_london_import_anywhere_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "c.gpkg"
    with Catalogue.create(path) as cat:
        cat.partnerships.add(Partnership("Before"))
    digest = file_digest(path)
    with Catalogue.open(path) as cat:
        before = snapshot(cat)
        for k in (1, 2, 3):
            with pytest.raises(Cancelled):
                import_boundaries(cat, LONDON_WARDS, progress=_raise_on_call(k))
            assert snapshot(cat) == before
    assert file_digest(path) == digest
    with Catalogue.open(path) as cat:
        assert _cancel_at_every_point(cat, LONDON_WARDS) >= 3


def _raise_on_call(k):
    calls = []

    def progress(fraction, message):
        calls.append(fraction)
        if len(calls) == k:
            raise Cancelled()
    return progress


def test_a_jump_in_the_history_stops_at_the_step_the_full_disk_refuses(cat, qapp):
    """Clicking far back in the Undo History runs several undos; the first that fails ends it."""
    document, stack, failures = _watched_document(cat)
    document.edit("Add A", lambda: cat.partnerships.add(Partnership("A")))
    document.edit("Add big", lambda: cat.partnerships.add(Partnership("Big", notes=BIG_NOTES)))
    big = cat.partnerships.find("Big").id
    document.edit("Delete big", lambda: cat.partnerships.delete(big))
    document.edit("Add C", lambda: cat.partnerships.add(Partnership("C")))
    _fill_disk(cat)
    _take_the_free_space(cat.store.conn)
    stack.setIndex(0)  # undo C (fits), undo "Delete big" (no room): stop there
    assert failures == [FULL]
    assert _names(cat) == ["A"]
    assert (stack.count(), stack.index()) == (4, 3)
    _space_again(cat.store.conn)
    stack.setIndex(0)
    assert _names(cat) == [] and stack.index() == 0
    stack.setIndex(4)
    assert _names(cat) == ["A", "C"] and stack.index() == 4


def test_a_catalogue_in_a_read_only_folder_opens_read_only(tmp_path):
    folder = tmp_path / "cd"
    folder.mkdir()
    path = folder / "shared.gpkg"
    with Catalogue.create(path) as cat:
        cat.partnerships.add(Partnership("Kept"))
    digest = file_digest(path)
    with write_protected(folder, 0o555):
        with Catalogue.open(path, read_only=True) as cat:
            assert _names(cat) == ["Kept"]
        assert sorted(p.name for p in folder.iterdir()) == ["shared.gpkg"]
        assert file_digest(path) == digest
