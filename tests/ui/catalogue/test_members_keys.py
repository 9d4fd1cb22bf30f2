"""Adding members from the keyboard: choosing a suggestion, then Add; Ctrl+Z after an add."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.gui import members_shown


def _panel(window, name="North Waste Board"):
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find(name).id)
    return window.catalogue_view.editor.members


def _focus(qtbot, window, widget):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(widget.hasFocus)


def test_enter_on_a_suggestion_fills_the_box_and_enter_again_adds_once(window, qtbot):
    panel = _panel(window)
    box = panel.organisation
    _focus(qtbot, window, box)
    qtbot.keyClicks(box, "eal")
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert box.text() == "Ealing"
    assert members_shown(window) == [("Barnet", "member", "")], "choosing a suggestion added the member"
    assert not window.undo_action.isEnabled()
    # the role and dates can still be set before adding
    panel.role.setCurrentText("lead")
    qtbot.keyClicks(panel.joined, "2003")
    _focus(qtbot, window, box)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert members_shown(window) == [("Barnet", "member", ""), ("Ealing", "lead", "2003")]
    assert box.text() == "" and panel.joined.text() == ""
    qtbot.keyClick(box, Qt.Key.Key_Return)          # an empty box adds nothing
    assert len(members_shown(window)) == 2
    assert panel.message.text() == "✗ type the organisation to add"


def test_a_typed_name_with_suggestions_open_adds_on_enter(window, qtbot):
    # Nothing highlighted in the suggestions: Enter is Add, as without them.
    panel = _panel(window)
    box = panel.organisation
    _focus(qtbot, window, box)
    qtbot.keyClicks(box, "Ealing")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert members_shown(window) == [("Barnet", "member", ""), ("Ealing", "member", "")]
    assert box.text() == ""


def test_a_suggestion_chosen_then_the_button_adds_once(window, qtbot):
    panel = _panel(window)
    box = panel.organisation
    _focus(qtbot, window, box)
    qtbot.keyClicks(box, "bre")
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Enter)
    assert box.text() == "Brent" and len(members_shown(window)) == 1
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert members_shown(window) == [("Barnet", "member", ""), ("Brent", "member", "")]
    assert box.text() == ""


def test_ctrl_z_after_add_member_undoes_the_add(window, qtbot):
    panel = _panel(window)
    box = panel.organisation
    _focus(qtbot, window, box)
    qtbot.keyClicks(box, "Ealing")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert len(members_shown(window)) == 2
    assert box.hasFocus() and box.text() == ""
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert members_shown(window) == [("Barnet", "member", "")], "Ctrl+Z did not undo the add"
    assert box.text() == ""
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(members_shown(window)) == 2


def test_ctrl_z_while_typing_undoes_the_typing_only(window, qtbot):
    panel = _panel(window)
    box = panel.organisation
    _focus(qtbot, window, box)
    qtbot.keyClicks(box, "Ealing")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClicks(box, "Bre")
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert box.text() != "Bre"                       # the box's own undo took the key
    assert len(members_shown(window)) == 2           # the add stands


def test_ctrl_z_in_a_field_already_saved_undoes_the_catalogue_edit(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    name = window.catalogue_view.editor.name
    _focus(qtbot, window, name)
    name.selectAll()
    qtbot.keyClicks(name, "WLA")
    qtbot.keyClick(name, Qt.Key.Key_Return)          # saved: one "Rename partnership" step
    assert cat.partnerships.get(wla.id).name == "WLA"
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cat.partnerships.get(wla.id).name == "West London Alliance"
    assert name.text() == "West London Alliance"
