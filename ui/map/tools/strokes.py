"""The drawing tools: click, brush (Shift erases), lasso; the polygon tool lives in
tools.polygon, the gesture protocol (and Alt+click filling a borough) in tools.base.

A gesture is collected from press to release and previewed on the map; on
release it becomes ONE model call pushed through Document.edit, so one stroke
is one undo step. Errors from the model are shown as a message; nothing is
half-written.
"""
from __future__ import annotations

import time

import shapely
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem

from models.errors import CatalogueError
from models.geo.drawing import DEFAULT_SHARE, shape_from_points
from ui.map.tools.base import Tool
from ui.map.tools.polygon import PolygonTool


class Drawing(QObject):
    """The state the tools share: the layer drawn on, the view showing it, the area
    being drawn, the gesture settings."""
    pending_changed = Signal(object)   # set of unit indices the area would have now
    message = Signal(str)

    def __init__(self, layer, view, document, parent=None):
        super().__init__(parent)
        self.layer, self.view, self.document = layer, view, document
        self.area = None                  # models.catalogue.records.Area being drawn, or None
        self.asked_for_area = False       # "choose an area" is showing: withdrawn once one is
        self.share = DEFAULT_SHARE
        self.brush_pixels = 12.0
        self.tools = {"click": ClickTool(self), "brush": BrushTool(self), "lasso": LassoTool(self),
                      "polygon": PolygonTool(self)}

    # -- settings --------------------------------------------------------
    def set_tool(self, name: str) -> None:
        if self.view.tool is not None:
            self.view.tool.cancel()
        self.view.tool = self.tools.get(name)
        self.view.setCursor(Qt.CursorShape.OpenHandCursor if name == "pan" else Qt.CursorShape.CrossCursor)
        if self.view.tool is not None:
            self.view.tool.activate()

    def set_area(self, area) -> None:
        self.area = area
        if area is not None and self.asked_for_area:
            self.asked_for_area = False
            self.message.emit("")
        for tool in self.tools.values():
            tool.area_changed()

    # -- helpers for tools -----------------------------------------------
    def units_now(self) -> set[int]:
        """The current area's units as rows of the layer."""
        if self.area is None:
            return set()
        index = self.layer.index
        return {index[u] for u in self.area.unit_ids if u in index}

    def colour(self) -> QColor | None:
        return QColor(self.area.colour) if self.area is not None else None

    def ready(self) -> bool:
        if not self.layer.loaded:
            self.message.emit("Import a ward layer first (File ▸ Import boundaries)")
            return False
        if self.area is None:
            self.message.emit("Choose an area in the list, or make a new one, before drawing")
            self.asked_for_area = True
            return False
        if not self.layer.holds(self.area):
            self.message.emit(f"'{self.area.name}' is drawn on another boundary layer")
            return False
        return True

    def preview(self, add: set[int], remove: set[int]) -> None:
        self.view.set_preview(add, remove, self.colour())
        self.pending_changed.emit((self.units_now() | add) - remove)

    def metres(self, scene_pos: QPointF) -> tuple[float, float]:
        return self.view.to_model(scene_pos)

    # -- committing ------------------------------------------------------
    def commit(self, text: str, add: set[int], remove: set[int]) -> bool:
        """One stroke as one undo step; False (and a message) if nothing was saved."""
        now = self.units_now()
        add, remove = set(add) - now, set(remove) & now
        self.view.clear_preview()
        if not add and not remove:
            self.pending_changed.emit(now)
            return False
        add_ids, remove_ids = self.layer.ids(add), self.layer.ids(remove)
        area_id = self.area.id
        cat = self.document.catalogue
        return self._edit(text, lambda: cat.areas.change_units(area_id, add=add_ids, remove=remove_ids))

    def commit_drawn(self, text: str, geom) -> bool:
        area_id, cat = self.area.id, self.document.catalogue
        return self._edit(text, lambda: cat.areas.set_drawn(area_id, geom))

    def snap(self) -> bool:
        """Turn the area's drawn polygon into the units it covers at the share threshold."""
        if not self.ready():
            return False
        if self.area.drawn is None:
            self.message.emit(f"'{self.area.name}' has no drawn polygon to snap")
            return False
        try:
            picked = self.layer.picker.snap(self.area.drawn, self.share)
        except CatalogueError as e:
            self.message.emit(str(e))
            return False
        ids = self.layer.ids(picked)
        area_id, cat = self.area.id, self.document.catalogue
        return self._edit("Snap to wards", lambda: cat.areas.snap_drawn(area_id, ids))

    def _edit(self, text, apply) -> bool:
        try:
            self.document.edit(text, apply)
        except CatalogueError as e:
            self.message.emit(str(e))
            self.pending_changed.emit(self.units_now())
            return False
        except shapely.errors.GEOSException as e:
            self.message.emit(f"the shape could not be used: {e}")
            return False
        return True


class ClickTool(Tool):
    def begin(self, event, pos) -> None:
        hit = self.d.layer.picker.at(*self.d.metres(pos))
        if hit is None:
            self.d.message.emit("That is outside the layer: click on a ward")
            return
        if hit in self.d.units_now():
            self.d.commit(f"Remove {self.d.layer.name(hit)}", set(), {hit})
        else:
            self.d.commit(f"Add {self.d.layer.name(hit)}", {hit}, set())


