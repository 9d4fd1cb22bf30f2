"""Opening a catalogue, decided in ui.files.opening for start-up and File ▸ Open alike: what start-up
asks about a file named on the command line, what it passes over in silence, what the window says
afterwards; and the catalogue file's name and deletion (models.storage.sqlite_file)."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from bench.reliability import hostile
from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from models.errors import CatalogueError, DamagedCatalogue
from models.storage import lock, sqlite_file
from tests.helpers.catalogues import file_digest
from tests.helpers.damage import damage_page_holding, many_rows, truncate
from tests.helpers.gui import make_window
from ui.files import foreign_dialog, opening
from ui.files.foreign_dialog import COPY, READ_ONLY, ForeignObjectsDialog
from ui.files.opening import Opened, open_at_startup, startup_catalogue


@pytest.fixture
def settings(tmp_path, qapp):   # the dialogs need the application
    return QSettings(str(tmp_path / "startup.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def default(tmp_path, monkeypatch):
    """Where the default catalogue goes, inside the test's folder."""
    path = tmp_path / "data" / "catalogue.gpkg"
    monkeypatch.setattr(opening, "default_catalogue_path", lambda: path)
    return path


@pytest.fixture
def theirs(tmp_path):
    path = tmp_path / "theirs.gpkg"
    hostile.trigger_deleting_on_insert(path)
    return path


def answer_foreign(monkeypatch, choice, asked: list):
    def exec_(dialog):
        asked.append(dialog.windowTitle())
        dialog.buttons[choice].click()
        return dialog.result()
    monkeypatch.setattr(ForeignObjectsDialog, "exec", exec_)


def never_asked(monkeypatch):
    def exec_(dialog):
        raise AssertionError(f"asked: {dialog.windowTitle()}")
    monkeypatch.setattr(ForeignObjectsDialog, "exec", exec_)
    monkeypatch.setattr(opening, "offer_recovery", lambda *args: pytest.fail("offered recovery"))


# -- start-up: a catalogue named on the command line ----------------------------------------
def test_startup_with_a_foreign_file_named_asks_and_opens_it_read_only(settings, theirs, monkeypatch):
    digest = file_digest(theirs)
    asked = []
    answer_foreign(monkeypatch, READ_ONLY, asked)
    opened = open_at_startup(settings, str(theirs))
    assert asked == ["theirs.gpkg holds triggers or views from elsewhere"]
    assert opened.catalogue.path == theirs and opened.catalogue.read_only
    assert opened.in_use_by is None and not opened.unwritable and opened.recovered is None
    opened.catalogue.close()
    assert file_digest(theirs) == digest


def test_startup_with_a_foreign_file_named_opens_a_copy_without_them(settings, theirs, tmp_path, monkeypatch):
    digest = file_digest(theirs)
    answer_foreign(monkeypatch, COPY, [])
    monkeypatch.setattr(foreign_dialog, "ask_copy_path", lambda parent, path: tmp_path / "mine")
    opened = open_at_startup(settings, str(theirs))
    assert opened.catalogue.path == tmp_path / "mine.gpkg" and not opened.catalogue.read_only
    opened.catalogue.partnerships.add(Partnership("In my copy"))
    assert "In my copy" in [p.name for p in opened.catalogue.partnerships.all()]
    opened.catalogue.close()
    assert file_digest(theirs) == digest


def test_startup_with_a_foreign_file_named_cancelled_opens_nothing(settings, theirs, default, monkeypatch):
    answer_foreign(monkeypatch, None, [])
    assert open_at_startup(settings, str(theirs)) is None
    assert not default.exists(), "no other catalogue is opened in its place"


