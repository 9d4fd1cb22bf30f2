"""Opening files from others in the window: foreign triggers shown with a choice, a file
another Partnership Atlas is editing opened read-only with who has it."""
import os

import pytest
from PySide6.QtCore import QSettings

from bench.reliability import hostile
from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from tests.helpers.catalogues import file_digest
from tests.helpers.gui import list_names
from ui.files import foreign_dialog
from ui.files.foreign_dialog import COPY, READ_ONLY, ForeignObjectsDialog


@pytest.fixture
def theirs(tmp_path):
    path = tmp_path / "theirs.gpkg"
    hostile.trigger_deleting_on_insert(path)
    return path


def _answer(monkeypatch, choice, shown=None):
    """Make the dialog's exec click one of its own buttons, keeping what it listed."""
    def exec_(dialog):
        if shown is not None:
            shown.extend((dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
                         for r in range(dialog.table.rowCount()))
            shown.append(dialog.sql.toPlainText())
        dialog.buttons[choice].click()
        return dialog.result()
    monkeypatch.setattr(ForeignObjectsDialog, "exec", exec_)


def test_foreign_triggers_shown_then_opened_read_only(window, theirs, monkeypatch):
    digest = file_digest(theirs)
    shown = []
    _answer(monkeypatch, READ_ONLY, shown)
    assert window.files.open_path(theirs)
    assert shown[0] == ("trigger", "tidy") and "DELETE FROM partnerships" in shown[-1]
    assert window.windowTitle() == "theirs.gpkg [read-only] — Partnership Atlas"
    assert list_names(window) == ["West London Alliance"]
    assert not window.new_action.isEnabled()
    window.files.open_path(window.data_folder.parent / "small.gpkg")   # close theirs
    assert file_digest(theirs) == digest


def test_foreign_triggers_removed_into_a_copy_that_edits(window, theirs, tmp_path, monkeypatch):
    digest = file_digest(theirs)
    _answer(monkeypatch, COPY)
    monkeypatch.setattr(foreign_dialog, "ask_copy_path", lambda parent, path: tmp_path / "mine")
    assert window.files.open_path(theirs)
    assert window.catalogue.path == tmp_path / "mine.gpkg" and not window.catalogue.read_only
    assert window.windowTitle() == "mine.gpkg — Partnership Atlas"
    window.document.edit("Add", lambda: window.catalogue.partnerships.add(Partnership("In my copy")))
    assert list_names(window) == ["In my copy", "West London Alliance"]   # no trigger deleted them
    assert file_digest(theirs) == digest


def test_foreign_triggers_cancelled_keeps_the_open_catalogue(window, theirs, monkeypatch):
    _answer(monkeypatch, None)
    before = window.catalogue
    assert not window.files.open_path(theirs)
    assert window.catalogue is before and len(list_names(window)) == 2


def test_catalogue_another_atlas_is_editing_opens_read_only_saying_who(window, tmp_path):
    path = tmp_path / "busy.gpkg"
    other = Catalogue.create(path)     # "another window" holds it for writing
    try:
        other.partnerships.add(Partnership("Theirs"))
        assert window.files.open_path(path)
        assert window.catalogue.read_only
        assert window.windowTitle() == "busy.gpkg [read-only] — Partnership Atlas"
        assert f"process {os.getpid()}" in window.last_message.text()
        assert "open for editing by" in window.statusBar().currentMessage()
        assert list_names(window) == ["Theirs"]
    finally:
        other.close()


def test_opening_the_catalogue_already_open_just_says_so(window):
    before = window.catalogue
    assert window.files.open_path(before.path)
    assert window.catalogue is before and not before.read_only
    assert window.last_message.text() == "small.gpkg is the catalogue open in this window"


def test_startup_opens_a_catalogue_in_use_read_only(tmp_path):
    from ui.files.opening import startup_catalogue
    path = tmp_path / "busy.gpkg"
    with Catalogue.create(path):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        started = startup_catalogue(settings, str(path)).catalogue
        assert started.read_only
        started.close()
