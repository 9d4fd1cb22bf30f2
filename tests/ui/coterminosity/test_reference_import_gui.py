"""File ▸ Import ▸ Reference Geography… and London Starter Pack, driven from the keyboard: a broken
file is one message and leaves the catalogue as it was; a good one is one undo step (Ctrl+Z)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.helpers.catalogues import snapshot
from tests.helpers.gui import make_window


@pytest.fixture
def window(qtbot, grid, tmp_path):
    cat, _, _ = grid
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    yield w
    w._map_slot.shutdown()


def _menu_keys(qtbot, window, *keys):
    """Alt+F, then each mnemonic in the menu that opens: what a user types."""
    window.activateWindow()   # back from a dialog: the keys go to the window again
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    for key in keys:
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
        popup = QApplication.activePopupWidget()
        qtbot.keyClick(popup, key)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)


def _undo_text(window) -> str:
    return window.undo_action.text().replace("&", "")


def test_a_broken_csv_is_one_message_and_changes_nothing(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "fire.csv"
    bad.write_text("area,code,authorities\nWest,,B1\nWest,,B2\nNowhere,,E09000099\nEmpty,,\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    before, undo_before = snapshot(window.catalogue), _undo_text(window)
    _menu_keys(qtbot, window, Qt.Key.Key_I, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.last_message is not None)
    text = window.last_message.text()
    assert "appears more than once" in text and "E09000099" in text and "'Empty' has no authorities" in text
    assert snapshot(window.catalogue) == before and _undo_text(window) == undo_before


def test_a_good_csv_is_one_undo_step(qtbot, window, tmp_path, monkeypatch):
    good = tmp_path / "halves.csv"
    good.write_text("area,code,authorities\nWest,,B1\nEast,,B2\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    before = snapshot(window.catalogue)
    _menu_keys(qtbot, window, Qt.Key.Key_I, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(window.catalogue.references.list()) == 1)
    g = window.catalogue.references.list()[0]
    assert (g.name, g.area_count) == ("halves", 2)
    assert _undo_text(window) == "Undo Import reference geography from halves.csv"
    assert "Imported 1 reference geography: halves" in window.statusBar().currentMessage()
    tab = window.show_coterminosity()
    qtbot.waitUntil(lambda: tab.pages.currentWidget() is tab.result_page)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tab.matrix_view.setFocus()
    qtbot.waitUntil(tab.matrix_view.hasFocus)
    qtbot.keyClick(tab.matrix_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(window.catalogue) == before
    qtbot.waitUntil(lambda: tab.pages.currentWidget() is tab.empty_page)


def test_the_london_pack_off_london_wards_is_refused_whole(qtbot, window):
    before = snapshot(window.catalogue)
    tab = window.show_coterminosity()
    qtbot.mouseClick(tab.pack_button, Qt.MouseButton.LeftButton)   # the empty state's button
    qtbot.waitUntil(lambda: window.last_message is not None)
    assert "unknown authority code" in window.last_message.text()
    assert snapshot(window.catalogue) == before


def _answer_question(qtbot, button):
    """Click `button` of the question box the import will block on (once reading the file is done)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):   # the reading's progress dialog, or nothing yet
            QTimer.singleShot(100, click)
            return
        assert "overlap each other" in box.text()
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(100, click)


def test_overlapping_zones_are_let_in_only_as_overlapping(qtbot, window, tmp_path, monkeypatch):
    import json

    from PySide6.QtWidgets import QMessageBox

    from tests.helpers.grid import CELL, GRID_ORIGIN
    x, y = GRID_ORIGIN
    features = [{"type": "Feature", "properties": {"ZN21CD": f"Z{k}", "ZN21NM": f"Zone {k}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[x0, y], [x0 + 2 * CELL, y],
                                                                  [x0 + 2 * CELL, y + 3 * CELL], [x0, y + 3 * CELL],
                                                                  [x0, y]]]}}
                for k, x0 in enumerate((x, x + CELL))]
    zones = tmp_path / "zones.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}}))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(zones), ""))
    before = snapshot(window.catalogue)
    _answer_question(qtbot, QMessageBox.StandardButton.No)
    _menu_keys(qtbot, window, Qt.Key.Key_I, Qt.Key.Key_R)
    assert snapshot(window.catalogue) == before
    _answer_question(qtbot, QMessageBox.StandardButton.Yes)
    _menu_keys(qtbot, window, Qt.Key.Key_I, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(window.catalogue.references.list()) == 1)
    g = window.catalogue.references.list()[0]
    assert (g.name, g.area_count, g.partitions) == ("zones", 2, False)
    window.undo_action.trigger()
    assert snapshot(window.catalogue) == before
