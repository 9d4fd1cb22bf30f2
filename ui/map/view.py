"""The map: a boundary layer's units filled by area, borough outlines, overlays.

The units are painted by one item as cached tiles of pixels (ui.map.detail), at
the coverage-simplified level whose error is below a pixel (LayerGeometry,
computed off-thread for big layers); ward edges are drawn once units are big
enough on screen to show them ("units" mode), not when they are a few pixels
("overview"). This view owns the fills, the stroke preview, navigation and the
mouse and keys.
Scene coordinates are metres: x = easting, y = -northing.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsView, QToolTip

from models.geo.detail import LayerGeometry, rings
from ui.map import overlays as map_overlays
from ui.map.detail import UnitTiles
from ui.map.labels import Labeller
from ui.map.layer import BACKGROUND_UNITS, MapLayer
from ui.map.paths import merged_paths
from ui.map.style import NEUTRAL, OUTSIDE, blend

UNITS_MODE_PIXELS = 4.0    # typical unit at least this wide on screen: draw ward edges
FLASH_MS = 1600           # how long a found place stays outlined
SETTLE_MS = 150          # a zoom's sharp frame comes this long after its last step
CLICK_PIXELS = 4           # a press and release this close together is a click, not a pan
EMPTY_MESSAGE = ("No boundary layer to show yet.\n"
                 "Import ward boundaries with File ▸ Import ▸ Boundaries…,\n"
                 "or open the example from the start page of the Catalogue tab.")


class MapView(QGraphicsView):
    unit_hovered = Signal(int)   # unit index, -1 for none
    unit_clicked = Signal(int)   # a click (not a drag) of the pan tool on unit index
    unit_context = Signal(int, object)   # a right click of the pan tool on unit index, at a global QPoint
    scale_changed = Signal()
    escape = Signal()            # Esc not taken by the tool (abandoning a polygon): clear the selection

    def __init__(self, layer: MapLayer | None = None, parent=None):
        super().__init__(parent)
        self.layer = layer if layer is not None else MapLayer()
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 64 * 1024))
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # Zooming keeps a point fixed itself (zoom_by): Qt's AnchorUnderMouse uses the last
        # position QGraphicsView saw move, which is stale whenever a tool took the moves.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setBackgroundBrush(OUTSIDE)
        self.geometry_lod: LayerGeometry | None = None   # what is drawn: None while the layer is empty
        self.legend = None   # the tab's Legend (ui/map/legend.py): overlays draw it, labels keep clear of it
        self.tool = None
        self.visible_layers = {"wards": True, "boroughs": True, "areas": True, "labels": True}
        self.areas_of = lambda i: []
        self.reference_rects = lambda: []   # names of reference areas on screen (ui/map/reference_outlines.py)
        self._fill = np.zeros(0, dtype=np.int64)      # palette index per unit (0 = neutral)
        self.exporting = False    # set by ui.map.export: items paint vectors, not screen tiles
        self._palette: list[QColor] = [NEUTRAL]
        self._preview: dict[int, int] = {}            # unit -> palette index during a stroke
        self._mode = ""
        self._level = -1.0
        self._unit_size = 1.0
        self._hover = -1
        self._navigated = False       # the user has zoomed or panned since the layer loaded
        self._pan_from: QPointF | None = None
        self._press_at: QPointF | None = None    # where a pan began, to tell a click from a drag
        self._pointer: QPointF | None = None     # the pointer over the viewport, None once it left
        self._corner = None                      # the widget kept at the top right (find box)
        self._chip = None                        # the widget kept at the top centre (the selection)
        self.labeller = Labeller(self.layer)
        self._executor: ThreadPoolExecutor | None = None
        self._future = None
        self._cancel_warm = False
        self._pending_warm = None   # the worker's work, started once the first frame is painted
        self._flash_timer = QTimer(self, singleShot=True, interval=FLASH_MS, timeout=self._end_flash)
        self._init_items()
        self._poll = QTimer(self, interval=150, timeout=self._refresh_lod)
        # Wheel and key zoom steps show the last sharp picture scaled; it is painted sharp
        # again this long after the last step (each step would otherwise paint every unit).
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=lambda: self.units.settle())

    def _init_items(self) -> None:
        self.scene().clear()
        self.units = UnitTiles(self)
        self.scene().addItem(self.units)
        self.highlight = QGraphicsPathItem()
        self.highlight.setZValue(3)
        self.highlight.setBrush(Qt.BrushStyle.NoBrush)
        self.scene().addItem(self.highlight)
        self._flash_timer.stop()
        self.flash_item = QGraphicsPathItem()
        pen = QPen(QColor("#ffb000"), 5)
        pen.setCosmetic(True)
        self.flash_item.setPen(pen)
        self.flash_item.setZValue(5)
        self.flash_item.setVisible(False)
        self.scene().addItem(self.flash_item)

    @property
    def _overview(self):
        """The item painting the units (benchmarks drop its tiles with update())."""
        return self.units

    # -- data ------------------------------------------------------------
    def show_layer(self) -> None:
        """Draw the layer afresh (the tab has just loaded another one into it)."""
        self._stop_warming()
        self._init_items()
        n = len(self.layer)
        self._fill = np.zeros(n, dtype=np.int64)
        self._preview = {}
        self.areas_of = lambda i: []
        self._mode, self._level = "", -1.0
        self._navigated = False
        self.labeller.reset()
        if self._corner is not None:
            self._corner.setVisible(n > 0)  # nothing to find on an empty map
        if n == 0:
            self.geometry_lod = None
            self.scene().setSceneRect(QRectF(0, 0, 1, 1))
            self.viewport().update()
            return
        self.geometry_lod = self.layer.geometry
        # A typical unit's width decides when units are big enough to draw one by one.
        self._unit_size = self.geometry_lod.unit_size()   # stored with the levels: no decoding
        minx, miny, maxx, maxy = self.geometry_lod.bounds
        rect = QRectF(minx, -maxy, maxx - minx, maxy - miny)
        margin = max(rect.width(), rect.height())
        self.scene().setSceneRect(rect.adjusted(-margin, -margin, margin, margin))
        self.units.set_layer(self.geometry_lod, self.scene().sceneRect())
        if n > BACKGROUND_UNITS:
            self._executor = self._executor or ThreadPoolExecutor(1, thread_name_prefix="map-lod")
            self._cancel_warm = False
            # The worker starts once the first frame is painted (_start_warming): started at
            # once it would hold the GIL against the GUI thread's reading of areas and painting,
            # and decode every unit while the first frame, which needs none, waits.
            lod, labeller = self.geometry_lod, self.labeller
            lod.also_warm(labeller.prepare)   # the names' features too (see Labeller.prepare)
            self._pending_warm = lambda: lod.warm(cancelled=lambda: self._cancel_warm)
            self._poll.start()
        self.zoom_to_extent()

    def set_fills(self, fill: np.ndarray, palette: list[QColor], areas_of=None) -> None:
        """fill[i] indexes palette (0 is the neutral fill); palette colours are blended here.

        areas_of(i) names the areas holding unit i (for the hover text)."""
        self._palette = [NEUTRAL] + [blend(c) for c in palette[1:]]
        self._fill = np.asarray(fill, dtype=np.int64)
        self.areas_of = areas_of or (lambda i: [])
        # The wards are redrawn only if their colours changed (a move of the year slider
        # over unselected areas changes none): the tiles compare with what they show.
        self._refresh_fills()

    def set_preview(self, add, remove, colour: QColor | None) -> None:
        """A stroke in progress: `add` painted in the area's colour, `remove` neutral."""
        if colour is not None and blend(colour) not in self._palette:
            self._palette.append(blend(colour))
        k = self._palette.index(blend(colour)) if colour is not None else 0
        self._preview = {int(u): k for u in add}
        self._preview.update({int(u): 0 for u in remove})
        self._refresh_fills()

    def clear_preview(self) -> None:
        self._preview = {}
        self._refresh_fills()

    def set_highlight(self, outline, colour: QColor | None) -> None:
        """The selected area's outline (coverage union of its units), drawn thick."""
        path = QPainterPath()
        if self.geometry_lod is not None and outline is not None and not outline.is_empty:
            path = merged_paths(rings(np.array([outline], dtype=object)), [np.array([0])])[0]
        pen = QPen((colour or QColor("black")).darker(160), 3)
        pen.setCosmetic(True)
        self.highlight.setPen(pen)
        self.highlight.setPath(path)

    def effective_fill(self) -> np.ndarray:
        fill = self._fill.copy()
        for u, k in self._preview.items():
            fill[u] = k
        if not self.visible_layers["areas"]:
            fill[:] = 0
        return fill

    # -- drawing at the right detail ---------------------------------------
    def metres_per_pixel(self) -> float:
        m = self.transform().m11()
        return 1.0 / m if m > 0 else 1.0

    def _refresh_lod(self) -> None:
        lod = self.geometry_lod
        if lod is None:
            self._poll.stop()
            return
        mpp = self.metres_per_pixel()
        want = lod.level_for(mpp)
        # Big layers: draw what is ready now; the poll timer swaps in the wanted level.
        background = self._future is not None or self._pending_warm is not None
        level = lod.best_available(want) if background else want
        if self._future is not None and self._future.done():
            self._poll.stop()
        self._mode, self._level = ("units" if self._unit_size / mpp >= UNITS_MODE_PIXELS else "overview"), level
        self.units.outlines_ready()
        self.units.set_style(level, edges=self._mode == "units" and self.visible_layers["wards"],
                             boroughs=self.visible_layers["boroughs"])
        self._refresh_fills()

    def _refresh_fills(self) -> None:
        if self.geometry_lod is None or not self._mode:
            return
        self.units.set_fill(self.effective_fill(), self._palette)

    def set_layer_visible(self, name: str, on: bool) -> None:
        self.visible_layers[name] = on
        self._refresh_lod()
        self.viewport().update()  # the labels, painted over everything

    # -- navigation ------------------------------------------------------
    def zoom_to_extent(self) -> None:
        if self.geometry_lod is not None:
            self.zoom_to_bounds(*self.geometry_lod.bounds)
            self._navigated = False

    def zoom_to_bounds(self, minx, miny, maxx, maxy, margin: float = 0.05) -> None:
        self._navigated = True
        # A big layer's view painted afresh costs a frame of 0.1-0.6 s (another level made,
        # every tile painted): there a jump shows the last picture moved and scaled, and the
        # tiles come sharp a few per turn as after wheel steps (UnitTiles.settle). A small
        # layer's is painted at once.
        progressive = len(self.layer) > BACKGROUND_UNITS
        if progressive:
            self.units.zooming()
        w, h = max(maxx - minx, 100.0), max(maxy - miny, 100.0)
        self.fitInView(QRectF(minx - w * margin, -maxy - h * margin, w * (1 + 2 * margin),
                              h * (1 + 2 * margin)), Qt.AspectRatioMode.KeepAspectRatio)
        self._after_zoom()
        if progressive:
            self.units.settle()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the scene point at viewport position `anchor` where it is; by
        default the point under the pointer if it is over the map, else the centre."""
        self._navigated = True
        if anchor is None:
            anchor = self.pointer_or_centre()
        before = self.scene_at(anchor)
        self.units.zooming()
        self._settle.start()
        self.scale(factor, factor)
        # Scroll so the anchor's scene point is back under it (scrolling is in pixels).
        miss = before - self.scene_at(anchor)
        m = self.transform().m11()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(miss.x() * m))
        v.setValue(v.value() + round(miss.y() * m))
        self._after_zoom()

    def scene_at(self, pos: QPointF) -> QPointF:
        """The scene point at a viewport position, without rounding it to a whole pixel."""
        return self.viewportTransform().inverted()[0].map(QPointF(pos))

    def pointer_or_centre(self) -> QPointF:
        vp = self.viewport().rect()
        if self._pointer is not None and vp.contains(self._pointer.toPoint()):
            return QPointF(self._pointer)
        return QPointF(vp.width() / 2, vp.height() / 2)

    def _after_zoom(self) -> None:
        self._refresh_lod()
        self.scale_changed.emit()

    def pan_by(self, dx: float, dy: float) -> None:
        """Pan by a fraction of the view's width/height."""
        self._navigated = True
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + int(dx * self.viewport().width()))
        v.setValue(v.value() + int(dy * self.viewport().height()))

    def flash(self, geometry) -> None:
        """Outline a found place for a moment, over everything else on the map."""
        path = QPainterPath()
        if geometry is not None and not geometry.is_empty:
            path = merged_paths(rings(np.array([geometry], dtype=object)), [np.array([0])])[0]
        self.flash_item.setPath(path)
        self.flash_item.setVisible(True)
        self._flash_timer.start()

    def _end_flash(self) -> None:
        self.flash_item.setVisible(False)

    def to_model(self, scene_pos: QPointF) -> tuple[float, float]:
        return scene_pos.x(), -scene_pos.y()

    def unit_at(self, view_pos) -> int:
        if self.geometry_lod is None:
            return -1
        x, y = self.to_model(self.mapToScene(view_pos))
        hit = self.layer.picker.at(x, y)
        return -1 if hit is None else hit

    # -- events ----------------------------------------------------------
    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position())

    def set_corner_widget(self, widget) -> None:
        """A widget kept over the map's top right corner (the find box)."""
        self._corner = widget
        self._place_corner()

    def set_chip_widget(self, widget) -> None:
        """A widget kept over the middle of the map's top edge (the selection's chip)."""
        self._chip = widget
        self._place_corner()

    def _place_corner(self) -> None:
        chip = self._chip
        if chip is not None:
            chip.adjustSize()
            width = min(chip.sizeHint().width(), max(self.width() - 24, 60))
            chip.setGeometry(max((self.width() - width) // 2, 10), 10, width, chip.sizeHint().height())
        w = self._corner
        if w is not None:
            w.adjustSize()
            width = min(max(w.minimumWidth(), w.sizeHint().width()), max(self.width() - 24, 60))
            w.setGeometry(self.width() - width - 10, 10, width, w.sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_corner()
        if not self._navigated:  # still showing everything: keep it fitted to the new size
            self.zoom_to_extent()
        elif self._mode:
            self._refresh_lod()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if self.tool is not None and self.tool.key(event):
            return
        moves = {Qt.Key.Key_Left: (-0.125, 0), Qt.Key.Key_Right: (0.125, 0),
                 Qt.Key.Key_Up: (0, -0.125), Qt.Key.Key_Down: (0, 0.125)}
        if key in moves:
            self.pan_by(*moves[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / 1.5)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_0):
            self.zoom_to_extent()
        elif key == Qt.Key.Key_Escape:
            self.escape.emit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        if (self.tool is None and event.button() == Qt.MouseButton.RightButton
                and self.unit_at(event.position().toPoint()) >= 0):
            event.ignore()   # left unaccepted, Qt follows it with a context menu event: the ward's menu
            return
        if event.button() == Qt.MouseButton.MiddleButton or self.tool is None:
            self._pan_from = event.position()
            self._press_at = event.position() if event.button() == Qt.MouseButton.LeftButton else None
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if not self.tool.press(event, self.mapToScene(event.position().toPoint())):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        self._pointer = event.position()
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(-d.x() / max(self.viewport().width(), 1), -d.y() / max(self.viewport().height(), 1))
            return
        if self.tool is not None and event.buttons() != Qt.MouseButton.NoButton:
            self.tool.move(event, self.mapToScene(event.position().toPoint()))
            return
        if self.tool is not None:
            self.tool.hover(event, self.mapToScene(event.position().toPoint()))
        self._hover_at(event)
        super().mouseMoveEvent(event)  # QGraphicsView keeps its own idea of the pointer fresh

    def viewportEvent(self, event) -> bool:
        # The pointer leaves the viewport (the widget under it), not always the view too.
        if event.type() == QEvent.Type.Leave:
            self._pointer_left()
        return super().viewportEvent(event)

    def leaveEvent(self, event) -> None:
        self._pointer_left()
        super().leaveEvent(event)

    def _pointer_left(self) -> None:
        self._pointer = None
        if self.tool is not None:
            self.tool.leave()
        if self._hover != -1:
            self._hover = -1
            self.unit_hovered.emit(-1)
            QToolTip.hideText()

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            pressed, self._pan_from, self._press_at = self._press_at, None, None
            self.viewport().unsetCursor()
            if pressed is not None and (event.position() - pressed).manhattanLength() <= CLICK_PIXELS:
                i = self.unit_at(event.position().toPoint())
                if i >= 0:
                    self.unit_clicked.emit(i)
            return
        if self.tool is not None:
            self.tool.release(event, self.mapToScene(event.position().toPoint()))

    def contextMenuEvent(self, event) -> None:
        i = self.unit_at(event.pos()) if self.tool is None else -1
        if i < 0:   # a drawing tool's right button is its own
            super().contextMenuEvent(event)
            return
        event.accept()
        self.unit_context.emit(i, event.globalPos())

    def mouseDoubleClickEvent(self, event) -> None:
        if self.tool is not None and self.tool.double_click(event, self.mapToScene(event.position().toPoint())):
            return
        super().mouseDoubleClickEvent(event)

    def _hover_at(self, event) -> None:
        i = self.unit_at(event.position().toPoint())
        if i == self._hover:
            return
        self._hover = i
        self.unit_hovered.emit(i)
        if i < 0:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), self.describe(i), self.viewport())

    def describe(self, i: int) -> str:
        """The hover text for unit i: name, code, borough, population, its areas."""
        t = self.layer.table
        borough = self.layer.borough_name(i)
        pop = t.population[i]
        lines = [f"<b>{t.names[i]}</b> ({t.codes[i]})"]
        if borough is not None:
            lines.append(f"Borough: {borough}")
        lines.append("Population: " + ("unknown" if np.isnan(pop) else f"{pop:,.0f}"))
        areas = self.areas_of(i)
        lines.append("Areas: " + (", ".join(areas) if areas else "none"))
        return "<br>".join(lines)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.geometry_lod is None:
            # No legend, scale or attribution of a map that is not there: just what to do.
            self._draw_empty(painter)
            return
        legend_before = QRectF(getattr(self.legend, "rect", QRectF()))
        # Between the steps of a zoom the names are left out (placing them again is most of
        # such a frame); they come back once the steps stop and every tile is sharp again.
        labels = self.visible_layers["labels"] and self._mode and not self.units.settling
        if labels:
            # Labels are placed in viewport pixels: undo the scene transform, keep the
            # device's own (an export renders the viewport scaled onto a page).
            painter.save()
            painter.setWorldTransform(self.viewportTransform().inverted()[0] * painter.worldTransform())
            self.labeller.paint(painter, self.viewport().size(), self.viewportTransform(),
                                self.metres_per_pixel(), cached=painter.device() is self.viewport(),
                                blocked=self._overlay_rects())
            painter.restore()
        # On screen the find box holds the top right corner: a legend there goes below it.
        corner = self._corner
        top_right = 0.0
        if painter.device() is self.viewport() and corner is not None and corner.isVisible():
            top_right = float(self.viewport().mapFrom(self, corner.geometry().bottomLeft()).y())
        map_overlays.draw(painter, self.legend, self.layer.attribution, top_right)
        if labels and QRectF(getattr(self.legend, "rect", QRectF())) != legend_before:
            self.viewport().update()   # the legend moved: place the labels clear of it again
        if self._pending_warm is not None:
            QTimer.singleShot(0, self, self._start_warming)   # once this frame is on screen

    def _overlay_rects(self) -> tuple[QRectF, ...]:
        """Where things drawn over the map sit (viewport pixels), roughly: labels keep clear.
        The legend where it was last drawn (it picks its corner as it paints: a move is
        followed by one more frame, see drawForeground), the scale bar and attribution along
        the bottom, the find box at the top right, the selection's chip at the top."""
        legend = getattr(self.legend, "rect", QRectF())
        vp = self.viewport()
        rects = [legend.adjusted(-4, -4, 4, 4), QRectF(0, vp.height() - 50, vp.width(), 50)]
        rects += [r.adjusted(-4, -4, 4, 4) for r in self.reference_rects()]
        for widget in (self._corner, self._chip):
            if widget is not None and widget.isVisible():
                g = widget.geometry()
                top_left = vp.mapFrom(self, g.topLeft())
                rects.append(QRectF(top_left.x(), top_left.y(), g.width(), g.height()).adjusted(-4, -4, 4, 4))
        return tuple(rects)

    def _draw_empty(self, painter: QPainter) -> None:
        """An empty catalogue's map says how to get boundaries instead of showing nothing."""
        painter.save()
        painter.setWorldTransform(self.viewportTransform().inverted()[0] * painter.worldTransform())
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        painter.setFont(font)
        painter.setPen(QColor("#303030"))
        painter.drawText(QRectF(self.viewport().rect()), Qt.AlignmentFlag.AlignCenter, EMPTY_MESSAGE)
        painter.restore()

    def _start_warming(self) -> None:
        work, self._pending_warm = self._pending_warm, None
        if work is not None and self._executor is not None:
            self._future = self._executor.submit(work)

    def _stop_warming(self) -> None:
        self._cancel_warm = True  # the worker stops after the level it is computing
        self._pending_warm = None
        if self._future is not None:
            self._future.cancel()
        self._future = None

    def wait_for_detail(self) -> None:
        """Block until every level of detail is computed, then redraw (benchmarks, scripts).
        A view never shown starts its worker here."""
        self._start_warming()
        if self._future is not None:
            self._future.result()
        self._refresh_lod()

    def shutdown(self, wait: bool = False) -> None:
        self._poll.stop()
        self._stop_warming()
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

