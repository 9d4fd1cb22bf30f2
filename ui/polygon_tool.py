"""The polygon tool: a free area not tied to wards, with vertex editing.

Each finished polygon, and each vertex edit, is one call to Drawing.commit_drawn,
so one undo step.
"""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

from models.drawing import shape_from_points
from models.errors import CatalogueError

from .tool_base import Tool


class PolygonTool(Tool):
    """Click vertices, double-click or Enter to finish; drag a handle to move a vertex,
    right-click a handle to delete it; Escape abandons the polygon being drawn."""
    HANDLE = 5.0

    def __init__(self, drawing):
        super().__init__(drawing)
        self.points: list[QPointF] = []
        self.drawing = False
        self.dragging: int | None = None
        self.item = QGraphicsPathItem()
        pen = QPen(QColor(20, 20, 20), 2)
        pen.setCosmetic(True)
        self.item.setPen(pen)
        self.item.setBrush(QColor(255, 255, 255, 60))
        self.item.setZValue(10)
        self.handles: list[QGraphicsRectItem] = []

    def activate(self) -> None:
        if self.item.scene() is not self.d.view.scene():
            self.d.view.scene().addItem(self.item)
        self.area_changed()

    def area_changed(self) -> None:
        if self.drawing:
            return
        drawn = self.d.area.drawn if self.d.area is not None else None
        self.points = []
        if drawn is not None:
            poly = max(shapely.get_parts(drawn), key=lambda g: g.area)
            self.points = [QPointF(x, -y) for x, y in np.asarray(poly.exterior.coords)[:-1]]
        self._show()

    def _show(self) -> None:
        if self.item.scene() is None:
            return
        path = QPainterPath()
        if self.points:
            path.addPolygon(QPolygonF(self.points))
            if not self.drawing:
                path.closeSubpath()
        self.item.setPath(path)
        for h in self.handles:
            if h.scene() is not None:
                h.scene().removeItem(h)
        self.handles = []
        r = self.HANDLE * self.d.view.metres_per_pixel()
        for p in self.points:
            h = QGraphicsRectItem(p.x() - r, p.y() - r, 2 * r, 2 * r)
            h.setBrush(QBrush(QColor("white")))
            h.setPen(QPen(QColor("black"), 0))
            h.setZValue(11)
            self.item.scene().addItem(h)
            self.handles.append(h)

    def _handle_at(self, pos) -> int | None:
        r = 2 * self.HANDLE * self.d.view.metres_per_pixel()
        for k, p in enumerate(self.points):
            if abs(p.x() - pos.x()) <= r and abs(p.y() - pos.y()) <= r:
                return k
        return None

    def press(self, event, pos) -> bool:
        if not self.d.ready():
            return True
        k = None if self.drawing else self._handle_at(pos)
        if k is not None and event.button() == Qt.MouseButton.RightButton:
            self._save([p for i, p in enumerate(self.points) if i != k], "Delete vertex")
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return True
        if k is not None:
            self.dragging = k
            return True
        if not self.drawing:
            self.drawing, self.points = True, []
        self.points.append(pos)
        self._show()
        return True

    def move(self, event, pos) -> None:
        if self.dragging is not None:
            self.points[self.dragging] = pos
            self._show()

    def release(self, event, pos) -> None:
        if self.dragging is not None:
            self.dragging = None
            self._save(self.points, "Move vertex")

    def double_click(self, event, pos) -> bool:
        self.finish()
        return True

    def key(self, event) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.drawing:
            self.finish()
            return True
        if event.key() == Qt.Key.Key_Escape and self.drawing:
            self.cancel()
            return True
        return False

    def finish(self) -> None:
        if not self.drawing:
            return
        self.drawing = False
        # A double-click also delivered a press: drop the repeated last vertex.
        pts = self.points
        if len(pts) > 1 and (pts[-1] - pts[-2]).manhattanLength() < 1e-9:
            pts = pts[:-1]
        self._save(pts, "Draw polygon")

    def _save(self, points, text) -> None:
        try:
            shape = shape_from_points([self.d.metres(p) for p in points])
        except CatalogueError as e:
            self.d.message.emit(str(e))
            self.area_changed()
            return
        if not self.d.commit_drawn(text, shape):
            self.area_changed()

    def cancel(self) -> None:
        self.drawing = False
        self.dragging = None
        self.area_changed()
