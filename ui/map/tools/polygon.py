"""The polygon tool: a free area not tied to wards, with vertex editing.

Each finished polygon, and each vertex edit (move, insert, delete), is one call
to Drawing.commit_drawn, so one undo step. A vertex inserted with Ctrl and then
dragged before release is still one step: "Insert vertex".
"""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

from models.errors import CatalogueError
from models.geo.drawing import shape_from_points
from ui.map.tools.base import Tool


class PolygonTool(Tool):
    """Click vertices, double-click or Enter to finish; drag a handle to move a vertex,
    right-click a handle to delete it; double-click an edge, or Ctrl+click (or drag)
    near one, to insert a vertex there; Escape abandons the polygon being drawn."""
    HANDLE = 5.0   # half a vertex handle's width, in pixels
    EDGE = 6.0     # how near an edge (pixels) a click inserts a vertex

    def __init__(self, drawing):
        super().__init__(drawing)
        self.points: list[QPointF] = []
        self.drawing = False
        self.dragging: int | None = None
        self.drag_text = "Move vertex"
        # The saved outline's edge under the first press of a double-click, which
        # began a new polygon before Qt said it was a double-click.
        self._edge_before: tuple[list[QPointF], int, QPointF] | None = None
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

    def _edge_at(self, pos) -> tuple[int, QPointF] | None:
        """The closed outline's edge nearest pos, if within EDGE pixels: (index of its
        first vertex, the nearest point on it)."""
        if len(self.points) < 3:
            return None
        xy = np.array([(p.x(), p.y()) for p in self.points])
        a, b = xy, np.roll(xy, -1, axis=0)
        ab = b - a
        p = np.array([pos.x(), pos.y()])
        length2 = np.maximum((ab ** 2).sum(axis=1), 1e-12)
        t = np.clip(((p - a) * ab).sum(axis=1) / length2, 0, 1)
        near = a + t[:, None] * ab
        dist = np.hypot(*(near - p).T)
        k = int(np.argmin(dist))
        if dist[k] > self.EDGE * self.d.view.metres_per_pixel():
            return None
        return k, QPointF(*near[k])

    def _insert(self, points: list[QPointF], k: int, at: QPointF) -> list[QPointF]:
        return points[:k + 1] + [at] + points[k + 1:]

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
            self.dragging, self.drag_text = k, "Move vertex"
            return True
        edge = None if self.drawing else self._edge_at(pos)
        if edge is not None and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            # Insert where the edge was pressed; dragging moves the new vertex until release.
            self.points = self._insert(self.points, edge[0], pos)
            self.dragging, self.drag_text = edge[0] + 1, "Insert vertex"
            self._show()
            return True
        if not self.drawing:
            self._edge_before = (list(self.points), *edge) if edge is not None else None
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
            self._save(self.points, self.drag_text)

    def double_click(self, event, pos) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or not self.d.ready():
            return True
        edge = None
        if self.drawing and len(self.points) == 1 and self._edge_before is not None:
            # The double-click's first press began a new polygon on the saved outline's
            # edge: the user meant a new vertex there, not a new polygon.
            points, k, at = self._edge_before
            self.drawing, self._edge_before = False, None
            edge = (points, k, at)
        elif not self.drawing and self._handle_at(pos) is None:
            found = self._edge_at(pos)
            edge = (self.points, *found) if found is not None else None
        if edge is not None:
            self._save(self._insert(*edge), "Insert vertex")
            return True
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
        self._edge_before = None
        self.area_changed()
