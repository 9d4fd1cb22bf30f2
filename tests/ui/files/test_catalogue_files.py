"""Files from the window: imports with errors shown and nothing written, opening what is not a
catalogue, the welcome view and the example, settings kept between runs, drag and drop."""
import os
import sqlite3
import time

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from models.catalogue import Catalogue
from models.errors import Cancelled
from tests.helpers.catalogues import snapshot
from tests.helpers.grid import write_grid_geojson
from tests.helpers.gui import list_names, make_window, members_shown

GOOD = ("Name,Kind,Start,Members,Source,Page\n"
        "Harrow Skills Board,thematic board,2011,Barnet; Hounslow (lead),Council minutes,3\n"
        "South Waste Group,shared service,2009,E09000009,,\n")
BAD = ("Name,Kind,Start,Members\n"
       "Fine,other,2008,Barnet\n"
       "Broken,x,2008,\n")


def shown(action):
    return action.text().replace("&", "")


def test_import_csv_with_a_bad_row_shows_it_and_writes_nothing(window, tmp_path, qtbot):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    before = snapshot(window.catalogue)
    dialog = window.files.import_partnerships(path)
    qtbot.waitExposed(dialog)
    assert [dialog.errors.item(i).text() for i in range(dialog.errors.count())] == ["row 3: unknown kind 'x'"]
    assert not dialog.import_button.isEnabled()
    assert dialog.summary.text().startswith("✗ 1 row has errors")
    assert dialog.preview.item(1, 5).text() == "unknown kind 'x'"   # the row's problem, in the preview
    dialog.import_button.click()
    dialog.reject()
    assert snapshot(window.catalogue) == before
    assert not window.undo_action.isEnabled()


def test_import_good_csv_is_one_undo_step(window, tmp_path, qtbot):
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    dialog = window.files.import_partnerships(path)
    assert dialog.summary.text().startswith("2 partnerships will be imported; 1 new organisation created (Hounslow)")
    assert dialog.boxes["members"].currentText() == "Members"
    with qtbot.waitSignal(dialog.accepted):
        dialog.import_button.click()
    assert list_names(window) == ["Harrow Skills Board", "North Waste Board", "South Waste Group",
                                  "West London Alliance"]
    assert shown(window.undo_action) == "Undo Import 2 partnerships"
    assert "Imported 2 partnerships" in window.statusBar().currentMessage()
    window.undo_action.trigger()
    assert list_names(window) == ["North Waste Board", "West London Alliance"]
    assert window.catalogue.organisations.find("Hounslow") is None


def test_import_mapping_changed_in_the_dialog(window, tmp_path, qtbot):
    path = tmp_path / "odd.csv"
    path.write_text("Body,What\nOdd partnership,joint venture\n")
    dialog = window.files.import_partnerships(path)
    assert dialog.message.text() == "✗ choose the column that holds the partnerships' names"
    assert not dialog.import_button.isEnabled()
    dialog.boxes["name"].setCurrentText("Body")
    dialog.boxes["kind"].setCurrentText("What")
    dialog.replan()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        dialog.import_button.click()
    assert window.catalogue.partnerships.find("Odd partnership").kind == "joint venture"


@pytest.mark.parametrize("content", [b"hello, not a database", None])
def test_opening_a_file_that_is_not_a_catalogue(window, tmp_path, content):
    path = tmp_path / "other.gpkg"
    if content is None:   # an SQLite file from another program
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    original = path.read_bytes()
    assert not window.files.open_path(path)
    assert "is not a" in window.last_message.text() and "catalogue" in window.last_message.text()
    assert path.read_bytes() == original
    assert window.windowTitle() == "small.gpkg — Partnership Atlas"
    assert len(list_names(window)) == 2        # still running on the catalogue it had


def test_opening_a_newer_catalogue(window, tmp_path):
    path = tmp_path / "newer.gpkg"
    Catalogue.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE atlas_meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    original = path.read_bytes()
    assert not window.files.open_path(path)
    assert "newer Partnership Atlas" in window.last_message.text()
    assert path.read_bytes() == original


def test_read_only_file_opens_for_reading(window, tmp_path):
    path = tmp_path / "ro.gpkg"
    Catalogue.create(path).close()
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):
        pytest.skip("running with rights that ignore file permissions")
    assert window.files.open_path(path)
    assert window.windowTitle() == "ro.gpkg [read-only] — Partnership Atlas"
    assert not window.new_action.isEnabled()


