"""A large catalogue is opened before its integrity check has run (ui.files.late_check): when
the check then finds damage, the user is told and offered recovery as when a damaged file is
refused at opening, nothing is written to it, and closing leaves it exactly as it was found."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models.catalogue import Catalogue
from models.storage import store
from models.storage.backups import DAMAGED
from tests.helpers.catalogues import file_digest
from tests.helpers.damage import N_ORGS, damage_page_of, many_rows, sidecars
from tests.helpers.gui import list_names, show_active
from tests.ui.files.test_recovery_gui import T0, click, restore_first, when_modal
from ui.files.backup_dialog import RestoreDialog


@pytest.fixture
def damaged_large(window, tmp_path, monkeypatch):
    """A catalogue backed up today and damaged since, in a table checked later; every
    file counts as large (checked later); the window has another catalogue open."""
    monkeypatch.setattr(store, "CHECK_LATER_BYTES", 0)
    path = tmp_path / "full.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
        window.backups.clock = lambda: T0
        window.backups.take(cat.store.conn, path)   # so no backup is due: opening writes nothing
    damage_page_of(path, "history_changes")   # checked later; the window does not read it at once
    return path


def test_damage_found_after_opening_is_told_and_nothing_is_written(window, qtbot, damaged_large):
    digest = file_digest(damaged_large)
    seen = []
    when_modal(QMessageBox, click("Cancel"), seen)
    assert window.files.open_path(damaged_large), "opened: the check runs after"
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    [box] = seen
    assert box.text().startswith("full.gpkg is damaged")
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Restore latest backup…",
                                                       "Salvage into a new file…"]
    # Cancelled: it stays on view, and says why nothing can be changed.
    assert window.catalogue.path == damaged_large
    assert window.statusBar().currentMessage().endswith("has not been changed. Nothing will be written to it.")
    before = list_names(window)
    # Renaming a partnership, typed as a user would: refused with the same line.
    window.catalogue_view.list.select(window.catalogue.partnerships.find("Partnership 0007").id)
    editor = window.catalogue_view.editor
    show_active(qtbot, window)   # active again after the message box
    editor.name.setFocus()
    editor.name.selectAll()
    qtbot.keyClicks(editor.name, "Renamed")
    qtbot.keyClick(editor.name, Qt.Key.Key_Return)
    shown = editor.name_message
    qtbot.waitUntil(lambda: "full.gpkg is damaged" in shown.text(), timeout=5000)
    assert list_names(window) == before
    window.close()
    assert file_digest(damaged_large) == digest
    assert all(p.stat().st_size == 0 for p in sidecars(damaged_large) if p.name.endswith("-wal"))


def test_damage_found_after_opening_can_be_recovered_from_a_backup(window, qtbot, damaged_large):
    digest = file_digest(damaged_large)
    damaged_catalogue = []
    seen = []
    when_modal(QMessageBox, click("Restore latest backup…"), seen)
    when_modal(RestoreDialog, restore_first, seen)
    assert window.files.open_path(damaged_large)
    damaged_catalogue.append(window.catalogue)
    qtbot.waitUntil(lambda: window.catalogue is not damaged_catalogue[0], timeout=10000)
    assert window.catalogue.path == damaged_large
    assert len(window.catalogue.organisations.all()) == N_ORGS
    assert window.catalogue.store.check_result() is None
    aside = damaged_large.with_name(f"full ({DAMAGED} 2024-03-04T120000Z).gpkg")
    assert file_digest(aside) == digest, "the damaged file is moved aside unchanged"
