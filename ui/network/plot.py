"""The network drawn with pyqtgraph: one scatter item for every node, one curve item per edge
style (a handful, whatever the size of the graph), names placed where they do not collide.

    plot = NetworkPlot()
    plot.set_graph(drawing)           # a Drawing: positions, colours, sizes, edges by style
    plot.set_highlight(rows)          # rings the nodes, draws their links on top, dims the rest
    plot.node_clicked.connect(...)    # a node's row, or -1 for a click on empty space
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from ui.network import labels
from ui.overlaps.plots.common import ACCENT, INK, PlotBase, pg, style

EDGE = QColor(120, 120, 120, 110)
DIMMED_ALPHA = 60
# Membership roles as line styles; in a projection, how much is shared as width.
ROLE_STYLES = {"lead": (Qt.PenStyle.SolidLine, 2.2), "member": (Qt.PenStyle.SolidLine, 0.8),
               "funder": (Qt.PenStyle.DashLine, 1.2), "commissioner": (Qt.PenStyle.DashLine, 1.2),
               "provider": (Qt.PenStyle.DashDotLine, 1.2), "observer": (Qt.PenStyle.DotLine, 1.2)}
# Opaque: no blending on thousands of lines.
DENSE_SHADES = {"lead": QColor("#6E6E6E"), "member": QColor("#C4C4C4"), "funder": QColor("#86B4D6"),
                "commissioner": QColor("#86B4D6"), "provider": QColor("#80C9B0"), "observer": QColor("#E0E0E0")}
WEIGHT_STYLES = {1: (Qt.PenStyle.SolidLine, 0.7), 2: (Qt.PenStyle.SolidLine, 1.6), 3: (Qt.PenStyle.SolidLine, 3.0)}


@dataclass
class Drawing:
    """What the plot shows, computed by the tab from the model's network."""
    pos: np.ndarray                       # (n, 2)
    names: list[str]
    colours: list[str]                    # one per node
    symbols: list[str]                    # "o" organisation, "s" partnership
    sizes: np.ndarray                     # marker diameters, pixels
    priority: np.ndarray                  # label order: higher first
    edges: np.ndarray                     # (E, 2) rows
    edge_styles: list[str | int] = field(default_factory=list)   # a ROLE_STYLES or WEIGHT_STYLES key per edge


def _pen(key, dense: bool = False) -> QPen:
    """A style's pen. Dense graphs (thousands of edges) get one-pixel solid lines, each style
    its own shade: dashes and widths on thousands of short lines cost much and show little."""
    line, width = ROLE_STYLES.get(key) or WEIGHT_STYLES.get(key) or (Qt.PenStyle.SolidLine, 0.8)
    pen = QPen(DENSE_SHADES.get(key, QColor("#C4C4C4")) if dense else EDGE, 0 if dense else width)   # 0: Qt's hairline
    pen.setStyle(Qt.PenStyle.SolidLine if dense else line)
    pen.setCosmetic(True)
    return pen


class NodeLabels(pg.GraphicsObject):
    """Every node's name, as many as fit: placed afresh in screen space at each paint."""

    def __init__(self):
        super().__init__()
        self.font = QFont()
        self.font.setPointSizeF(8.0)
        self.metrics = QFontMetricsF(self.font)
        self.xy = np.zeros((0, 2))
        self.names: list[str] = []
        self.widths = np.zeros(0)
        self.offsets = np.zeros(0)
        self.order = np.zeros(0, dtype=np.int64)
        self.bold: set[int] = set()
        self.placed: list[tuple[int, float, float]] = []   # the last paint's, for tests
        self._bounds = QRectF()

    def set_nodes(self, xy, names, sizes, order) -> None:
        self.prepareGeometryChange()
        self.xy, self.names = np.asarray(xy, dtype=np.float64), list(names)
        self.widths = np.array([self.metrics.horizontalAdvance(t) for t in names])
        self.offsets = np.asarray(sizes, dtype=np.float64) / 2
        self.order = np.asarray(order, dtype=np.int64)
        if len(self.xy):
            lo, hi = self.xy.min(axis=0), self.xy.max(axis=0)
            self._bounds = QRectF(QPointF(*lo), QPointF(*hi)).adjusted(-1, -1, 1, 1)
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        # Text may hang over the nodes' extent: the whole view is ours to paint in.
        view = self.getViewBox()
        return self.mapRectFromView(view.viewRect()) if view is not None else self._bounds

    def paint(self, p: QPainter, *args) -> None:
        self.placed = []
        if not len(self.xy):
            return
        t = p.transform()   # item to device, as this paint draws (pyqtgraph's deviceTransform() may crash here)
        x = t.m11() * self.xy[:, 0] + t.m21() * self.xy[:, 1] + t.m31()
        y = t.m12() * self.xy[:, 0] + t.m22() * self.xy[:, 1] + t.m32()
        device = p.device()
        view_w, view_h = float(device.width()), float(device.height())
        h = self.metrics.height()
        self.placed = labels.place(x, y, self.widths, np.full(len(x), h), self.offsets, self.order,
                                   view_w, view_h)
        p.save()
        p.resetTransform()
        p.setFont(self.font)
        ascent = self.metrics.ascent()
        # A pale box under each name rather than a halo: one fill and one text a label.
        backing = QColor(255, 255, 255, 200)
        for k, left, top in self.placed:
            text = self.names[k]
            p.fillRect(QRectF(left - 1, top, self.widths[k] + 2, h), backing)
            p.setPen(QColor(ACCENT) if k in self.bold else QColor(INK))
            p.drawText(QPointF(left, top + ascent), text)
        p.restore()