def test_startup_with_a_catalogue_in_use_named_opens_it_read_only_saying_who(settings, tmp_path, qtbot):
    path = tmp_path / "busy.gpkg"
    with Catalogue.create(path) as other:
        other.partnerships.add(Partnership("Theirs"))
        opened = open_at_startup(settings, str(path))
        assert opened.catalogue.read_only and f"process {os.getpid()}" in opened.in_use_by
        w = make_window(qtbot, opened.catalogue, tmp_path / "settings.ini", tmp_path / "data")
        opening.tell(w, opened)
        assert w.windowTitle() == "busy.gpkg [read-only] — Partnership Atlas"
        assert f"process {os.getpid()}" in w.last_message.text()
        assert "open for editing by" in w.statusBar().currentMessage()
        w.close()


def test_startup_with_a_damaged_file_named_offers_recovery(settings, tmp_path, monkeypatch):
    path = tmp_path / "cut.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
    truncate(path)
    digest = file_digest(path)
    offered = []
    monkeypatch.setattr(opening, "offer_recovery",
                        lambda parent, damaged, error, backups: offered.append((damaged, error)))
    assert open_at_startup(settings, str(path)) is None   # cancelled
    [(damaged, error)] = offered
    assert damaged == path and isinstance(error, DamagedCatalogue)
    assert file_digest(path) == digest


def test_startup_refuses_a_named_file_that_is_not_a_catalogue(settings, tmp_path, default):
    path = tmp_path / "notes.gpkg"
    path.write_bytes(b"not a database")
    with pytest.raises(CatalogueError, match="not a catalogue"):
        open_at_startup(settings, str(path))
    assert not default.exists()


# -- start-up: the catalogue used last, then the default one ---------------------------------
def test_startup_creates_the_default_catalogue_on_first_run(settings, default, monkeypatch):
    never_asked(monkeypatch)
    opened = open_at_startup(settings)
    assert opened.catalogue.path == default and default.exists() and not opened.catalogue.read_only
    opened.catalogue.partnerships.add(Partnership("Kept"))
    opened.catalogue.close()
    again = open_at_startup(settings)
    assert [p.name for p in again.catalogue.partnerships.all()] == ["Kept"]
    again.catalogue.close()


def test_startup_opens_the_catalogue_used_last(settings, tmp_path, default):
    last = tmp_path / "last.gpkg"
    Catalogue.create(last).close()
    settings.setValue("files/recent", [str(last), str(tmp_path / "older.gpkg")])
    opened = startup_catalogue(settings)
    assert opened.catalogue.path == last and not default.exists()
    opened.catalogue.close()


def _foreign(path):
    hostile.trigger_deleting_on_insert(path)


def _not_sqlite(path):
    path.write_bytes(b"hello")


def _sqlite_not_ours(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make", [None, _foreign, _not_sqlite, _sqlite_not_ours],
                         ids=["gone", "foreign", "not-sqlite", "not-ours"])
def test_startup_passes_over_a_last_catalogue_it_cannot_open_in_silence(settings, tmp_path, default,
                                                                        monkeypatch, make):
    last = tmp_path / "last.gpkg"
    if make is not None:
        make(last)
    settings.setValue("files/recent", str(last))   # one item: a str on some back ends
    never_asked(monkeypatch)
    opened = open_at_startup(settings)
    assert opened.catalogue.path == default and opened.in_use_by is None
    opened.catalogue.close()


def test_startup_opens_the_last_catalogue_in_use_read_only(settings, tmp_path, default):
    last = tmp_path / "last.gpkg"
    with Catalogue.create(last):
        settings.setValue("files/recent", [str(last)])
        opened = open_at_startup(settings)
        assert opened.catalogue.path == last and opened.catalogue.read_only
        assert f"process {os.getpid()}" in opened.in_use_by
        opened.catalogue.close()
    assert not default.exists()


def test_startup_tells_of_a_damaged_last_catalogue_by_offering_recovery(settings, tmp_path, default,
                                                                        monkeypatch):
    last = tmp_path / "last.gpkg"
    with Catalogue.create(last) as cat:
        many_rows(cat)
    damage_page_holding(last, b"Org 0300")
    settings.setValue("files/recent", [str(last)])
    offered = []
    monkeypatch.setattr(opening, "offer_recovery",
                        lambda parent, damaged, error, backups: offered.append(damaged))
    assert open_at_startup(settings) is None
    assert offered == [last] and not default.exists()


