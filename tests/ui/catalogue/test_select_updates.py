"""Selecting a partnership, or editing one of its fields, redoes only what changed: the
members and sources tables are not reset when their rows are the same, the lead box and the
areas list are not rebuilt, and the name is checked against the others once."""
from collections import Counter

from PySide6.QtCore import Qt

from models.catalogue.search import Search


def _click_row(qtbot, window, name):
    table = window.catalogue_view.list.table
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(model.index(row, 0)).center())
    assert window.catalogue_view.editor.partnership.name == name


def _watch(editor) -> Counter:
    seen = Counter()
    editor.members.model.modelReset.connect(lambda: seen.update(["members reset"]))
    editor.citations.model.modelReset.connect(lambda: seen.update(["sources reset"]))
    editor.lead.model().rowsRemoved.connect(lambda *_: seen.update(["lead rebuilt"]))
    editor.areas.model().rowsRemoved.connect(lambda *_: seen.update(["areas cleared"]))
    return seen


def test_an_edit_to_a_field_resets_nothing_else(window, qtbot):
    _click_row(qtbot, window, "West London Alliance")
    editor = window.catalogue_view.editor
    seen = _watch(editor)
    editor.funding.setFocus()
    qtbot.keyClicks(editor.funding, "Home Office grant")
    qtbot.keyClick(editor.funding, Qt.Key.Key_Tab)   # saved: the editor reloads the partnership
    assert window.catalogue.partnerships.find("West London Alliance").funding == "Home Office grant"
    assert seen == Counter()


def test_selecting_checks_the_name_once(window, qtbot, monkeypatch):
    calls = []
    original = Search.duplicate_names
    monkeypatch.setattr(Search, "duplicate_names", lambda self, *a: calls.append(a) or original(self, *a))
    _click_row(qtbot, window, "North Waste Board")
    assert len(calls) == 1
    calls.clear()
    _click_row(qtbot, window, "West London Alliance")
    assert len(calls) == 1
