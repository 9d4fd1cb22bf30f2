"""UpSet plot: bars of intersection sizes over a dot matrix saying which sets form each."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QFontMetrics

from models.analysis.sets import Intersection
from models.errors import plural
from ui.overlaps.plots.common import ACCENT, BAR, GRID, INK, MUTED, PlotBase, pg, short, style

MAX_BARS = 40


class UpSetPlot(PlotBase):
    bar_clicked = Signal(list)   # the unit ids of the clicked intersection

    csv_header = ("areas", "degree", "mode", "wards", "population", "km2", "unit_ids")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bars_plot = style(self.addPlot(row=0, col=1))
        self.sets_plot = style(self.addPlot(row=1, col=0))
        self.dots_plot = style(self.addPlot(row=1, col=1))
        for p in (self.bars_plot, self.sets_plot, self.dots_plot):
            p.setMouseEnabled(False, False)
        self.dots_plot.setXLink(self.bars_plot)
        self.dots_plot.setYLink(self.sets_plot)
        self.sets_plot.invertX(True)
        self.sets_plot.invertY(True)
        self.dots_plot.invertY(True)
        self.sets_plot.getAxis("left").setTicks([[]])
        self.sets_plot.setLabel("bottom", "set size", color=INK)
        self.dots_plot.getAxis("bottom").setTicks([[]])
        self.bars_plot.getAxis("bottom").setTicks([[]])
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.ci.layout.setColumnStretchFactor(0, 1)
        self.ci.layout.setColumnStretchFactor(1, 4)
        self.items: list[Intersection] = []
        self.set_names: list[str] = []
        self.measure = "units"
        self.mode = "exclusive"
        self.selected: int | None = None
        self.scene().sigMouseClicked.connect(self._clicked)
        self.scene().sigMouseMoved.connect(self._moved)

    def set_data(self, items: list[Intersection], set_ids: list[int], set_names: list[str],
                 set_sizes: list[float], measure: str = "units", inclusive: bool = False) -> None:
        """items: intersections over the sets set_ids (in that row order)."""
        self.measure, self.mode = measure, "inclusive" if inclusive else "exclusive"
        self.all_items = items
        self.items = sorted(items, key=lambda x: -self._size(x))[:MAX_BARS]
        self.set_names = list(set_names)
        self.selected = None
        for p in (self.bars_plot, self.sets_plot, self.dots_plot):
            p.clear()
        n, k = len(set_ids), len(self.items)
        heights = np.array([self._size(x) for x in self.items], dtype=np.float64)
        self.bars = pg.BarGraphItem(x=np.arange(k), height=heights, width=0.7, brush=BAR, pen=None)
        self.bars_plot.addItem(self.bars)
        word = "wards" if measure == "units" else "people"
        self.bars_plot.setLabel("left", f"{self.mode} intersection ({word})", color=INK)
        if k <= MAX_BARS:
            for x, h in enumerate(heights):
                t = pg.TextItem(f"{h:,.0f}", color=INK, anchor=(0.5, 1.0))
                t.setPos(x, h)
                self.bars_plot.addItem(t)
        self.bars_plot.setXRange(-0.6, max(k, 1) - 0.4, padding=0)
        self.bars_plot.setYRange(0, (heights.max() if k else 1) * 1.15, padding=0)

        row_of = {sid: r for r, sid in enumerate(set_ids)}
        grey_x, grey_y = np.meshgrid(np.arange(k), np.arange(n))
        self.dots_plot.addItem(pg.ScatterPlotItem(grey_x.ravel(), grey_y.ravel(), size=11, pen=None,
                                                  brush=GRID))
        xs, ys, line_x, line_y = [], [], [], []
        for x, item in enumerate(self.items):
            rows = sorted(row_of[i] for i in item.area_ids)
            xs += [x] * len(rows)
            ys += rows
            line_x += [x, x]
            line_y += [rows[0], rows[-1]]
        self.dots_plot.addItem(pg.PlotDataItem(line_x, line_y, connect="pairs", pen=pg.mkPen(INK, width=2)))
        self.dots_plot.addItem(pg.ScatterPlotItem(xs, ys, size=11, pen=None, brush=INK))
        labels = [short(name, 34) for name in set_names]
        self.dots_plot.getAxis("left").setTicks([[(r, label) for r, label in enumerate(labels)]])
        # Bars and dots share x: their left axes must be equally wide to line up.
        metrics = QFontMetrics(self.dots_plot.getAxis("left").font())
        width = max([metrics.horizontalAdvance(t) for t in labels] + [60]) + 14
        self.dots_plot.getAxis("left").setWidth(width)
        self.bars_plot.getAxis("left").setWidth(width)
        self.dots_plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)

        sizes = np.asarray(set_sizes, dtype=np.float64)
        self.sets_plot.addItem(pg.BarGraphItem(x0=0, y=np.arange(n), height=0.6, width=sizes, brush=MUTED,
                                               pen=None))
        self.sets_plot.setXRange(0, (sizes.max() if n else 1) * 1.05, padding=0)

    def _size(self, item: Intersection) -> float:
        return item.units if self.measure == "units" else item.population

    def bar_at(self, scene_pos) -> int | None:
        vb = self.bars_plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        x = int(round(p.x()))
        if 0 <= x < len(self.items) and abs(p.x() - x) <= 0.35 and p.y() <= max(self._size(self.items[x]), 0):
            return x
        return None

    def bar_centre(self, index: int) -> QPointF:
        h = self._size(self.items[index])
        return QPointF(self.mapFromScene(self.bars_plot.vb.mapViewToScene(QPointF(index, h / 2))))

    def _clicked(self, event) -> None:
        index = self.bar_at(event.scenePos())
        if index is None:
            return
        self.selected = index
        brushes = [ACCENT if k == index else BAR for k in range(len(self.items))]
        self.bars.setOpts(brushes=brushes)
        self.bar_clicked.emit(list(self.items[index].unit_ids))

    def _moved(self, scene_pos) -> None:
        index = self.bar_at(scene_pos)
        if index is None:
            self.setToolTip("")
            return
        x = self.items[index]
        self.setToolTip(f"{' ∩ '.join(x.names)}\n{plural(x.units, 'ward')}, {x.population:,.0f} people, {x.km2:,.1f} km²")

    def csv_rows(self) -> list[tuple]:
        return [(" & ".join(x.names), x.degree, self.mode, x.units, x.population, round(x.km2, 6),
                 " ".join(map(str, x.unit_ids))) for x in getattr(self, "all_items", [])]
