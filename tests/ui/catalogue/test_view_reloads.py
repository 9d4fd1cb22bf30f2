"""Views reload only after edits that concern what they show (Document.changed carries the tables).

A brush stroke on the map (units added to an area) must not reload the Organisations view or
the partnership list; renaming a partnership must reload both the list and the editor; an undo
or a redo is treated like the edit itself. The Overlaps tab redraws only the plots an edit concerns.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from models.analysis import overlaps
from tests.helpers.gui import list_names, make_window, members_shown
from ui.document import Document


def spy(monkeypatch, obj, name: str) -> list:
    """Count the calls of obj.name (still calling it); the returned list grows by one per call."""
    calls, original = [], getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


@pytest.fixture
def grid_window(qtbot, grid, tmp_path):  # noqa: F811
    """The main window on the grid catalogue: wards in two boroughs, P1 and P2, areas A, B, C."""
    cat, w, ids = grid
    path = cat.path
    cat.close()
    window = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    yield window, w, ids
    if window.document is not None:
        window.close()


def stroke(document: Document, area_id: int, unit_id: int):
    """What a brush stroke on the map does: one edit adding units to an area."""
    cat = document.catalogue
    return document.edit("Paint wards", lambda: cat.areas.change_units(area_id, add=[unit_id]))


def linked_areas(window) -> list[str]:
    areas = window.catalogue_view.editor.areas
    return [areas.item(k).text() for k in range(areas.count())]


def test_a_brush_stroke_reloads_neither_the_organisations_nor_the_list(grid_window, monkeypatch):
    window, w, ids = grid_window
    window.catalogue_view.list.select(ids["P1"])
    assert linked_areas(window) == ["A — 4 wards"]
    organisations = spy(monkeypatch, window.organisations_view, "reload")
    listed = spy(monkeypatch, window.catalogue_view.list, "reload")
    refreshed = spy(monkeypatch, window.catalogue_view.list, "refresh")
    revert = stroke(window.document, ids["A"], w["W03"])
    assert revert.tables == {"areas", "area_units"}
    assert linked_areas(window) == ["A — 5 wards"]   # the editor shows the count: it does reload
    window.undo_action.trigger()
    assert linked_areas(window) == ["A — 4 wards"]
    window.redo_action.trigger()
    assert linked_areas(window) == ["A — 5 wards"]
    assert (organisations, listed, refreshed) == ([], [], [])


def test_renaming_a_partnership_reloads_the_list_and_the_editor(grid_window, monkeypatch):
    window, _, ids = grid_window
    cat, view = window.catalogue, window.catalogue_view
    view.list.select(ids["P1"])
    listed = spy(monkeypatch, view.list, "reload")
    edited = spy(monkeypatch, view.editor, "reload")
    organisations = spy(monkeypatch, window.organisations_view, "reload")   # it names the partnerships
    p = cat.partnerships.get(ids["P1"])
    window.document.edit("Rename partnership", lambda: cat.partnerships.update(replace(p, name="P1 renamed")))
    assert (len(listed), len(edited), len(organisations)) == (1, 1, 1)
    assert list_names(window) == ["P1 renamed", "P2"] and view.editor.name.text() == "P1 renamed"
    window.undo_action.trigger()
    assert (len(listed), len(edited), len(organisations)) == (2, 2, 2)
    assert list_names(window) == ["P1", "P2"] and view.editor.name.text() == "P1"
    window.redo_action.trigger()
    assert (len(listed), len(edited), len(organisations)) == (3, 3, 3)
    assert list_names(window) == ["P1 renamed", "P2"]


def test_a_brush_stroke_reloads_the_list_while_it_filters_by_that_borough(grid_window, monkeypatch):
    window, w, ids = grid_window
    partnerships = window.catalogue_view.list
    partnerships.member.setText("B2")   # the grid's right-hand borough: only P2's area B reaches it
    assert list_names(window) == ["P2"]
    listed = spy(monkeypatch, partnerships, "reload")
    stroke(window.document, ids["A"], w["W03"])
    assert list_names(window) == ["P1", "P2"] and len(listed) == 1
    window.undo_action.trigger()
    assert list_names(window) == ["P2"] and len(listed) == 2


def test_renaming_an_organisation_reaches_its_views(grid_window, monkeypatch):
    window, _, ids = grid_window
    cat, view = window.catalogue, window.catalogue_view
    view.list.select(ids["P1"])
    window.organisations_view.select(ids["O1"])
    organisations = spy(monkeypatch, window.organisations_view, "reload")
    listed = spy(monkeypatch, view.list, "reload")   # its member box completes and matches names
    edited = spy(monkeypatch, view.editor, "reload")   # the members panel names them
    o = cat.organisations.get(ids["O1"])
    window.document.edit("Rename organisation", lambda: cat.organisations.update(replace(o, name="Org one")))
    assert (len(organisations), len(listed), len(edited)) == (1, 1, 1)
    assert window.organisations_view.name.text() == "Org one"
    assert "Org one" in [name for name, _, _ in members_shown(window)]
    window.undo_action.trigger()
    assert (len(organisations), len(listed), len(edited)) == (2, 2, 2)
    assert "O1" in [name for name, _, _ in members_shown(window)]


def test_renaming_an_area_reaches_the_editor_only(grid_window, monkeypatch):
    window, _, ids = grid_window
    cat, view = window.catalogue, window.catalogue_view
    view.list.select(ids["P1"])
    organisations = spy(monkeypatch, window.organisations_view, "reload")
    listed = spy(monkeypatch, view.list, "reload")
    a = cat.areas.get(ids["A"])
    revert = window.document.edit("Rename area", lambda: cat.areas.update(replace(a, name="Area A")))
    assert revert.tables == {"areas"}
    assert linked_areas(window) == ["Area A — 4 wards"]
    window.undo_action.trigger()
    assert linked_areas(window) == ["A — 4 wards"]
    assert (organisations, listed) == ([], [])


@pytest.fixture
def tab(qtbot, grid):  # noqa: F811
    from ui.overlaps.tab import OverlapsTab

    cat, w, ids = grid
    widget = OverlapsTab(Document(cat))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, cat, w, ids


def show_plot(widget, name: str) -> None:
    from ui.overlaps.tab import PLOTS
    widget.tabs.setCurrentIndex(PLOTS.index(name))


def test_overlaps_skip_plots_a_brush_stroke_does_not_concern(tab, monkeypatch):
    widget, cat, w, ids = tab
    show_plot(widget, "Timeline")
    timeline = spy(monkeypatch, widget, "_draw_timeline")
    matrix = spy(monkeypatch, widget, "_draw_matrix")
    universe = spy(monkeypatch, overlaps, "load_universe")
    stroke(widget.document, ids["A"], w["W03"])
    widget.document.undo_stack.undo()
    widget.document.undo_stack.redo()
    assert (timeline, matrix, universe) == ([], [], [])   # the wards themselves did not change
    show_plot(widget, "Matrix")                            # but the matrix must show the stroke
    assert len(matrix) == 1 and universe == []
    a = list(widget.heatmap.matrix.names).index("A")
    assert widget.heatmap.matrix.sizes[a] == 5


def test_overlaps_skip_plots_an_organisation_edit_does_not_concern(tab, monkeypatch):
    widget, cat, w, ids = tab
    show_plot(widget, "Matrix")   # by wards: organisations play no part
    matrix = spy(monkeypatch, widget, "_draw_matrix")
    members = spy(monkeypatch, widget, "_draw_members")
    o = cat.organisations.get(ids["O1"])
    widget.document.edit("Rename organisation", lambda: cat.organisations.update(replace(o, name="Org one")))
    widget.document.undo_stack.undo()
    assert (matrix, members) == ([], [])
    widget.document.undo_stack.redo()
    show_plot(widget, "Members")   # it names the organisations: drawn again on showing
    assert len(members) == 1 and "Org one" in [x.name for x in widget.members.grid.organisations]


def test_overlaps_redraw_the_members_matrix_after_a_membership_edit(tab, monkeypatch):
    widget, cat, w, ids = tab
    widget.measure.setCurrentIndex(widget.measure.findData("members"))
    show_plot(widget, "Matrix")
    matrix = spy(monkeypatch, widget, "_draw_matrix")
    stroke(widget.document, ids["A"], w["W03"])
    assert matrix == []       # partnerships by members: wards play no part
    m = cat.partnerships.memberships(ids["P1"])[0]
    widget.document.edit("Remove member", lambda: cat.partnerships.remove_member(m.id))
    assert len(matrix) == 1
    widget.document.undo_stack.undo()
    assert len(matrix) == 2
