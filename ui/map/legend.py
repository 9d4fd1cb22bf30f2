"""The map's legend: what is on screen, in a corner that does not cover the selected area.

    legend = Legend()
    legend.set_rows(title, rows)       # title: "3 of 17 areas shown"; rows: LegendRow
    legend.avoid = geometry            # the selected area (model metres), or None
    legend.paint(painter, w, h, ...)   # from overlays.draw, on screen and in exports
    legend.watch(viewport)             # a click on the title folds it up or opens it

The corners are top left, top right, bottom left above the scale bar and
bottom right above the attribution. The legend takes the one covering least of
the selected area (none, if it can), then least of the other areas shown, and
in that order where they tie.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen, QTransform
from PySide6.QtWidgets import QWidget

LEGEND_ROWS = 10   # a legend of 500 areas hides the map; the selected area comes first
CORNERS = ("top left", "top right", "bottom left", "bottom right")
AREA_KINDS = ("area", "hatched", "outline")
MAX_TEXT_PIXELS = 280


@dataclass(frozen=True)
class LegendRow:
    text: str
    colour: QColor
    kind: str = "fill"    # fill | line | none, or an area's: area (tint and outline), hatched (the
                          # selected one), outline (its outline only, over the coverage count)


class Legend(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = ""
        self.rows: list[LegendRow] = []
        self.collapsed = False
        self._avoid: shapely.Geometry | None = None
        self._others = np.zeros(0, dtype=object)
        self.corner = CORNERS[0]
        self.rect = QRectF()        # where it was last drawn on screen (logical pixels)
        self.title_rect = QRectF()  # ... and its title, which folds it
        self._viewport: QWidget | None = None
        self._corner_key = None
        self._corner_found = CORNERS[0]

    @property
    def avoid(self) -> shapely.Geometry | None:
        """The selected area's outline drawn (model metres): the legend stays off it."""
        return self._avoid

    @avoid.setter
    def avoid(self, geometry: shapely.Geometry | None) -> None:
        self._avoid, self._corner_key = geometry, None

    def set_others(self, geometries) -> None:
        """The other areas shown: the legend covers as little of them as it can."""
        self._others, self._corner_key = np.asarray(geometries, dtype=object), None

    def set_rows(self, title: str, rows: list[LegendRow]) -> None:
        self.title, self.rows = title, list(rows)

    def toggle(self) -> None:
        self.collapsed = not self.collapsed
        if self._viewport is not None:
            self._viewport.update()

    # -- clicks on the title -----------------------------------------------
    def watch(self, viewport: QWidget) -> None:
        self._viewport = viewport
        viewport.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if (event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
                and event.button() == Qt.MouseButton.LeftButton
                and self.title_rect.contains(event.position())):
            if event.type() == QEvent.Type.MouseButtonPress:
                self.toggle()
            return True   # a click on the legend is not a click on the ward beneath it
        return False

    # -- painting ----------------------------------------------------------
    def lines(self) -> list[LegendRow]:
        """The rows painted: the title, then (unless folded) at most LEGEND_ROWS areas."""
        head = LegendRow(("▸ " if self.collapsed else "▾ ") + self.title, QColor(0, 0, 0, 0), "title")
        if self.collapsed:
            return [head]
        out, areas = [head], 0
        more = sum(r.kind in AREA_KINDS for r in self.rows) - LEGEND_ROWS
        for r in self.rows:   # in the order given, the areas cut at LEGEND_ROWS
            if r.kind in AREA_KINDS:
                areas += 1
                if areas > LEGEND_ROWS:
                    continue
                if areas == LEGEND_ROWS and more > 0:
                    out += [r, LegendRow(f"… and {more:,} more shown", QColor(0, 0, 0, 0), "none")]
                    continue
            out.append(r)
        return out

    def paint(self, painter: QPainter, world: QTransform, fm: QFontMetricsF, w: float, h: float, dpi: float,
              bottom_left: float, bottom_right: float, on_screen: bool, top_right: float = 0) -> None:
        """Paint in device-independent pixels (painter reset to them); world: the scene's
        transform to those pixels, to find where the selected area is.

        bottom_left / bottom_right: how much of each bottom corner the scale bar and
        the attribution take (the legend goes above them); top_right: the find box's (below it)."""
        # Long partnership names are cut (…) so the legend stays a corner, not a banner.
        widest = min(MAX_TEXT_PIXELS * dpi, 0.4 * w)
        lines = [LegendRow(fm.elidedText(r.text, Qt.TextElideMode.ElideRight, widest), r.colour, r.kind)
                 for r in self.lines()]
        pad = 6 * dpi
        row = fm.height() + 4 * dpi
        width = max(fm.horizontalAdvance(r.text) for r in lines) + 3 * pad + 18 * dpi
        height = row * len(lines) + 2 * pad
        margin = 10 * dpi
        boxes = {"top left": QRectF(margin, margin, width, height),
                 "top right": QRectF(w - margin - width, top_right + margin, width, height),
                 "bottom left": QRectF(margin, h - bottom_left - margin - height, width, height),
                 "bottom right": QRectF(w - margin - width, h - bottom_right - margin - height, width, height)}
        self.corner = self._corner(world, boxes)
        rect = boxes[self.corner]
        painter.fillRect(rect, QColor(255, 255, 255, 215))
        y = rect.top() + pad
        for r in lines:
            swatch = QRectF(rect.left() + pad, y + 2 * dpi, 18 * dpi, row - 6 * dpi)
            text_x = swatch.right() + pad
            if r.kind == "title":
                text_x = rect.left() + pad
            elif r.kind == "fill":
                painter.fillRect(swatch, r.colour)
                painter.setPen(QPen(QColor(110, 110, 110), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)  # the view's brush would paint over the swatch
                painter.drawRect(swatch)
            elif r.kind in ("area", "hatched"):
                painter.fillRect(swatch, QColor("#ecebe6"))
                fill = QColor(r.colour)
                if r.kind == "hatched":
                    painter.fillRect(swatch, QBrush(fill.darker(135), Qt.BrushStyle.BDiagPattern))
                else:
                    fill.setAlphaF(0.22)
                    painter.fillRect(swatch, fill)
                painter.setPen(QPen(QColor(r.colour), 2 * dpi))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(swatch.adjusted(dpi, dpi, -dpi, -dpi))
            elif r.kind in ("line", "outline"):
                painter.setPen(QPen(r.colour, 2 * dpi))
                painter.drawLine(QPointF(swatch.left(), swatch.center().y()),
                                 QPointF(swatch.right(), swatch.center().y()))
            painter.setPen(QColor("black"))
            painter.drawText(QPointF(text_x, y + fm.ascent() + 1 * dpi), r.text)
            y += row
        if on_screen:
            self.rect = rect
            self.title_rect = QRectF(rect.left(), rect.top(), rect.width(), pad + row)

    def _corner(self, world: QTransform, boxes: dict[str, QRectF]) -> str:
        if (self._avoid is None or self._avoid.is_empty) and not len(self._others):
            return CORNERS[0]
        # Painted on every repaint (each brush step): ask shapely only when something moved.
        key = (tuple(world.map(QPointF(0, 0)).toTuple()), world.m11(), world.m22(),
               tuple(tuple(b.getRect()) for b in boxes.values()))
        if key == self._corner_key:
            return self._corner_found
        self._corner_key, self._corner_found = key, self._find_corner(world, boxes)
        return self._corner_found

    def _find_corner(self, world: QTransform, boxes: dict[str, QRectF]) -> str:
        # The boxes in model metres: invert the scene transform (scene y is minus northing).
        inverse, ok = world.inverted()
        if not ok:
            return CORNERS[0]
        covered = {}
        for name in CORNERS:
            r = inverse.mapRect(boxes[name])
            box = shapely.box(r.left(), -r.bottom(), r.right(), -r.top())
            selected = 0.0
            if self._avoid is not None and shapely.intersects(box, self._avoid):
                selected = shapely.intersection(box, self._avoid).area
            others = 0.0
            if len(self._others):
                hit = self._others[shapely.intersects(box, self._others)]
                others = float(shapely.area(shapely.intersection(box, hit)).sum()) if len(hit) else 0.0
            covered[name] = (selected, others)
        # Off the selected area first, then over as little of the other areas as may be;
        # min() keeps the first of equals, so ties go to the usual order.
        return min(CORNERS, key=lambda n: covered[n])
