"""Editing a drawn polygon's vertices on the map (pytest-qt, grid of exact 1 km² squares)."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from tests.helpers.grid import GRID_ORIGIN
from tests.helpers.map_gui import open_map_tab

X0, Y0 = GRID_ORIGIN
LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
# A 1.8 km x 0.8 km rectangle over the grid's bottom-left wards.
CORNERS = [(X0 + 100, Y0 + 100), (X0 + 1900, Y0 + 100), (X0 + 1900, Y0 + 900), (X0 + 100, Y0 + 900)]


@pytest.fixture
def tab(grid_cat, qtbot):
    t = open_map_tab(qtbot, grid_cat)
    t.area_list.new_area("Free")
    t.set_tool("polygon")
    vp = t.view.viewport()
    for x, y in CORNERS:
        qtbot.mouseClick(vp, LEFT, pos=at(t, x, y))
    qtbot.keyClick(vp, Qt.Key.Key_Return)
    assert np.allclose(vertices(t), CORNERS, atol=t.view.metres_per_pixel())
    return t


def at(tab, x, y):
    return tab.view.mapFromScene(QPointF(x, -y))


def vertices(tab) -> list[tuple[float, float]]:
    """The saved polygon's corners, in drawing order, without the closing repeat."""
    ring = np.asarray(tab.current_area().drawn.exterior.coords)[:-1]
    return [tuple(p) for p in ring]


def test_double_click_on_an_edge_inserts_a_vertex_as_one_undo_step(tab, qtbot):
    stack = tab.document.undo_stack
    before, count, area = vertices(tab), stack.count(), tab.current_area().drawn.area
    # The middle of the bottom edge (y = Y0 + 100 in metres), between the first two corners.
    # As a mouse delivers it: press and release, then the double-click.
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=at(tab, X0 + 1000, Y0 + 100))
    qtbot.mouseDClick(tab.view.viewport(), LEFT, pos=at(tab, X0 + 1000, Y0 + 100))
    after = vertices(tab)
    assert len(after) == len(before) + 1
    new = [p for p in after if p not in before]
    assert len(new) == 1 and new[0][0] == pytest.approx(X0 + 1000, abs=2 * tab.view.metres_per_pixel())
    assert new[0][1] == pytest.approx(before[0][1], abs=1e-6)  # on the edge itself: the shape is unchanged
    assert tab.current_area().drawn.area == pytest.approx(area)
    assert stack.count() == count + 1 and stack.undoText() == "Insert vertex"
    stack.undo()
    assert vertices(tab) == before
    assert len(tab.drawing.tools["polygon"].handles) == len(before)


def test_a_lone_double_click_event_on_an_edge_also_inserts(tab, qtbot):
    before = vertices(tab)
    qtbot.mouseDClick(tab.view.viewport(), LEFT, pos=at(tab, X0 + 1900, Y0 + 500))  # right edge
    assert len(vertices(tab)) == len(before) + 1
    assert tab.document.undo_stack.undoText() == "Insert vertex"


def test_ctrl_drag_from_an_edge_inserts_and_moves_in_one_step(tab, qtbot):
    stack = tab.document.undo_stack
    before, count, area = vertices(tab), stack.count(), tab.current_area().drawn.area
    vp = tab.view.viewport()
    start, end = at(tab, X0 + 1000, Y0 + 100), at(tab, X0 + 1000, Y0 - 500)
    qtbot.mousePress(vp, LEFT, CTRL, start)
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, LEFT, CTRL, end)
    after = vertices(tab)
    assert len(after) == len(before) + 1
    # The new vertex pulled the bottom edge down by 600 m: a triangle of 1800 x 600 / 2 more.
    assert tab.current_area().drawn.area == pytest.approx(area + 1800 * 600 / 2, rel=0.02)
    assert stack.count() == count + 1 and stack.undoText() == "Insert vertex"
    stack.undo()
    assert vertices(tab) == before and tab.current_area().drawn.area == pytest.approx(area)


def test_ctrl_click_away_from_edges_inserts_nothing(tab, qtbot):
    stack = tab.document.undo_stack
    before, count = vertices(tab), stack.count()
    # The middle of the rectangle is 400 m from any edge: a new polygon starts instead.
    qtbot.mouseClick(tab.view.viewport(), LEFT, CTRL, at(tab, X0 + 1000, Y0 + 500))
    assert vertices(tab) == before and stack.count() == count
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_Escape)
    assert len(tab.drawing.tools["polygon"].points) == len(before)
