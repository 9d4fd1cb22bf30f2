"""Driving the map tab on the grid of squares: opening it as the active window, and the
viewport pixel of a model point or of a grid ward's centre."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF

from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.gui import show_active

X0, Y0 = GRID_ORIGIN


def open_map_tab(qtbot, cat, size=(900, 600), settings=None):
    from ui.document import Document
    from ui.map.tab import MapTab

    tab = MapTab(Document(cat), settings=settings)
    qtbot.addWidget(tab)
    tab.resize(*size)
    show_active(qtbot, tab)
    return tab


def at(tab, x, y) -> QPoint:
    """The viewport pixel showing model point (x, y) in metres."""
    return tab.view.mapFromScene(QPointF(x, -y))


def centre(tab, col, row, dx=0.5, dy=0.5) -> QPoint:
    """The viewport pixel of a point in grid ward (col, row), its centre by default."""
    return at(tab, X0 + (col + dx) * CELL, Y0 + (row + dy) * CELL)
