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
