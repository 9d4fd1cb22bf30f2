"""Other agencies' areas (reference geographies: ICBs, police forces…) drawn over the map.

    outlines = ReferenceOutlines(view)
    outlines.set_geography(gid, "ICBs 2022", [("North Central London", polygon), …])
    outlines.set_visible(gid, True)     # the map tab's References menu: one toggle per geography
    outlines.placed                     # the names' rectangles on screen (viewport pixels)

Each geography is ONE path item (every area's outline in one path, no fill, a dashed pen of
its own colour), not one item per area: 42 police forces are one item. Their names are
painted by one more item for all geographies, placed greedily (larger areas first, the
geographies in the order they were switched on) and skipped where they would meet a name
already placed, so they never pile up; the map's own labels keep clear of them (the view
adds `placed` to the rectangles its labeller avoids).
"""
from __future__ import annotations

import math

import numpy as np
import shapely
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ui.map.paths import geometry_path

Z_OUTLINES = 3.5   # over the areas (2.5) and the selected outline (3), under the flash (5)
Z_NAMES = 4.5
OUTLINE_PX = 2.4
CASING_PX = 5.0    # a pale line under the dashes: they read over any area's outline or tint
GAP = 6.0          # pixels kept clear round a name
CELL = 64.0        # screen buckets for the names' collision checks, in pixels
# Darker than any area's Okabe–Ito colour, so an outline never passes for an area's edge; each
# geography also gets its own dash pattern, so two of them along one edge still tell apart.
COLOURS = ("#4d004b", "#00441b", "#67000d", "#08306b", "#3f007d", "#252525")
DASHES = ((6.0, 3.0), (2.0, 2.5), (8.0, 3.0, 2.0, 3.0), (4.0, 4.0))
HALO = QColor(255, 255, 255, 235)


