"""Zooming back to a level of detail drawn a moment ago paints it with what was made for it
then (its units' boxes, borough outlines and ward edges), not made again: at 161k units
making a level's edges again took a thread ~1 s, slowing every frame meanwhile."""
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.map_gui import at

X0, Y0 = GRID_ORIGIN


def wheel(view, pos: QPoint, notches: int) -> None:
    vp = view.viewport()
    QApplication.sendEvent(vp, QWheelEvent(QPointF(pos), QPointF(vp.mapToGlobal(pos)), QPoint(0, 0),
                                           QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                                           Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))


def test_a_level_zoomed_back_to_is_painted_with_what_was_made_for_it(tab, qtbot):
    view, vp = tab.view, tab.view.viewport()
    vp.grab()
    level = view.units.level
    first = view.units._data()
    here = at(tab, X0 + 2 * CELL, Y0 + 1.5 * CELL)
    qtbot.mouseMove(vp, here)
    notches = 0
    while view.units.level == level and notches < 30:   # out until a coarser level is drawn
        wheel(view, here, -1)
        notches += 1
    qtbot.waitUntil(lambda: not view.units.settling)
    vp.grab()
    assert view.units.level > level and view.units._data() is not first
    wheel(view, here, notches)   # back in, as far
    qtbot.waitUntil(lambda: not view.units.settling)
    vp.grab()
    assert view.units.level == level and view.units._data() is first
