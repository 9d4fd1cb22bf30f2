"""The overlap matrix as a heatmap: rows and columns are the same areas in one order."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsRectItem

from models.analysis.overlaps import UNIT_WORDS, OverlapMatrix
from ui.overlaps.plots.common import ACCENT, INK, PlotBase, pg, short, style

VALUES = {
    "jaccard": "Jaccard index",
    "containment": "share of row inside column",
    "shared": "shared amount",
}
LABELS_UP_TO = 20     # cell values are written into the cells up to this many rows


def overlap_colour_map() -> pg.ColorMap:
    """Viridis from light to dark, with no overlap at all drawn near-white so that the
    pairs that do overlap stand out."""
    viridis = pg.colormap.get("viridis")
    colours = viridis.getLookupTable(0.0, 1.0, 64, alpha=True)[::-1]
    positions = np.concatenate([[0.0], np.linspace(1e-6, 1.0, 64)])
    colours = np.vstack([[246, 246, 246, 255], colours])
    return pg.ColorMap(positions, colours)


def _amount(value: float, by: str) -> str:
    if by == "area":
        return f"{value:,.2f} km²"
    return f"{value:,.0f} {UNIT_WORDS[by]}"


class HeatmapPlot(PlotBase):
    pair_clicked = Signal(int, int)   # ids of the row's and the column's thing
    hovered = Signal(str)             # a sentence about the cell under the mouse ('' outside)

    csv_header = ("row", "column", "by", "shared", "jaccard", "row_in_column", "column_in_row",
                  "row_id", "column_id")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overlaps-matrix")
        self.plot = style(self.addPlot(row=0, col=0))
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.showAxis("top")
        self.plot.showAxis("right", False)
        self.plot.setMouseEnabled(False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_map = overlap_colour_map()
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.colour_map, interactive=False, width=16)
        self.bar.setImageItem(self.image)
        self.addItem(self.bar, row=0, col=1)
        self.bar.axis.setTextPen(pg.mkPen(INK))
        self.selection = QGraphicsRectItem()
        self.selection.setPen(pg.mkPen(ACCENT, width=3, cosmetic=True))
        self.selection.setZValue(10)
        self.selection.hide()
        self.plot.addItem(self.selection)
        self._texts: list[pg.TextItem] = []
        self.matrix: OverlapMatrix | None = None
        self.values = np.zeros((0, 0))
        self.value_kind = "jaccard"
        self.scene().sigMouseMoved.connect(self._moved)
        self.scene().sigMouseClicked.connect(self._clicked)

    # -- data -------------------------------------------------------------
    def set_matrix(self, matrix: OverlapMatrix, value: str = "jaccard", order: str = "cluster") -> None:
        self.matrix = matrix.reordered(matrix.order(order)) if len(matrix) else matrix
        self.value_kind = value
        m = self.matrix
        n = len(m)
        if value == "jaccard":
            values, top = m.jaccard, 1.0
        elif value == "containment":
            values, top = m.containment, 1.0
        else:
            values = m.shared.astype(np.float64)
            off = values[~np.eye(n, dtype=bool)]
            top = float(off.max()) if off.size and off.max() > 0 else 1.0
        values = values.astype(np.float64).copy()
        np.fill_diagonal(values, np.nan)   # an area with itself says nothing: left blank
        self.values = values
        self.image.setImage(values if n else np.full((1, 1), np.nan), levels=(0, top), autoLevels=False)
        self.image.setRect(QRectF(0, 0, max(n, 1), max(n, 1)))
        self.bar.setLevels((0, top))
        self.bar.axis.setLabel(VALUES[value] + ("" if value != "shared" else f" ({UNIT_WORDS[m.by]})"),
                               color=INK)
        left = self.plot.getAxis("left")
        labels = [f"{short(name, 34)}  {k + 1}" for k, name in enumerate(m.names)]
        left.setTicks([[(k + 0.5, label) for k, label in enumerate(labels)]])
        metrics = QFontMetrics(left.font())
        left.setWidth(max((metrics.horizontalAdvance(t) for t in labels), default=20) + 16)
        top_axis = self.plot.getAxis("top")
        top_axis.setTicks([[(k + 0.5, str(k + 1)) for k in range(n)]])
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks([[]])
        bottom.setLabel("columns: the same areas, by number" if n else "nothing to compare", color=INK)
        self._write_cell_texts()
        self.selection.hide()
        self.plot.setRange(xRange=(0, max(n, 1)), yRange=(0, max(n, 1)), padding=0.01)

    def _write_cell_texts(self) -> None:
        for t in self._texts:
            self.plot.removeItem(t)
        self._texts = []
        n = len(self.values)
        if n > LABELS_UP_TO:
            return
        for i in range(n):
            for j in range(n):
                v = self.values[i, j]
                if np.isnan(v) or v == 0:
                    continue
                text = f"{v:.2f}" if self.value_kind != "shared" else f"{v:,.0f}"
                dark = self.image.levels is not None and v > 0.45 * self.image.levels[1]
                item = pg.TextItem(text, color="#FFFFFF" if dark else "#000000", anchor=(0.5, 0.5))
                item.setPos(j + 0.5, i + 0.5)
                self.plot.addItem(item)
                self._texts.append(item)

    # -- mouse ------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        if self.matrix is None or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.plot.vb.mapSceneToView(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        n = len(self.matrix)
        return (row, col) if 0 <= row < n and 0 <= col < n else None

    def cell_centre(self, row: int, col: int) -> QPointF:
        """Where a cell is in widget coordinates (for tests and tooltips)."""
        scene = self.plot.vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return QPointF(self.mapFromScene(scene))

    def describe(self, row: int, col: int) -> str:
        m = self.matrix
        a, b = m.names[row], m.names[col]
        if row == col:
            return f"{a}: {_amount(m.shared[row, row], m.by)}"
        shared = m.shared[row, col]
        return (f"{a} × {b}: {_amount(shared, m.by)} shared; Jaccard {m.jaccard[row, col]:.3f}; "
                f"{m.containment[row, col]:.0%} of {short(a, 30)} lies in {short(b, 30)}, "
                f"{m.containment[col, row]:.0%} of {short(b, 30)} in {short(a, 30)}")

    def _moved(self, scene_pos) -> None:
        cell = self.cell_at(scene_pos)
        text = self.describe(*cell) if cell else ""
        self.setToolTip(text)
        self.hovered.emit(text)

    def _clicked(self, event) -> None:
        cell = self.cell_at(event.scenePos())
        if cell is None or cell[0] == cell[1]:
            return
        self.select(*cell)
        self.pair_clicked.emit(int(self.matrix.ids[cell[0]]), int(self.matrix.ids[cell[1]]))

    def select(self, row: int, col: int) -> None:
        self.selection.setRect(QRectF(col, row, 1, 1))
        self.selection.show()

    def csv_rows(self) -> list[tuple]:
        m = self.matrix
        if m is None:
            return []
        jac, con = m.jaccard, m.containment
        return [(m.names[i], m.names[j], m.by, float(m.shared[i, j]), float(jac[i, j]), float(con[i, j]),
                 float(con[j, i]), int(m.ids[i]), int(m.ids[j]))
                for i in range(len(m)) for j in range(len(m)) if i != j]
