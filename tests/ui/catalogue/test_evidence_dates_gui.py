"""Dates from evidence in the catalogue window: the list's year filter tells active, attested
and unknown apart and leaves the unknown out unless "include undated" is ticked; first and
last seen are typed in the editor and the members table, one undo step each."""
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from models.catalogue.records import Citation, Partnership
from tests.helpers.gui import list_names


def _years_column(window) -> dict[str, str]:
    model = window.catalogue_view.list.model
    return {model.index(r, 0).data(): model.index(r, 3).data() for r in range(model.rowCount())}


def _add_undated(window):
    cat, doc = window.catalogue, window.document
    report = cat.sources.all()[0].id    # "A collaborative city?", 2008
    cited = doc.edit("Add", lambda: cat.partnerships.add(Partnership("Cited Forum"))).id
    doc.edit("Cite", lambda: cat.sources.cite(Citation(report, partnership_id=cited)))
    doc.edit("Add", lambda: cat.partnerships.add(Partnership("Silent Forum")))


def _type(qtbot, widget, text):
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_the_year_filter_shows_states_apart_and_unknown_on_request(window, qtbot):
    _add_undated(window)
    lst = window.catalogue_view.list
    _type(qtbot, lst.year, "2008")
    assert lst.year.value() == 2008
    # West London Alliance runs since 2005; Cited Forum has no dates but a report of 2008 cites it;
    # Silent Forum has no evidence and North Waste Board ended in 2004.
    assert list_names(window) == ["Cited Forum", "West London Alliance"]
    assert _years_column(window) == {"Cited Forum": "attested", "West London Alliance": "2005–"}
    model = lst.model
    tip = model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Attested in 2008")
    box = lst.include_unknown
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    assert list_names(window) == ["Cited Forum", "Silent Forum", "West London Alliance"]
    assert _years_column(window)["Silent Forum"] == "unknown"
    assert model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is not None   # greyed
    qtbot.mouseClick(lst.clear_button, Qt.MouseButton.LeftButton)
    assert not box.isChecked() and len(list_names(window)) == 4
    assert _years_column(window)["Cited Forum"] == ""


def test_first_and_last_seen_typed_in_the_editor(window, qtbot):
    _add_undated(window)
    cat = window.catalogue
    silent = cat.partnerships.find("Silent Forum")
    lst = window.catalogue_view.list
    lst.select(silent.id)
    ed = window.catalogue_view.editor
    _type(qtbot, ed.first_seen, "2006")
    _type(qtbot, ed.last_seen, "2009-03")
    got = cat.partnerships.get(silent.id)
    assert (got.first_seen, got.last_seen) == ("2006", "2009-03")
    assert window.undo_action.text().replace("&", "") == "Undo Change last seen"
    window.undo_action.trigger()
    assert cat.partnerships.get(silent.id).last_seen is None and ed.last_seen.text() == ""
    window.redo_action.trigger()
    assert ed.last_seen.text() == "2009-03"
    # Bad input: a clear reason beside the fields, nothing stored.
    before = cat.partnerships.get(silent.id)
    _type(qtbot, ed.first_seen, "spring")
    assert ed.seen_message.is_error and "'spring' is not a date" in ed.seen_message.text()
    _type(qtbot, ed.first_seen, "2010")
    _type(qtbot, ed.last_seen, "2009")
    assert "last seen (2009) is before first seen (2010)" in ed.seen_message.text()
    assert cat.partnerships.get(silent.id) == before
    # As of 2008 it is now attested, by the researcher's own evidence.
    _type(qtbot, lst.year, "2008")
    assert _years_column(window)["Silent Forum"] == "attested"


def test_a_members_first_seen_typed_in_the_table(window, qtbot):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.catalogue_view.list.select(wla.id)
    panel = window.catalogue_view.editor.members
    table = panel.table
    assert [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)][4:] == ["First seen",
                                                                                           "Last seen"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    rect = table.visualRect(panel.model.index(0, 4))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_F2)          # edit the current cell
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not table)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "2007")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on Return from a queued call: wait for it as the event loop would.
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    first = cat.partnerships.memberships(wla.id)[0]
    assert first.first_seen == "2007"
    assert window.undo_action.text().replace("&", "") == "Undo Change member first seen"
    assert panel.model.index(0, 4).data() == "2007"
