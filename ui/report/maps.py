"""Maps inside the report's text, painted as vector paths (never a raster grab).

A map is a QTextDocument object: the layout gives it a place in the flow (and a
page), and drawObject paints shapely geometry into whatever painter draws the
document — the PDF writer's, so the outlines stay sharp at any zoom.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QPyTextObject,
    QTextCharFormat,
    QTextFormat,
)

MAP_OBJECT = QTextFormat.ObjectTypes.UserObject + 1
MAP_INDEX = QTextFormat.Property.UserProperty + 1
OBJECT_CHARACTER = "\ufffc"


@dataclass
class Layer:
    shapes: list                       # shapely geometries, metres
    fills: list[QColor | None]         # one per shape (None: no fill)
    stroke: QColor
    width_pt: float
    labels: list[str] = field(default_factory=list)   # one per shape, or none at all


@dataclass
class MapSpec:
    """What one map shows: layers bottom up, the extent to frame (metres), its size on paper."""
    layers: list[Layer]
    extent: tuple[float, float, float, float]
    width_pt: float
    height_pt: float


def path_of(geometry, transform) -> QPainterPath:
    """The geometry's polygons (holes too) as one path, through transform (x, y arrays -> x, y)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = shapely.get_coordinates(ring)
            xs, ys = transform(xy[:, 0], xy[:, 1])
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist())]))
            path.closeSubpath()
    return path


def extent_of(shapes, margin: float = 0.06) -> tuple[float, float, float, float]:
    shapes = [s for s in shapes if s is not None and not s.is_empty]
    if not shapes:
        return (0.0, 0.0, 1.0, 1.0)
    x0, y0, x1, y1 = shapely.total_bounds(np.array(shapes, dtype=object))
    pad = max(x1 - x0, y1 - y0, 1000.0) * margin
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


class MapObjects(QPyTextObject):
    """The handler the document layout asks to size and paint each map object (QPyTextObject:
    PySide's QObject that Qt can take for a QTextObjectInterface; a class of both is not)."""

    def __init__(self, maps: list[MapSpec], dots_per_point: float, parent: QObject | None = None):
        super().__init__(parent)
        self.maps = maps
        self.scale = dots_per_point   # the layout's units are the paint device's dots

    def intrinsicSize(self, doc, pos, fmt) -> QSizeF:
        spec = self.maps[int(fmt.property(MAP_INDEX))]
        return QSizeF(spec.width_pt * self.scale, spec.height_pt * self.scale)

    def drawObject(self, painter: QPainter, rect: QRectF, doc, pos, fmt) -> None:
        paint_map(painter, rect, self.maps[int(fmt.property(MAP_INDEX))], self.scale)


def map_format(index: int) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setObjectType(MAP_OBJECT)
    fmt.setProperty(MAP_INDEX, index)
    return fmt


def paint_map(painter: QPainter, rect: QRectF, spec: MapSpec, dots_per_point: float) -> None:
    x0, y0, x1, y1 = spec.extent
    scale = min(rect.width() / (x1 - x0), rect.height() / (y1 - y0))
    # Centred in the box; British National Grid's y runs north, the page's runs down.
    ox = rect.left() + (rect.width() - (x1 - x0) * scale) / 2
    oy = rect.top() + (rect.height() - (y1 - y0) * scale) / 2

    def transform(xs, ys):
        return ox + (xs - x0) * scale, oy + (y1 - ys) * scale

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setClipRect(rect)
    painter.setPen(QPen(QColor("#b0b0b0"), 0.5 * dots_per_point))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    window = shapely.box(*spec.extent)
    labels: list[tuple[QPointF, str]] = []
    for layer in spec.layers:
        pen = QPen(layer.stroke, layer.width_pt * dots_per_point)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for k, shape in enumerate(layer.shapes):
            if shape is None or shape.is_empty or not shape.intersects(window):
                continue
            fill = layer.fills[k] if k < len(layer.fills) else None
            painter.setPen(pen)
            painter.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
            painter.drawPath(path_of(shape, transform))
            if layer.labels and layer.labels[k]:
                point = shapely.point_on_surface(shape)
                if window.contains(point):
                    x, y = transform(np.array([point.x]), np.array([point.y]))
                    labels.append((QPointF(float(x[0]), float(y[0])), layer.labels[k]))
    # Labels last, so that no area hides them; they are text, so a reader can find them.
    font = QFont(painter.font())
    font.setPointSizeF(6.0)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    painter.setPen(QColor("#404040"))
    taken: list[QRectF] = []
    for point, text in labels:   # a label that would overprint one already placed is left out
        width = metrics.horizontalAdvance(text)
        box = QRectF(point.x() - width / 2, point.y() - metrics.ascent() / 2, width, metrics.height())
        if any(box.intersects(other) for other in taken) or not rect.contains(box):
            continue
        taken.append(box)
        # A pale box behind the name keeps it legible over a dark fill, and keeps it one piece of
        # text (a halo drawn as a second copy of the text would be read twice).
        painter.fillRect(box.adjusted(-1.5 * dots_per_point, 0, 1.5 * dots_per_point, 0), QColor(255, 255, 255, 170))
        painter.drawText(QPointF(box.left(), point.y() + metrics.ascent() / 2), text)
    _scale_bar(painter, rect, scale, dots_per_point, metrics)
    painter.restore()


def _scale_bar(painter: QPainter, rect: QRectF, scale: float, dots_per_point: float, metrics) -> None:
    """A bar of a round number of km, about a fifth of the map's width, bottom left."""
    km = rect.width() / 5 / scale / 1000
    nice = max((n for n in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if n <= km), default=0.5)
    length = nice * 1000 * scale
    margin = 8 * dots_per_point
    x, y = rect.left() + margin, rect.bottom() - margin
    painter.setPen(QPen(QColor("#202020"), 1.0 * dots_per_point))
    painter.drawLine(QPointF(x, y), QPointF(x + length, y))
    for end in (x, x + length):
        painter.drawLine(QPointF(end, y), QPointF(end, y - 3 * dots_per_point))
    painter.drawText(QPointF(x + length + 3 * dots_per_point, y), f"{nice:g} km")
