"""Keyboard shortcuts as a person presses them: Undo and Redo answer their keys once, and no
two actions of the window compete for one key sequence (Qt then runs neither).

Redo's keys differ between the offscreen platform and X11; `make test` runs these again
under Xvfb (QT_QPA_PLATFORM=xcb), where a duplicated Ctrl+Shift+Z shows.
"""
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from tests.helpers.gui import list_names


def _key_bindings(window):
    """(key sequence, owner, context, widgets it is attached to) for every action and shortcut."""
    bindings = []
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            if not seq.isEmpty():
                widgets = tuple(action.associatedObjects())
                bindings.append((seq.toString(), action, action.shortcutContext(), widgets))
    for shortcut in window.findChildren(QShortcut):
        for seq in shortcut.keys():
            if not seq.isEmpty():
                bindings.append((seq.toString(), shortcut, shortcut.context(), (shortcut.parent(),)))
    return bindings


def shortcut_conflicts(window) -> list[str]:
    """Key sequences bound twice where both could answer: the same key in window context, or
    a widget-context binding on a widget that also has the window-wide one."""
    by_key = defaultdict(list)
    for seq, owner, context, widgets in _key_bindings(window):
        by_key[seq].append((owner, context, widgets))
    conflicts = []
    for seq, owners in by_key.items():
        for i, (a, ctx_a, wa) in enumerate(owners):
            for b, ctx_b, wb in owners[i + 1:]:
                local = Qt.ShortcutContext.WidgetShortcut
                if ctx_a == local and ctx_b == local and not set(wa) & set(wb):
                    continue   # each only while its own widget has focus
                name_a = getattr(a, "text", lambda: a.objectName())() or a.objectName()
                name_b = getattr(b, "text", lambda: b.objectName())() or b.objectName()
                conflicts.append(f"{seq}: {name_a!r} and {name_b!r}")
    return conflicts


def test_no_two_actions_share_a_key_sequence(window):
    assert shortcut_conflicts(window) == []


def test_the_conflict_check_sees_a_duplicate(window):
    # The check itself can fail: a second action on Ctrl+Z (and Redo bound to one key twice).
    extra = QAction("Something else", window)
    extra.setShortcut(QKeySequence("Ctrl+Z"))
    window.addAction(extra)
    twice = QAction("Twice", window)
    twice.setShortcuts([QKeySequence("Ctrl+Alt+T"), QKeySequence("Ctrl+Alt+T")])
    window.addAction(twice)
    found = shortcut_conflicts(window)
    assert any(c.startswith("Ctrl+Z:") and "Something else" in c for c in found)
    assert any(c.startswith("Ctrl+Alt+T:") for c in found)


def test_undo_and_redo_keys(window, qtbot):
    assert [s.toString() for s in window.undo_action.shortcuts()] == ["Ctrl+Z"]
    assert sorted(s.toString() for s in window.redo_action.shortcuts()) == ["Ctrl+Shift+Z", "Ctrl+Y"]


def _press(qtbot, window, key, modifiers):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.catalogue_view.list.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, key, modifiers)


def test_redo_answers_ctrl_shift_z_and_ctrl_y(window, qtbot):
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    window.new_action.trigger()
    assert "New partnership" in list_names(window)
    _press(qtbot, window, Qt.Key.Key_Z, ctrl)
    assert "New partnership" not in list_names(window)
    _press(qtbot, window, Qt.Key.Key_Z, ctrl | shift)
    assert "New partnership" in list_names(window), "Ctrl+Shift+Z did not redo"
    _press(qtbot, window, Qt.Key.Key_Z, ctrl)
    assert "New partnership" not in list_names(window)
    _press(qtbot, window, Qt.Key.Key_Y, ctrl)
    assert "New partnership" in list_names(window), "Ctrl+Y did not redo"


def test_delete_key_on_the_list_deletes_and_on_members_removes(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    _press(qtbot, window, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    assert list_names(window) == ["North Waste Board"], "Delete on the list did nothing"
    window.undo_action.trigger()
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    members = window.catalogue_view.editor.members.table
    qtbot.mouseClick(members.viewport(), Qt.MouseButton.LeftButton,
                     pos=members.visualRect(members.model().index(0, 0)).center())
    qtbot.waitUntil(members.hasFocus)
    qtbot.keyClick(members, Qt.Key.Key_Delete)
    assert members.model().rowCount() == 1
    assert list_names(window) == ["North Waste Board", "West London Alliance"]
