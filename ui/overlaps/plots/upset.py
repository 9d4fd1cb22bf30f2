"""UpSet plot: bars of intersection sizes over a dot matrix saying which sets form each."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QFontMetrics

from models.analysis.sets import Intersection
from models.errors import plural
from ui.overlaps.plots.common import ACCENT, BAR, GRID, INK, MUTED, PlotBase, pg, short, style

MAX_BARS = 40
STRIPE = "#F2F2F2"
DOT = 11.0   # the matrix dots' largest size in pixels


def count_ticks(top: float, count: int = 5) -> list[float]:
    """Whole-number ticks from 0 to top, steps of 1, 2, 2.5 (25 and up) or 5 times a power of ten."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** np.floor(np.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = max(next(m * magnitude for m in steps if m * magnitude >= raw), 1.0)
    return [float(v) for v in np.arange(0, top + step * 1e-9, step)]


def compact(value: float) -> str:
    """A count short enough for a bar's width: 950, 9,500, 95k, 9.5M (tooltips give it whole)."""
    if abs(value) < 10_000:
        return f"{value:,.0f}"
    if abs(value) < 1_000_000:
        return f"{value / 1000:,.0f}k"
    return f"{value / 1_000_000:,.1f}M"


class CountAxis(pg.AxisItem):
    """The intersection sizes' axis. It is as wide as the set names under it, so that bars
    and dots share their columns; its title sits beside its own tick labels, not at the far
    side of that width where pyqtgraph puts a left axis's title."""

    tick_text_width = 0   # a class default: the base class resizes before __init__ returns

    def __init__(self):
        super().__init__("left")

    def set_counts(self, top: float) -> None:
        labels = [(v, compact(v)) for v in count_ticks(top)]
        self.setTicks([labels])
        metrics = QFontMetrics(self.font())
        self.tick_text_width = max(metrics.horizontalAdvance(text) for _, text in labels)
        self.resizeEvent()

    def resizeEvent(self, ev=None) -> None:
        super().resizeEvent(ev)
        if self.label is None:
            return
        beside_ticks = (self.size().width() - self.tick_text_width - self.style["tickTextOffset"][0]
                        - max(0, self.style["tickLength"]) - self.label.boundingRect().height())
        self.label.setX(max(self.label.x(), beside_ticks))


