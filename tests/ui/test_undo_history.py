"""The undo history keeps every step of a long session: no cap drops the first edits."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

EDITS = 1001   # one more than the cap there used to be


def test_undo_history_reaches_back_past_a_thousand_edits(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    kind = window.catalogue_view.editor.kind
    original = kind.currentText()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    kind.setFocus()
    qtbot.waitUntil(kind.hasFocus)
    for i in range(EDITS):   # the arrow keys on the kind box: each is a "Change kind" step
        qtbot.keyClick(kind, Qt.Key.Key_Down if i % 2 == 0 else Qt.Key.Key_Up)
    assert window.document.undo_stack.count() == EDITS
    assert cat.partnerships.get(wla.id).kind != original
    # Edit ▸ Undo History, then a click on its first row ("Opened") undoes every step.
    qtbot.keyClick(kind, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert window.undo_dock.isVisible()
    view = window.undo_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 0)).center())
    assert window.document.undo_stack.index() == 0
    assert cat.partnerships.get(wla.id).kind == original
    assert kind.currentText() == original