# -- File ▸ Open --------------------------------------------------------------------------------
def test_a_damaged_file_another_atlas_is_editing_is_not_offered_for_recovery(window, tmp_path, monkeypatch):
    """Restoring or salvaging would move the file from under the one editing it: it is only shown."""
    path = tmp_path / "busy.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
    damage_page_holding(path, b"Org 0300")
    held = lock.CatalogueLock.acquire(path)   # another Partnership Atlas has it open for editing
    try:
        never_asked(monkeypatch)
        assert not window.files.open_path(path)
        assert window.last_message.text().startswith("busy.gpkg is damaged")
        assert window.windowTitle() == "small.gpkg — Partnership Atlas"
    finally:
        held.release()


def test_opening_a_recent_catalogue_that_is_gone_forgets_it(window, tmp_path):
    gone = tmp_path / "gone.gpkg"
    Catalogue.create(gone).close()
    assert window.files.open_path(gone)
    assert window.files.open_path(tmp_path / "small.gpkg")
    assert gone.resolve() in window.files.recent()
    gone.unlink()
    assert not window.files.open_path(gone)
    assert "does not exist" in window.last_message.text()
    assert gone.resolve() not in window.files.recent()
    assert window.windowTitle() == "small.gpkg — Partnership Atlas"


def test_a_catalogue_that_cannot_be_written_is_said_in_the_status_bar(window, tmp_path):
    path = tmp_path / "other.gpkg"
    Catalogue.create(path).close()
    opened = Opened(Catalogue.open(path, read_only=True), unwritable=True)
    window.set_catalogue(opened.catalogue)
    opening.tell(window, opened)
    assert window.statusBar().currentMessage().startswith("other.gpkg is read-only: you can look and search")


def test_dropping_a_catalogue_opens_it_and_only_catalogue_suffixes_count(window, tmp_path):
    path = tmp_path / "dropped.sqlite"
    Catalogue.create(path).close()
    window.open_dropped(path)
    assert window.windowTitle() == "dropped.sqlite — Partnership Atlas"
    odd = tmp_path / "dropped.atlas"
    Catalogue.create(odd).close()
    window.open_dropped(odd)
    assert window.windowTitle() == "dropped.sqlite — Partnership Atlas"
    assert window.last_message.text().startswith("dropped.atlas: drop a catalogue (.gpkg)")


# -- the catalogue file -------------------------------------------------------------------------
@pytest.mark.parametrize("typed, name", [("Catalogue", "Catalogue.gpkg"), ("a.gpkg", "a.gpkg"),
                                         ("b.SQLITE", "b.SQLITE"), ("c.atlas", "c.gpkg"),
                                         ("d.csv", "d.gpkg")])
def test_a_catalogue_is_named_gpkg_unless_it_has_a_catalogue_suffix(typed, name):
    assert sqlite_file.catalogue_name(Path("/some") / typed) == Path("/some") / name


def test_deleting_a_catalogue_takes_its_wal_and_shm(tmp_path):
    path = tmp_path / "old.gpkg"
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.write_bytes(b"x")
    kept = tmp_path / "old.gpkg.lock"
    kept.write_bytes(b"")
    sqlite_file.delete(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gpkg.lock"]
    sqlite_file.delete(path)   # nothing there: nothing to do


def test_new_catalogue_over_an_old_one_leaves_no_old_wal(window, tmp_path):
    old = tmp_path / "old.gpkg"
    with Catalogue.create(old) as cat:
        cat.partnerships.add(Partnership("Old"))
    Path(f"{old}-wal").write_bytes(b"a stale journal")
    assert window.files.new_catalogue(tmp_path / "old")
    assert window.catalogue.path == old and window.catalogue.partnerships.all() == []