class UpSetPlot(PlotBase):
    bar_clicked = Signal(list)   # the unit ids of the clicked intersection

    csv_header = ("areas", "degree", "mode", "wards", "population", "km2", "unit_ids")
    _bottom_axis_height: int | None = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overlaps-upset")
        # Intersection sizes on top, the matrix of dots under them in the same columns, the set
        # sizes left of the matrix's rows growing away from the names (UpSet, Lex et al. 2014).
        self.bars_plot = style(self.addPlot(row=0, col=1, axisItems={"left": CountAxis()}))
        self.sets_plot = style(self.addPlot(row=1, col=0))
        self.dots_plot = style(self.addPlot(row=1, col=1))
        for p in (self.bars_plot, self.sets_plot, self.dots_plot):
            p.setMouseEnabled(False, False)
        self.dots_plot.setXLink(self.bars_plot)
        self.dots_plot.setYLink(self.sets_plot)
        self.sets_plot.invertX(True)
        self.sets_plot.invertY(True)
        self.dots_plot.invertY(True)
        self.bars_plot.hideAxis("bottom")   # the matrix below says what each bar is
        self.sets_plot.hideAxis("left")
        self.sets_plot.showAxis("right")    # a base line where the set bars start, next to the names
        self.sets_plot.getAxis("right").setTicks([[]])
        self.sets_plot.getAxis("right").setWidth(2)
        self.sets_plot.setLabel("bottom", "set size", color=INK)
        self.dots_plot.getAxis("bottom").setTicks([[]])
        # Both bottom axes equally high, so that the set bars stay level with their rows of dots.
        height = 2 * QFontMetrics(self.sets_plot.getAxis("bottom").font()).height() + 14
        for p in (self.sets_plot, self.dots_plot):
            p.getAxis("bottom").setHeight(height)
        self._bottom_axis_height = height
        self.ci.layout.setColumnStretchFactor(0, 1)
        self.ci.layout.setColumnStretchFactor(1, 4)
        self._share_rows()
        self.items: list[Intersection] = []
        self.set_names: list[str] = []
        self.measure = "units"
        self.mode = "exclusive"
        self.selected: int | None = None
        self._figures: list[pg.TextItem] = []
        self._dots: list[pg.ScatterPlotItem] = []
        self.bars_plot.vb.sigResized.connect(self._fit_marks)
        self.dots_plot.vb.sigResized.connect(self._fit_marks)
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
        self._figures = []
        for x, h in enumerate(heights):
            t = pg.TextItem(compact(h), color=INK, anchor=(0.5, 1.0))
            t.setPos(x, h)
            self.bars_plot.addItem(t)
            self._figures.append(t)
        self.bars_plot.setXRange(-0.6, max(k, 1) - 0.4, padding=0)
        top = (heights.max() if k else 1) * 1.15   # room for the figures over the bars
        self.bars_plot.setYRange(0, top, padding=0)
        self.bars_plot.getAxis("left").set_counts(top)

        row_of = {sid: r for r, sid in enumerate(set_ids)}
        # Every other row shaded, to follow a set's row from its name across many columns.
        stripes = pg.BarGraphItem(x0=-0.6, y=np.arange(0, n, 2), height=1.0, width=max(k, 1) + 0.2,
                                  brush=STRIPE, pen=None)
        stripes.setZValue(-10)
        self.dots_plot.addItem(stripes)
        grey_x, grey_y = np.meshgrid(np.arange(k), np.arange(n))
        self._dots = [pg.ScatterPlotItem(grey_x.ravel(), grey_y.ravel(), size=DOT, pen=None, brush=GRID)]
        self.dots_plot.addItem(self._dots[0])
        xs, ys, line_x, line_y = [], [], [], []
        for x, item in enumerate(self.items):
            rows = sorted(row_of[i] for i in item.area_ids)
            xs += [x] * len(rows)
            ys += rows
            line_x += [x, x]
            line_y += [rows[0], rows[-1]]
        self.dots_plot.addItem(pg.PlotDataItem(line_x, line_y, connect="pairs", pen=pg.mkPen(INK, width=2)))
        self._dots.append(pg.ScatterPlotItem(xs, ys, size=DOT, pen=None, brush=INK))
        self.dots_plot.addItem(self._dots[1])
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
        widest = (sizes.max() if n else 1) * 1.05
        self.sets_plot.setXRange(0, widest, padding=0)
        self.sets_plot.getAxis("bottom").setTicks([[(v, compact(v)) for v in count_ticks(widest, 4)]])
        self._fit_marks()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)   # sizes the central layout to the new view first
        self._share_rows()

    def _share_rows(self) -> None:
        """Bars and matrix half and half. Stretch factors cannot promise it: Qt's grid shares
        out space by the plots' own size hints, which left the matrix a fifth of the height."""
        if self._bottom_axis_height is None:   # resized while the base class is built: no plots yet
            return
        layout = self.ci.layout
        _, top, _, bottom = layout.getContentsMargins()
        free = self.ci.size().height() - top - bottom - layout.verticalSpacing() - self._bottom_axis_height
        layout.setRowFixedHeight(0, max(free / 2, 0))

    def _fit_marks(self) -> None:
        """Dots and figures as large as the columns allow: up to 40 bars share the width, and a
        narrow window or figures in the millions would run them into each other."""
        k, n = len(self.items), len(self.set_names)
        if not k:
            return
        column = self.bars_plot.vb.width() / (k + 0.2)   # pixels per bar (x spans k + 0.2)
        row = self.dots_plot.vb.height() / (n + 0.2)
        size = max(3.0, min(DOT, 0.7 * column, 0.7 * row))
        for dots in self._dots:
            dots.setSize(size)
        # All figures or none: a row of numbers with gaps reads as missing data.
        fits = max(t.textItem.boundingRect().width() for t in self._figures) <= 0.95 * column
        for t in self._figures:
            t.setVisible(fits)

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