def test_new_open_recent_and_save_copy(window, tmp_path):
    first = window.catalogue.path
    assert window.files.new_catalogue(tmp_path / "fresh")
    assert window.windowTitle() == "fresh.gpkg — Partnership Atlas"
    assert window.catalogue_view.showing_welcome
    assert window.files.recent()[:2] == [(tmp_path / "fresh.gpkg").resolve(), first.resolve()]
    assert window.files.open_path(first)
    assert window.files.save_copy(tmp_path / "copy.gpkg")
    with Catalogue.open(tmp_path / "copy.gpkg") as copy:
        assert len(copy.partnerships.all()) == 2
    assert window.files.export("csv", False, tmp_path / "all.csv")
    assert (tmp_path / "all.csv").read_text(encoding="utf-8").count("\n") == 3
    assert not window.files.export("gpkg", True, tmp_path / "some.gpkg")     # nothing selected
    assert window.last_message.text() == "select partnerships in the list first"
    window.catalogue_view.list.select(window.catalogue.partnerships.find("North Waste Board").id)
    assert window.files.export("gpkg", True, tmp_path / "some.gpkg")
    with Catalogue.open(tmp_path / "some.gpkg") as some:
        assert [p.name for p in some.partnerships.all()] == ["North Waste Board"]


def test_welcome_view_and_the_example_done_as_a_new_user(qtbot, tmp_path, monkeypatch):
    """Open the example, find the West London Alliance, add a seventh member, undo, reopen."""
    path = tmp_path / "mine.gpkg"
    Catalogue.create(path).close()
    settings = tmp_path / "settings.ini"
    w = make_window(qtbot, path, settings, tmp_path / "data")
    view = w.catalogue_view
    assert view.showing_welcome
    assert [b.text() for b in view.welcome.buttons.values()] == [
        "Import ward boundaries…", "Open the example catalogue", "Import partnerships from a spreadsheet…",
        "Add a partnership by hand"]
    qtbot.mouseClick(view.welcome.buttons["example"], Qt.MouseButton.LeftButton)
    view = w.catalogue_view
    assert w.windowTitle() == "Example catalogue.gpkg — Partnership Atlas"
    assert not view.showing_welcome
    qtbot.keyClicks(view.list.search_box, "west")
    assert "West London Alliance" in list_names(w)
    row = list_names(w).index("West London Alliance")
    view.list.table.selectRow(row)
    assert len(members_shown(w)) == 6
    assert view.editor.citations.model.index(0, 0).data().startswith("A collaborative city?")
    panel = view.editor.members
    qtbot.keyClicks(panel.organisation, "Barnet")
    qtbot.keyClicks(panel.joined, "2011")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert len(members_shown(w)) == 7 and members_shown(w)[-1] == ("Barnet", "member", "2011")
    w.undo_action.trigger()
    assert len(members_shown(w)) == 6
    w.redo_action.trigger()
    w.close()
    # the app reopens what was used last
    from PySide6.QtCore import QSettings

    from ui.files.opening import startup_catalogue
    reopened = startup_catalogue(QSettings(str(settings), QSettings.Format.IniFormat)).catalogue
    again = make_window(qtbot, reopened, settings, tmp_path / "data")
    assert again.windowTitle() == "Example catalogue.gpkg — Partnership Atlas"
    wla = again.catalogue.partnerships.find("West London Alliance")
    assert len(again.catalogue.partnerships.memberships(wla.id)) == 7
    again.close()


def test_window_and_splitter_sizes_are_remembered(qtbot, tmp_path, window):
    window.catalogue_view.splitter.setSizes([300, 900])
    sizes = window.catalogue_view.splitter.sizes()
    settings = window.settings.fileName()
    path = window.catalogue.path
    window.close()
    again = make_window(qtbot, path, settings, tmp_path / "data")
    assert again.catalogue_view.splitter.sizes() == sizes
    again.close()


def test_dropping_files(window, tmp_path, qtbot, monkeypatch):
    from ui.files.actions import FileActions
    monkeypatch.setattr(FileActions, "ask_boundary_options", lambda self, path: {})  # Import as guessed
    grid = write_grid_geojson(tmp_path / "grid.geojson")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(grid))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert [layer.name for layer in window.catalogue.layers.all()] == ["Wards 2020"]
    assert window.catalogue.layers.unit_count(window.catalogue.layers.all()[0].id) == 12
    assert shown(window.undo_action) == "Undo Import boundaries from grid.geojson"
    csv_path = tmp_path / "drop.csv"
    csv_path.write_text(GOOD)
    window.open_dropped(csv_path)
    assert window.files.import_dialog.isVisible()
    window.files.import_dialog.reject()


def test_long_work_runs_off_the_gui_thread_and_cancels(window, qtbot):
    from ui.progress import run_with_progress
    before = snapshot(window.catalogue)
    threads = []

    def work(progress):
        import threading
        threads.append(threading.current_thread())
        with window.catalogue.store.edit():
            window.catalogue.store.conn.execute("DELETE FROM memberships")
            for i in range(500):
                progress(i / 500, f"step {i}")
                time.sleep(0.01)

    def cancel():
        dialog = next(d for d in window.findChildren(QProgressDialog))
        assert dialog.isVisible() and dialog.labelText().startswith("step")
        dialog.findChild(QPushButton).click()

    QTimer.singleShot(400, cancel)
    with pytest.raises(Cancelled):
        run_with_progress(window, "Working…", work)
    assert threads and threads[0] is not QApplication.instance().thread()
    assert snapshot(window.catalogue) == before
