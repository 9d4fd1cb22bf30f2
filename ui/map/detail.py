"""The scene items that draw a layer's units, at the detail the scale calls for.

- Zoomed in: one QGraphicsPathItem per unit (outlined, hoverable),
  with the borough outlines over them.
- Zoomed out so far that a typical unit is a few pixels: those items are
  hidden and one overview item fills one merged path per colour, drawn without
  outlines or antialiasing and cached as a device pixmap: 8,071 items cost
  ~15 ms a frame in QGraphicsView's per-item overhead alone.
MapView decides which mode and level to show; this module only builds and
recolours the items.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from models.geo.detail import LayerGeometry, rings
from ui.map.paths import merged_paths, unit_paths
from ui.map.style import BOROUGH_EDGE, WARD_EDGE


class Overview(QGraphicsItem):
    """All units as one filled path per colour, plus borough outlines; cached as a pixmap.

    The paths are built on first paint after a change (`build` is the view's
    builder), so several changes in a row cost one rebuild.
    """

    def __init__(self, build):
        super().__init__()
        self.fills: list[tuple[QPainterPath, QBrush]] = []
        self.outlines = QPainterPath()
        self.pen = QPen(BOROUGH_EDGE, 1.0)
        self.pen.setCosmetic(True)
        self.rect = QRectF()
        self.dirty = True
        self._build = build
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def invalidate(self) -> None:
        self.dirty = True
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter, option, widget=None) -> None:
        if self.dirty:
            self.dirty = False
            self._build()
        # Units here are a few pixels wide: antialiasing would only blur them, slowly.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for path, brush in self.fills:
            painter.fillPath(path, brush)
        if not self.outlines.isEmpty():
            painter.strokePath(self.outlines, self.pen)


class Group(QGraphicsItem):
    """A parent that draws nothing: hiding it hides thousands of children in one call."""

    def __init__(self, z: float):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, *args) -> None:
        pass


def overview_paths(lod: LayerGeometry, level: float, fill: np.ndarray, palette: list[QColor],
                   boroughs: bool) -> tuple[list[tuple[QPainterPath, QBrush]], QPainterPath]:
    """One merged path per fill colour, and the borough outlines as one path."""
    order = np.argsort(fill, kind="stable")
    cuts = np.flatnonzero(np.diff(fill[order])) + 1
    groups = np.split(order, cuts)
    paths = merged_paths(lod.rings(level), groups)
    fills = [(p, QBrush(palette[fill[g[0]]])) for p, g in zip(paths, groups)]
    outlines = QPainterPath()
    if boroughs:
        codes, shapes = lod.parents(level)
        if codes:
            outlines = merged_paths(rings(shapes), [np.arange(len(codes))])[0]
    return fills, outlines


class DetailItems:
    """Every item drawing one layer, added to `scene`: overview (z 0), units (1),
    borough outlines (2), the selected area's outline (3); labels are
    painted over them by the view (ui.map.labels)."""

    def __init__(self, scene, build_overview):
        self.overview = Overview(build_overview)
        self.overview.setZValue(0)
        scene.addItem(self.overview)
        self.units = Group(1)
        scene.addItem(self.units)
        self.boroughs = Group(2)
        scene.addItem(self.boroughs)
        self.highlight = QGraphicsPathItem()
        self.highlight.setZValue(3)
        self.highlight.setBrush(Qt.BrushStyle.NoBrush)
        scene.addItem(self.highlight)
        self.items: list[QGraphicsPathItem] = []
        self._paths: dict[float, list[QPainterPath]] = {}
        self._boroughs_level = None

    def show_mode(self, mode: str, boroughs: bool) -> None:
        self.overview.setVisible(mode == "overview")
        self.units.setVisible(mode == "units")
        # In the overview the outlines are part of the cached overview item.
        self.boroughs.setVisible(mode == "units" and boroughs)

    def set_unit_paths(self, lod: LayerGeometry, level: float) -> None:
        paths = self._paths.get(level)
        if paths is None:
            paths = self._paths[level] = unit_paths(lod.rings(level))
        if not self.items:
            pen = QPen(WARD_EDGE, 0)
            pen.setCosmetic(True)
            for i, p in enumerate(paths):
                item = QGraphicsPathItem(p, self.units)
                item.setPen(pen)
                item.setData(0, i)
                self.items.append(item)
        else:
            for item, p in zip(self.items, paths):
                item.setPath(p)

    def set_borough_outlines(self, lod: LayerGeometry, level: float) -> None:
        if self._boroughs_level == level:
            return
        self._boroughs_level = level
        for child in self.boroughs.childItems():
            child.scene().removeItem(child)
        codes, outlines = lod.parents(level)
        if not codes:
            return
        pen = QPen(BOROUGH_EDGE, 1.6)
        pen.setCosmetic(True)
        for path in unit_paths(rings(outlines)):
            item = QGraphicsPathItem(path, self.boroughs)
            item.setPen(pen)
            item.setBrush(Qt.BrushStyle.NoBrush)

    def recolour_units(self, fill: np.ndarray, shown: np.ndarray, palette: list[QColor],
                       edges: bool) -> None:
        """Give the unit items whose fill differs from `shown` their new brush."""
        changed = np.flatnonzero(fill != shown)
        # Brushes only for the colours in use: a palette can hold hundreds of areas.
        brushes = {k: QBrush(palette[k]) for k in np.unique(fill[changed]).tolist()}
        for i in changed:
            self.items[i].setBrush(brushes[fill[i]])
        edge = QPen(WARD_EDGE if edges else Qt.GlobalColor.transparent, 0)
        edge.setCosmetic(True)
        if self.items and self.items[0].pen().color() != edge.color():
            for item in self.items:
                item.setPen(edge)

    def set_highlight(self, outline, colour: QColor | None) -> None:
        """The selected area's outline (coverage union of its units), drawn thick."""
        path = QPainterPath()
        if outline is not None and not outline.is_empty:
            path = merged_paths(rings(np.array([outline], dtype=object)), [np.array([0])])[0]
        pen = QPen((colour or QColor("black")).darker(160), 3)
        pen.setCosmetic(True)
        self.highlight.setPen(pen)
        self.highlight.setPath(path)