class BrushTool(Tool):
    """Paint wards the brush touches; with Shift held at the start, erase them."""

    def __init__(self, drawing):
        super().__init__(drawing)
        self.stroke: set[int] | None = None
        self.erase = False
        self.last: tuple[float, float] | None = None
        self.cursor: QGraphicsEllipseItem | None = None

    def radius(self) -> float:
        return self.d.brush_pixels * self.d.view.metres_per_pixel()

    def hover(self, event, pos) -> None:
        scene = self.d.view.scene()
        if self.cursor is None or self.cursor.scene() is not scene:
            self.cursor = QGraphicsEllipseItem()
            pen = QPen(QColor(20, 20, 20), 1.2)
            pen.setCosmetic(True)
            self.cursor.setPen(pen)
            self.cursor.setZValue(10)
            scene.addItem(self.cursor)
        r = self.radius()
        self.cursor.setRect(pos.x() - r, pos.y() - r, 2 * r, 2 * r)

    def leave(self) -> None:
        # A circle left where the pointer went off the map looks like a brush still there.
        if self.stroke is None:
            self._remove_cursor()

    def _remove_cursor(self) -> None:
        if self.cursor is not None and self.cursor.scene() is not None:
            self.cursor.scene().removeItem(self.cursor)
        self.cursor = None

    def begin(self, event, pos) -> None:
        self.stroke = set()
        self.erase = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.last = None
        self.step(pos)

    def step(self, pos) -> None:
        """One brush step: pick the units under the swept circle and recolour them."""
        x, y = self.d.metres(pos)
        r = self.radius()
        if self.last is None or self.last == (x, y):
            picked = self.d.layer.picker.brush(x, y, r)
        else:  # the capsule swept since the last event, so fast strokes leave no gaps
            swept = shapely.LineString([self.last, (x, y)]).buffer(r, quad_segs=4)
            picked = self.d.layer.picker.within_share(swept, 0.0)
        self.last = (x, y)
        self.hover(None, pos)
        new = set(picked.tolist()) - self.stroke
        if not new:
            return
        self.stroke |= new
        self.d.preview(set(), self.stroke) if self.erase else self.d.preview(self.stroke, set())

    def move(self, event, pos) -> None:
        if self.stroke is not None:
            self.step(pos)

    def release(self, event, pos) -> None:
        if self.stroke is None:
            return
        stroke, self.stroke = self.stroke, None
        if self.erase:
            self.d.commit("Erase", set(), stroke)
        else:
            self.d.commit("Brush", stroke, set())

    def cancel(self) -> None:
        self.stroke = None
        self.d.view.clear_preview()
        self._remove_cursor()


class LassoTool(Tool):
    """Draw a freehand shape; wards with at least the chosen share inside join (Shift: leave).

    While drawing, the wards that would join (or leave) are previewed, as the brush
    does. Picking by share costs more as the shape grows, so the preview is
    throttled: at most one pick per PREVIEW_MS, or per twice the last pick's
    cost if that is longer, so the outline keeps following the mouse.
    """
    PREVIEW_MS = 40

    def __init__(self, drawing):
        super().__init__(drawing)
        self.points: list[QPointF] | None = None
        self.erase = False
        self.outline: QGraphicsPathItem | None = None
        self.previewed: set[int] = set()   # what the map shows as joining (or leaving) now
        self.previewed_points = 0          # ... for the first this many points of the shape
        self._pick_ms = 0.0
        self._timer = QTimer(drawing, singleShot=True, timeout=self._update_preview)

    def begin(self, event, pos) -> None:
        self.points = [pos]
        self.erase = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.previewed, self.previewed_points = set(), 0
        self.outline = QGraphicsPathItem()
        pen = QPen(QColor(20, 20, 20), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.outline.setPen(pen)
        self.outline.setBrush(QColor(0, 0, 0, 30))
        self.outline.setZValue(10)
        self.d.view.scene().addItem(self.outline)

    def move(self, event, pos) -> None:
        if self.points is None:
            return
        self.points.append(pos)
        path = QPainterPath()
        path.addPolygon(QPolygonF(self.points))
        path.closeSubpath()
        self.outline.setPath(path)
        if not self._timer.isActive():
            self._timer.start(max(self.PREVIEW_MS, int(2 * self._pick_ms)))

    def pick(self, points) -> set[int]:
        """The wards the shape through these points takes at the share threshold.

        Raises CatalogueError when the points enclose no usable shape."""
        shape = shape_from_points([self.d.metres(p) for p in points])
        return set(self.d.layer.picker.within_share(shape, self.d.share).tolist())

    def _update_preview(self) -> None:
        if self.points is None or self.previewed_points == len(self.points):
            return
        started = time.perf_counter()
        try:
            picked = self.pick(self.points)
        except CatalogueError:  # too few points yet, or no area: nothing would join
            picked = set()
        self._pick_ms = (time.perf_counter() - started) * 1000
        self.previewed_points = len(self.points)
        if picked != self.previewed:
            self.previewed = picked
            self.d.preview(set(), picked) if self.erase else self.d.preview(picked, set())

    def release(self, event, pos) -> None:
        if self.points is None:
            return
        self._timer.stop()
        points, self.points = self.points, None
        self._remove_outline()
        try:
            picked = self.pick(points)
        except CatalogueError as e:
            self._end_preview()
            self.d.message.emit(str(e))
            return
        if not picked:
            self._end_preview()
            self.d.message.emit(f"No ward has {self.d.share:.0%} of its area inside that shape")
            return
        self.previewed = set()
        if self.erase:
            self.d.commit("Lasso erase", set(), picked)
        else:
            self.d.commit("Lasso", picked, set())

    def _end_preview(self) -> None:
        if self.previewed:
            self.previewed = set()
            self.d.view.clear_preview()
            self.d.pending_changed.emit(self.d.units_now())

    def cancel(self) -> None:
        self._timer.stop()
        self.points = None
        self._end_preview()
        self._remove_outline()

    def _remove_outline(self) -> None:
        if self.outline is not None and self.outline.scene() is not None:
            self.outline.scene().removeItem(self.outline)
        self.outline = None
