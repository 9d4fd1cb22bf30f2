"""The Catalogue History dock and Edit ▸ Preferences…, driven by keys and the mouse."""
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDialog, QMenu

from tests.helpers.gui import make_window

pytestmark = pytest.mark.gui


def _rows(window) -> list[tuple[str, str, str, str]]:
    tree = window.history_view.tree
    return [tuple(tree.topLevelItem(i).text(c) for c in (1, 2, 3, 4)) for i in range(tree.topLevelItemCount())]


def _rename_wla(window, qtbot, new_name: str) -> None:
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    name = window.catalogue_view.editor.name
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    name.selectAll()
    qtbot.keyClicks(name, new_name)
    qtbot.keyClick(name, Qt.Key.Key_Tab)


def _set_author_through_preferences(window, qtbot, author: str) -> None:
    def fill():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog) and dialog.objectName() == "preferences"
        field = dialog.author
        field.selectAll()
        qtbot.keyClicks(field, author)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    QTimer.singleShot(0, fill)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)   # Edit ▸ Preferences…


def test_edits_undo_and_redo_are_listed_with_their_author(window, qtbot):
    _set_author_through_preferences(window, qtbot, "Ada Researcher")
    assert window.settings.value("author") == "Ada Researcher"
    _rename_wla(window, qtbot, "WLA")
    undo_text = window.document.undo_stack.undoText()
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.history_dock.isVisible()
    author, kind, name, changed = _rows(window)[0]
    assert (author, kind, name) == ("Ada Researcher", "edit", undo_text)
    assert changed == "changed partnership 'WLA': name"
    window.catalogue_view.list.table.setFocus()
    qtbot.keyClick(window.catalogue_view.list.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.catalogue.partnerships.find("West London Alliance") is not None
    assert [r[1] for r in _rows(window)[:2]] == ["undo", "edit"]
    assert _rows(window)[0][3] == "changed partnership 'West London Alliance': name"
    # The rows under an entry say what changed, a row per record.
    top = window.history_view.tree.topLevelItem(1)
    tree = window.history_view.tree
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(top).center())
    assert tree.currentItem() is top
    qtbot.keyClick(tree, Qt.Key.Key_Right)   # unfolds it
    assert top.isExpanded()
    assert [top.child(i).text(4) for i in range(top.childCount())] == ["changed partnership 'WLA': name"]


def test_the_history_is_there_after_a_restart(window, qtbot, tmp_path):
    _rename_wla(window, qtbot, "WLA")
    undo_text = window.document.undo_stack.undoText()
    path = window.catalogue.path
    window.close()
    again = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    assert not again.undo_action.isEnabled()   # the undo stack starts afresh; the history does not
    again.history_dock.show()
    assert len(_rows(again)) == 8   # the small catalogue's seven edits, then the rename
    assert _rows(again)[0][2:] == (undo_text, "changed partnership 'WLA': name")
    assert _rows(again)[-1][3] == "added organisation 'Barnet'"   # the first edit ever
    again.close()


def test_a_partnerships_context_menu_shows_what_happened_to_it(window, qtbot):
    _rename_wla(window, qtbot, "WLA")
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find("North Waste Board").id)
    table = window.catalogue_view.list.table
    seen = {}

    def choose():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen["items"] = [a.text().replace("&", "") for a in menu.actions()]
        action = next(a for a in menu.actions() if a.text().replace("&", "") == "History of This Partnership")
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)
    QTimer.singleShot(0, choose)
    model = table.model()
    (row,) = [r for r in range(model.rowCount()) if model.index(r, 0).data() == "North Waste Board"]
    pos = table.visualRect(model.index(row, 0)).center()
    # The right-click's context menu event, as the window system sends it after the press.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.RightButton, pos=pos)
    QApplication.sendEvent(table.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                               table.viewport().mapToGlobal(pos)))
    qtbot.waitUntil(lambda: "items" in seen)
    assert window.history_dock.isVisible()
    view = window.history_view
    assert "North Waste Board" in view.record_label.text()
    # North was added with its member Barnet: one entry; the WLA's rename is not about it.
    assert [r[3] for r in _rows(window)] == ["added partnership 'North Waste Board'; added membership"]
    qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
    assert len(_rows(window)) == 8 and not view.record_label.isVisible()


def test_the_search_box_finds_entries_by_value(window, qtbot):
    window.history_dock.show()
    view = window.history_view
    view.search.setFocus()
    qtbot.keyClicks(view.search, "ealing")
    qtbot.waitUntil(lambda: len(_rows(window)) == 1)
    assert _rows(window)[0][3] == "added organisation 'Ealing'"


def test_preferences_keep_the_author_for_the_next_start(window, qtbot, tmp_path):
    _set_author_through_preferences(window, qtbot, "Grace")
    assert window.catalogue.store.author == "Grace"
    window.settings.sync()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value("author") == "Grace"
