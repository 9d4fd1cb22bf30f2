"""File ▸ Merge Another Catalogue…: the review, conflicts chosen with keys and the mouse, Apply
as one undo step (Ctrl+Z)."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from models.catalogue import Catalogue
from tests.catalogue.test_merge import content, copies, edit_a, edit_b
from tests.helpers.gui import make_window


def _window(qtbot, tmp_path):
    a, b = copies(tmp_path)
    with Catalogue.open(a) as cat:
        edit_a(cat)
    with Catalogue.open(b) as cat:
        edit_b(cat)
    return make_window(qtbot, a, tmp_path / "settings.ini", tmp_path / "data"), b


def _conflict_rows(dialog):
    group = dialog.tree.topLevelItem(0)
    return [group.child(i) for i in range(group.childCount())]


def test_review_choose_with_keys_and_mouse_apply_and_undo(qtbot, tmp_path):
    window, other = _window(qtbot, tmp_path)
    cat = window.document.catalogue
    before = content(cat)
    dialog = window.files.merge_catalogue(other)
    qtbot.waitExposed(dialog)
    rows = _conflict_rows(dialog)
    assert {r.text(1) for r in rows} == {"governance", "(record)"}
    assert not dialog.apply_button.isEnabled()          # two conflicts to choose first
    governance = next(r for r in rows if r.text(1) == "governance")
    assert "Joint committee (A)" in governance.text(3) and "Joint waste committee (B)" in governance.text(4)
    # Keyboard: select the governance conflict, T takes theirs.
    dialog.tree.setFocus()
    dialog.tree.setCurrentItem(governance)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_T)
    assert governance.text(5) == "Joint waste committee (B)"
    assert not dialog.apply_button.isEnabled()
    # Mouse: the deleted partnership's choice combo, opened and set to Mine.
    record = next(r for r in rows if r.text(1) == "(record)")
    # Under the deleted partnership: what taking theirs would also remove (its members, citations).
    follows = [record.child(i).text(0) for i in range(record.childCount())]
    assert any(t.startswith("theirs also removes membership: London Connects") for t in follows)
    combo = dialog.tree.itemWidget(record, 2)
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    # A combo's popup ignores a release within a double-click interval of opening (as a user's would be).
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    mine = view.visualRect(combo.model().index(combo.findData("mine"), 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=mine)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert combo.currentData() == "mine" and record.text(5) == "edited"
    assert dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert cat.partnerships.find("B's new alliance") is not None
    assert cat.partnerships.find("London Connects") is not None          # mine kept it
    assert cat.partnerships.find("South London Waste Partnership").governance == "Joint waste committee (B)"
    # The History view (Ctrl+Shift+H) shows the merge, naming the other file, above the other
    # copy's own edits it brought in.
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.history_dock.isVisible()
    tree = window.history_view.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0 and tree.topLevelItem(0).text(2) == "merge")
    assert tree.topLevelItem(0).text(3) == f"Merge {other.name}"
    assert any("B's new alliance" in tree.topLevelItem(i).text(4) for i in range(tree.topLevelItemCount()))
    # One undo step puts the catalogue back.
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert content(cat) == before


def test_edit_a_conflict_by_typing(qtbot, tmp_path):
    window, other = _window(qtbot, tmp_path)
    dialog = window.files.merge_catalogue(other)
    qtbot.waitExposed(dialog)
    rows = _conflict_rows(dialog)
    governance = next(r for r in rows if r.text(1) == "governance")
    record = next(r for r in rows if r.text(1) == "(record)")
    dialog.tree.setFocus()
    dialog.tree.setCurrentItem(record)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_T)          # they deleted it: so do we
    dialog.tree.setCurrentItem(governance)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_E)          # edit: the Result cell opens for typing
    editor = dialog.tree.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Joint committee (agreed)")
    qtbot.keyClick(editor, Qt.Key.Key_Return)   # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: governance.text(5) == "Joint committee (agreed)")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    cat = window.document.catalogue
    assert cat.partnerships.find("South London Waste Partnership").governance == "Joint committee (agreed)"
    assert cat.partnerships.find("London Connects") is None


def test_nothing_to_merge_and_a_bad_file_leave_the_catalogue_alone(qtbot, tmp_path, monkeypatch):
    window, other = _window(qtbot, tmp_path)
    shown = []
    monkeypatch.setattr(window, "show_message", lambda title, text, *a: shown.append(text))
    assert window.files.merge_catalogue(window.document.catalogue.path) is None
    assert "itself" in shown[-1]
    bad = tmp_path / "notes.gpkg"
    bad.write_text("not a catalogue")
    assert window.files.merge_catalogue(bad) is None
    assert "not a catalogue" in shown[-1]
    assert window.document.undo_stack.count() == 0
