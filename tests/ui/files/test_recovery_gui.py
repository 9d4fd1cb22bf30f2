"""Restore from Backup… and the damaged-file choices, driven through the real window."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from models.catalogue import Catalogue
from models.catalogue.records import Organisation
from models.errors import DamagedCatalogue
from models.storage.backups import BEFORE_RESTORE, DAMAGED
from models.storage.check import problems
from tests.helpers.catalogues import file_digest, snapshot
from tests.helpers.damage import damage_page_holding, many_rows, sidecars
from tests.helpers.gui import make_window
from ui.files.backup_dialog import RestoreDialog, size_text
from ui.files.opening import startup_catalogue

QStandardPaths.setTestModeEnabled(True)   # nothing here may reach the user's own data folder
T0 = datetime(2024, 3, 4, 12, 0, tzinfo=timezone.utc)


def when_modal(kind, act, seen: list):
    """Once a modal `kind` is up (exec() blocks the test), record it and act on it."""
    tries = iter(range(1000))

    def poll():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            seen.append(widget)
            act(widget)
        elif next(tries, None) is not None:
            QTimer.singleShot(10, poll)
    QTimer.singleShot(0, poll)


def click(text):
    def act(box):
        [button] = [b for b in box.buttons() if b.text() == text]
        button.click()
    return act


def restore_first(dialog):
    if dialog.chosen() is None:
        dialog.table.setCurrentItem(dialog.table.topLevelItem(0))
    dialog.restore_button.click()


def file_action(window, text):
    menu = window.menuBar().actions()[0].menu()
    [action] = [a for a in menu.actions() if a.text().replace("&", "") == text]
    return action


def test_restore_from_the_dialog_keeps_the_current_file_aside(window, qtbot):
    window.backups.clock = lambda: T0
    path = window.catalogue.path
    window.backups.take(window.catalogue.store.conn, path)
    before = snapshot(window.catalogue)
    window.catalogue.organisations.add(Organisation("Added after the backup"))
    edited = snapshot(window.catalogue)

    action = file_action(window, "Restore from Backup…")
    assert action.toolTip() and action.shortcut().isEmpty()
    window.backups.clock = lambda: T0 + timedelta(hours=1)
    seen = []
    when_modal(RestoreDialog, restore_first, seen)
    action.trigger()

    [dialog] = seen
    assert dialog.table.topLevelItemCount() == 1
    assert dialog.table.topLevelItem(0).text(1) == "daily"
    assert dialog.table.topLevelItem(0).text(2) == size_text(window.backups.list(path)[-1].size)
    assert window.catalogue.path == path
    assert snapshot(window.catalogue) == before
    aside = path.with_name("small (before restore 2024-03-04T130000Z).gpkg")
    assert aside.exists()
    assert "small (before restore 2024-03-04T130000Z).gpkg" in window.statusBar().currentMessage()

    # Undo by restoring again: the file moved aside is listed first.
    assert window.backups.list(path)[0].reason == BEFORE_RESTORE
    window.backups.clock = lambda: T0 + timedelta(hours=2)
    seen = []
    when_modal(RestoreDialog, restore_first, seen)
    action.trigger()
    assert seen[0].table.topLevelItem(0).text(1) == BEFORE_RESTORE
    assert snapshot(window.catalogue) == edited


def test_cancelling_the_restore_changes_nothing(window):
    path = window.catalogue.path
    window.backups.take(window.catalogue.store.conn, path)
    before = snapshot(window.catalogue)
    seen = []
    when_modal(RestoreDialog, lambda d: d.reject(), seen)
    file_action(window, "Restore from Backup…").trigger()
    assert seen and snapshot(window.catalogue) == before
    assert [p.name for p in path.parent.glob("small (*")] == [], "nothing was kept aside"


@pytest.fixture
def damaged(window, tmp_path):
    """A catalogue with a day-old backup, damaged since; the window has another one open."""
    path = tmp_path / "full.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
        window.backups.clock = lambda: T0
        window.backups.take(cat.store.conn, path)
    damage_page_holding(path, b"Org 0300")
    window.backups.clock = lambda: T0 + timedelta(days=1)
    return path


def test_a_damaged_file_offers_restore_salvage_or_cancel(window, damaged):
    digest = file_digest(damaged)
    shown = window.catalogue.path
    seen = []
    when_modal(QMessageBox, click("Cancel"), seen)
    assert window.files.open_path(damaged) is False
    [box] = seen
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Restore latest backup…",
                                                       "Salvage into a new file…"]
    assert all(b.isEnabled() for b in box.buttons())
    assert box.text().startswith("full.gpkg is damaged")
    assert window.catalogue.path == shown
    assert file_digest(damaged) == digest and not sidecars(damaged)


def test_restore_latest_backup_of_a_damaged_file(window, damaged):
    digest = file_digest(damaged)
    [latest] = window.backups.list(damaged)
    seen = []
    when_modal(QMessageBox, click("Restore latest backup…"), seen)
    when_modal(RestoreDialog, restore_first, seen)
    assert window.files.open_path(damaged)
    box, dialog = seen
    assert dialog.chosen() == latest, "the latest good backup is chosen"
    assert window.catalogue.path == damaged
    assert len(window.catalogue.organisations.all()) == 600
    aside = damaged.with_name(f"full ({DAMAGED} 2024-03-05T120000Z).gpkg")
    assert file_digest(aside) == digest, "the damaged file is moved aside unchanged"
    assert "full (damaged 2024-03-05T120000Z).gpkg" in window.last_message.text()


def test_a_damaged_backup_is_passed_over(window, damaged):
    older = window.backups.list(damaged)[0]
    newer = older.path.with_name(older.path.name.replace("2024-03-04T12", "2024-03-04T18"))
    data = bytearray(older.path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = bytes(range(256)) * 16
    newer.write_bytes(bytes(data))
    assert window.backups.list(damaged)[0].path == newer
    seen = []
    when_modal(QMessageBox, click("Restore latest backup…"), seen)
    when_modal(RestoreDialog, lambda d: d.reject(), seen)
    assert window.files.open_path(damaged) is False
    assert seen[1].chosen() == older


def test_salvage_a_damaged_file_into_a_new_one(window, damaged, tmp_path, monkeypatch):
    digest = file_digest(damaged)
    target = tmp_path / "rescued.gpkg"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (asked.append(args[2]) or str(target), "")))
    seen = []
    when_modal(QMessageBox, click("Salvage into a new file…"), seen)
    assert window.files.open_path(damaged)
    assert asked == [str(tmp_path / "full (salvaged).gpkg")]
    assert window.catalogue.path == target
    assert 0 < len(window.catalogue.organisations.all()) < 600
    assert problems(window.catalogue) == []
    assert "organisations:" in window.last_message.text()
    assert file_digest(damaged) == digest and not sidecars(damaged)


def test_startup_tells_of_a_damaged_last_catalogue(tmp_path, damaged):
    from PySide6.QtCore import QSettings
    settings = QSettings(str(tmp_path / "startup.ini"), QSettings.Format.IniFormat)
    settings.setValue("files/recent", [str(damaged)])
    with pytest.raises(DamagedCatalogue) as info:
        startup_catalogue(settings)
    assert info.value.path == damaged


def test_a_failed_backup_is_shown_in_the_status_bar(qtbot, tmp_path):
    path = tmp_path / "c.gpkg"
    Catalogue.create(path).close()
    data = tmp_path / "data"
    data.mkdir()
    (data / "Backups").write_text("a file where the folder should be")
    w = make_window(qtbot, Catalogue.create(tmp_path / "other.gpkg"), tmp_path / "s.ini", data)
    assert w.files.open_path(path)
    assert w.statusBar().currentMessage().startswith("Could not back up c.gpkg")
    w.close()