class NetworkPlot(PlotBase):
    node_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = style(self.addPlot())
        for side in ("left", "bottom"):
            self.plot.hideAxis(side)
        self.plot.setAspectLocked(True)
        self.plot.vb.setDefaultPadding(0.04)
        self.edge_items: dict[object, pg.PlotCurveItem] = {}
        self.chosen_edges = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(ACCENT, width=2.2, cosmetic=True))
        self.nodes = pg.ScatterPlotItem(pxMode=True, hoverable=False, tip=None)
        self.rings = pg.ScatterPlotItem(pxMode=True, brush=None, pen=pg.mkPen(ACCENT, width=2.5))
        self.names = NodeLabels()
        self.chosen_edges.setZValue(5)
        self.nodes.setZValue(10)
        self.rings.setZValue(11)
        self.names.setZValue(20)
        for item in (self.chosen_edges, self.nodes, self.rings, self.names):
            self.plot.addItem(item)
        self.drawing: Drawing | None = None
        self.highlighted: list[int] = []
        self._brushes: list = []
        self.nodes.sigClicked.connect(self._clicked)
        self.scene().sigMouseClicked.connect(self._scene_clicked)
        self._node_hit = False

    # -- data -----------------------------------------------------------------
    def set_graph(self, d: Drawing) -> None:
        self.drawing = d
        for item in self.edge_items.values():
            self.plot.removeItem(item)
        self.edge_items = {}
        many = len(d.edges) > 3000   # antialiased hairlines cost more than they show at that density
        keys = np.array([str(k) for k in d.edge_styles]) if len(d.edges) else np.zeros(0, dtype=str)
        for key in dict.fromkeys(d.edge_styles):
            rows = d.edges[keys == str(key)]
            item = pg.PlotCurveItem(connect="pairs", pen=_pen(key, many), antialias=not many)
            if many:
                # QPainter.drawLines on an array: stroking one path of thousands of pieces costs
                # ten times as much (and dashes more again).
                item.setSegmentedLineMode("on")
            xy = d.pos[rows.ravel()]
            item.setData(xy[:, 0], xy[:, 1])
            self.plot.addItem(item)
            self.edge_items[key] = item
        self._brushes = [pg.mkBrush(c) for c in d.colours]
        self.nodes.setData(pos=d.pos, size=d.sizes, symbol=d.symbols, brush=self._brushes,
                           pen=pg.mkPen("#FFFFFF", width=0.8), data=np.arange(len(d.pos)))
        self.names.set_nodes(d.pos, d.names, d.sizes, np.argsort(-d.priority, kind="stable"))
        self.set_highlight([])
        self.plot.autoRange()

    def set_highlight(self, rows) -> None:
        """Ring these nodes and draw the links among them on top; dim the others (none: all plain)."""
        d = self.drawing
        self.highlighted = sorted({int(r) for r in rows})
        if d is None:
            return
        chosen = np.zeros(len(d.pos), dtype=bool)
        chosen[self.highlighted] = True
        if self.highlighted:
            brushes = [b if chosen[k] else pg.mkBrush(_dim(d.colours[k])) for k, b in enumerate(self._brushes)]
            linked = d.edges[chosen[d.edges[:, 0]] & chosen[d.edges[:, 1]]] if len(d.edges) else d.edges
            xy = d.pos[linked.ravel()] if len(linked) else np.zeros((0, 2))
            self.chosen_edges.setData(xy[:, 0], xy[:, 1])
            self.rings.setData(pos=d.pos[self.highlighted], size=d.sizes[self.highlighted] + 6,
                               symbol=[d.symbols[k] for k in self.highlighted])
        else:
            brushes = self._brushes
            self.chosen_edges.setData([], [])
            self.rings.setData([])
        self.nodes.setBrush(brushes)
        priority = d.priority + chosen * (d.priority.max(initial=0) + 1)
        self.names.bold = set(self.highlighted)
        self.names.set_nodes(d.pos, d.names, d.sizes, np.argsort(-priority, kind="stable"))

    # -- clicks ---------------------------------------------------------------------
    def _clicked(self, _item, points, event) -> None:
        if len(points):
            self._node_hit = True
            # Markers may overlap: the one whose centre is nearest the click wins.
            at = event.pos()
            nearest = min(points, key=lambda p: (p.pos().x() - at.x()) ** 2 + (p.pos().y() - at.y()) ** 2)
            self.node_clicked.emit(int(nearest.index()))

    def _scene_clicked(self, event) -> None:
        if self._node_hit:
            self._node_hit = False
            return
        if event.button() == Qt.MouseButton.LeftButton and not event.double():
            self.node_clicked.emit(-1)

    def viewport_point(self, row: int):
        """The widget pixel where node `row` is drawn (for tests and the selection's scroll)."""
        x, y = self.drawing.pos[row]
        scene = self.plot.vb.mapViewToScene(QPointF(float(x), float(y)))
        return self.mapFromScene(scene)


def _dim(colour: str) -> QColor:
    c = QColor(colour)
    c.setAlpha(DIMMED_ALPHA)
    return c
