"""Coverage: wards coloured by how many partnerships cover them, uncovered wards loud."""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGraphicsPathItem

from models.analysis.sets import Coverage, CoverageClass
from models.errors import plural
from ui.overlaps.plots.common import INK, PlotBase, key, pg, pin_size, style

UNCOVERED = "#E8412C"   # stands out against the blues
BLUES = ("#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C", "#08306B")


def class_colours(legend: list[CoverageClass]) -> list[str]:
    """One colour per legend class: class 0 (none) red, then light to dark blue."""
    return [UNCOVERED if c.high == 0 else BLUES[min(k - 1, len(BLUES) - 1)] for k, c in enumerate(legend)]


def rings_path(geometries: np.ndarray):
    """One QPainterPath holding every ring of these polygons (odd-even fill keeps holes)."""
    if len(geometries) == 0:
        return pg.arrayToQPath(np.zeros(0), np.zeros(0))
    rings = shapely.get_rings(shapely.get_parts(geometries))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    connect = np.append(ring[1:] == ring[:-1], False)
    return pg.arrayToQPath(xy[:, 0], xy[:, 1], connect=connect)


class CoveragePlot(PlotBase):
    csv_header = ("code", "name", "partnerships", "class", "covered_by")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overlaps-coverage")
        self.plot = style(self.addPlot())
        self.plot.setAspectLocked(True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        # The key beside the map, not on it: London's outline reaches every corner of its box.
        self.legend = key()
        self.addItem(self.legend, row=0, col=1)
        self.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.coverage: Coverage | None = None
        self._paths: list[QGraphicsPathItem] = []
        self._tree = None
        self._geoms = None
        self.scene().sigMouseMoved.connect(self._moved)

    def set_coverage(self, coverage: Coverage, geometries: np.ndarray, title: str = "") -> None:
        """geometries: the shapes of coverage.unit_ids, in the same order."""
        self.coverage, self._geoms = coverage, geometries
        self._tree = shapely.STRtree(geometries) if len(geometries) else None
        for item in self._paths:
            self.plot.removeItem(item)
        self._paths = []
        self.legend.clear()
        klass, legend = coverage.classes()
        for k, (entry, colour) in enumerate(zip(legend, class_colours(legend))):
            if entry.units:   # an empty path upsets the SVG writer
                item = QGraphicsPathItem(rings_path(geometries[klass == k]))
                item.setBrush(QBrush(QColor(colour)))
                item.setPen(pg.mkPen("#FFFFFF", width=0.6, cosmetic=True))
                self.plot.addItem(item)
                self._paths.append(item)
            sample = pg.ScatterPlotItem(symbol="s", size=14, brush=colour, pen=pg.mkPen(INK, width=0.5))
            word = "ward" if entry.units == 1 else "wards"
            name = ("covered by none" if entry.high == 0 else
                    f"{entry.label} partnership{'' if entry.high == 1 else 's'}")
            self.legend.addItem(sample, f"{name}: {entry.units:,} {word}")
        pin_size(self.legend)
        self.plot.setTitle(title, color=INK)
        if len(geometries):
            x0, y0, x1, y1 = shapely.total_bounds(geometries)
            self.plot.vb.setRange(QRectF(x0, y0, x1 - x0, y1 - y0), padding=0.02)

    def _moved(self, scene_pos) -> None:
        if self._tree is None or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            self.setToolTip("")
            return
        p = self.plot.vb.mapSceneToView(scene_pos)
        hits = self._tree.query(shapely.Point(p.x(), p.y()), predicate="intersects")
        if not len(hits):
            self.setToolTip("")
            return
        row = int(hits[0])
        c = self.coverage
        names = c.covering_row(row)
        self.setToolTip(f"{c.names[row]} ({c.codes[row]}): {plural(c.counts[row], 'partnership')}"
                        + ("\n" + "\n".join(names) if names else ""))

    def csv_rows(self) -> list[tuple]:
        c = self.coverage
        if c is None:
            return []
        klass, legend = c.classes()
        return [(c.codes[i], c.names[i], int(c.counts[i]), legend[klass[i]].label,
                 "; ".join(c.covering_row(i))) for i in range(len(c.unit_ids))]