class ReferenceNames(QGraphicsItem):
    """The names of every shown geography's areas, placed on screen so that none meet."""

    def __init__(self, owner: ReferenceOutlines):
        super().__init__()
        self.owner = owner
        self.setZValue(Z_NAMES)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.font = QFont()
        self.font.setBold(True)
        self.font.setItalic(True)
        self._rect = QRectF()
        self._sizes: dict[str, tuple[float, float]] = {}   # a name's text size, measured once

    def _size(self, fm: QFontMetricsF, name: str) -> tuple[float, float]:
        got = self._sizes.get(name)
        if got is None:
            got = self._sizes[name] = (fm.horizontalAdvance(name), fm.height())
        return got

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = rect

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        world = painter.worldTransform()
        fm = QFontMetricsF(self.font)
        # Rectangles taken, bucketed by screen cell: each candidate is checked against its cells' only.
        buckets: dict[tuple[int, int], list[QRectF]] = {}

        def cells(r: QRectF):
            return [(i, j) for i in range(int(r.left() // CELL), int(r.right() // CELL) + 1)
                    for j in range(int(r.top() // CELL), int(r.bottom() // CELL) + 1)]

        for r in self.owner.avoid():
            for c in cells(r):
                buckets.setdefault(c, []).append(r)
        placed: list[tuple[str, QRectF]] = []
        device = painter.device()
        ratio = device.devicePixelRatioF() or 1.0
        bounds = QRectF(0, 0, device.width() / ratio, device.height() / ratio)
        colours = []
        for gid in self.owner.order:
            geography = self.owner.geographies.get(gid)
            if geography is None or not len(geography.anchors):   # not drawn on this layer (yet)
                continue
            # Anchors to screen at once (the map never rotates), and only those on it go on.
            px = world.m11() * geography.anchors[:, 0] + world.dx()
            py = world.m22() * -geography.anchors[:, 1] + world.dy()
            on = np.flatnonzero((px >= 0) & (px <= bounds.width()) & (py >= 0) & (py <= bounds.height()))
            for k in on:
                name = geography.names[k]
                w, h = self._size(fm, name)
                rect = QRectF(px[k] - w / 2, py[k] - h / 2, w, h)
                if not bounds.contains(rect):
                    continue
                padded = rect.adjusted(-GAP, -GAP, GAP, GAP)
                mine = cells(padded)
                if any(padded.intersects(r) for c in mine for r in buckets.get(c, ())):
                    continue
                for c in mine:
                    buckets.setdefault(c, []).append(padded)
                placed.append((name, rect))
                colours.append(geography.colour)
        painter.save()
        painter.setTransform(QTransform())
        painter.setFont(self.font)
        ascent = fm.ascent()
        for (name, rect), colour in zip(placed, colours):
            base = QPointF(rect.left(), rect.top() + ascent)
            painter.setPen(HALO)
            for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1), (0, -1.5), (0, 1.5), (-1.5, 0), (1.5, 0)):
                painter.drawText(base + QPointF(dx, dy), name)
            painter.setPen(colour)
            painter.drawText(base, name)
        painter.restore()
        if device is self.owner.view.viewport():   # not an export's page
            self.owner.placed = [rect for _, rect in placed]


class OutlineItem(QGraphicsPathItem):
    """A geography's outlines: a pale casing, then the dashed line in its colour.

    Wide antialiased strokes of a few thousand vertices cost tens of milliseconds, so the item
    is cached as a device pixmap (a pan copies it; a zoom paints it again) and paints its
    outlines simplified to half a pixel at the scale drawn (a few levels, each made once)."""

    def __init__(self, geometries, path: QPainterPath):
        super().__init__(path)
        self.geometries = geometries
        self._paths: dict[float, QPainterPath] = {}
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def path_at(self, metres_per_pixel: float) -> QPainterPath:
        """The outlines simplified to the largest power-of-two tolerance (metres) within half a pixel."""
        level = 2.0 ** math.floor(math.log2(metres_per_pixel / 2)) if metres_per_pixel >= 2 else 0.0
        path = self._paths.get(level)
        if path is None:
            path = QPainterPath()
            shapes = shapely.simplify(self.geometries, level) if level else self.geometries
            for g in shapes:
                path.addPath(geometry_path(g))
            self._paths[level] = path
        return path

    def paint(self, painter, option, widget=None) -> None:
        world = painter.worldTransform()
        scale = math.hypot(world.m11(), world.m12())
        path = self.path_at(1.0 / scale if scale > 0 else 1.0)
        views = self.scene().views() if self.scene() is not None else []
        # Between the steps of a zoom (the map shows its last picture scaled), a draft: no antialiasing.
        draft = bool(views) and getattr(getattr(views[0], "units", None), "deferring", False)
        exporting = bool(views) and getattr(views[0], "exporting", False)   # a PNG/SVG/PDF: full quality
        casing = QPen(QColor(255, 255, 255, 190), CASING_PX)
        casing.setCosmetic(True)
        casing.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # The pale casing is drawn without antialiasing (a wide antialiased stroke is ~3x dearer,
        # and its edge is all but invisible under the dashes); the dashes are drawn smooth.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, exporting)
        painter.setPen(casing)
        painter.drawPath(path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not draft)
        painter.setPen(self.pen())
        painter.drawPath(path)


class Geography:
    """One reference geography as drawn: its path item and its areas' names and anchors."""

    def __init__(self, name: str, areas: list[tuple[str, shapely.Geometry]], colour: QColor, dash):
        self.name = name
        self.colour = colour
        kept = [(n, g) for n, g in areas if g is not None and not g.is_empty]
        # Larger areas name first: their names fit and say more at a glance.
        kept.sort(key=lambda a: -a[1].area)
        self.names = [n for n, _ in kept]
        geoms = np.array([g for _, g in kept], dtype=object)
        self.geometries = geoms
        self.anchors = (shapely.get_coordinates(shapely.point_on_surface(geoms)) if len(geoms)
                        else np.zeros((0, 2)))
        path = QPainterPath()
        for g in geoms:
            path.addPath(geometry_path(g))
        self.item = OutlineItem(geoms, path)
        pen = QPen(colour, OUTLINE_PX)
        pen.setCosmetic(True)
        pen.setDashPattern(list(dash))
        pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        self.item.setPen(pen)
        self.item.setBrush(Qt.BrushStyle.NoBrush)
        self.item.setZValue(Z_OUTLINES)
        self.item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.item.setToolTip(name)


class ReferenceOutlines:
    def __init__(self, view):
        self.view = view
        self.geographies: dict[int, Geography] = {}
        self.order: list[int] = []          # shown, in the order switched on (names placed in it)
        self.placed: list[QRectF] = []      # the names last painted on screen (viewport pixels)
        self.names = ReferenceNames(self)
        self._scene = None

    def avoid(self) -> list[QRectF]:
        """What names keep off: the legend and what the view draws over the map."""
        legend = getattr(self.view, "legend", None)
        rect = QRectF(getattr(legend, "rect", QRectF()))
        vp = self.view.viewport()
        return [rect.adjusted(-4, -4, 4, 4), QRectF(0, vp.height() - 50, vp.width(), 50)]

    def _attach(self) -> None:
        # The view clears its scene when it shows another layer: put the items back then.
        scene = self.view.scene()
        if self._scene is scene and self.names.scene() is scene:
            return
        self._scene = scene
        if self.names.scene() is not scene:
            scene.addItem(self.names)
        for gid in self.order:
            if gid in self.geographies:
                self._add(gid)

    def _add(self, gid: int) -> None:
        item = self.geographies[gid].item
        if item.scene() is not self.view.scene():
            self.view.scene().addItem(item)

    def colour_of(self, gid: int) -> QColor:
        return QColor(COLOURS[gid % len(COLOURS)])

    def set_geography(self, gid: int, name: str, areas: list[tuple[str, shapely.Geometry]]) -> None:
        """Draw (or redraw) geography gid's areas: (name, outline in model metres) each."""
        shown = gid in self.order
        self._drop_item(gid)
        self.geographies[gid] = Geography(name, areas, self.colour_of(gid), DASHES[gid % len(DASHES)])
        if shown:
            self._attach()
            self._add(gid)
        self._update()

    def forget(self, gid: int) -> None:
        """A geography deleted: drop it."""
        self._drop_item(gid)
        self.geographies.pop(gid, None)
        if gid in self.order:
            self.order.remove(gid)
        self._update()

    def _drop_item(self, gid: int) -> None:
        old = self.geographies.get(gid)
        if old is not None and shiboken6.isValid(old.item) and old.item.scene() is not None:
            old.item.scene().removeItem(old.item)

    def set_visible(self, gid: int, on: bool) -> None:
        if (gid in self.order) == on:
            return
        if on:
            self.order.append(gid)
            if gid in self.geographies:
                self._attach()
                self._add(gid)
        else:
            self.order.remove(gid)
            self._drop_item(gid)
        self._update()

    def visible(self, gid: int) -> bool:
        return gid in self.order

    def after_new_layer(self) -> None:
        """The view has shown another layer: clearing its scene deleted the items, and the
        areas are other units now. Which geographies are on is kept; the tab draws them again."""
        self.names = ReferenceNames(self)
        self._scene = None
        self.geographies = {}
        self.placed = []

    def _update(self) -> None:
        rect = QRectF()
        for gid in self.order:
            if gid in self.geographies:
                rect = rect.united(self.geographies[gid].item.boundingRect())
        # Names reach past the outlines' edge: a margin of a tenth keeps them painted.
        margin = max(rect.width(), rect.height()) * 0.1
        self.names.set_rect(rect.adjusted(-margin, -margin, margin, margin))
        if not self.order:
            self.placed = []
        self.names.update()
        self.view.viewport().update()
