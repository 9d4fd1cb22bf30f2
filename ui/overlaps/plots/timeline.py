"""Timeline: one bar per partnership from start to end; an open side fades out
(the catalogue has no date there), membership changes are marked, the chosen
year is a band across all bars.

Evidence is drawn as evidence: a dot at each cited source's year and a thin bar from
first to last seen. A partnership with neither dates nor evidence gets no bar at all:
a bar across every year read as a long-lived partnership."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QLinearGradient

from models.analysis.timeline import TimelineRow
from ui.overlaps.plots.common import INK, MUTED, PlotBase, key, pg, pin_size, short, style

STATUS_COLOURS = {"active": "#0072B2", "ended": "#7F7F7F", "proposed": "#56B4E9"}
JOINED, LEFT = "#009E73", "#D55E00"
CITED = "#CC79A7"            # Okabe–Ito reddish purple: apart from the status colours
UNKNOWN_MARK = "?"


def _fading(colour: str, x0: float, x1: float, fade_start: bool, fade_end: bool) -> QBrush:
    solid, clear = QColor(colour), QColor(colour)
    clear.setAlpha(25)
    gradient = QLinearGradient(QPointF(x0, 0), QPointF(x1, 0))
    gradient.setColorAt(0.0, clear if fade_start else solid)
    gradient.setColorAt(0.35, solid if not (fade_start and fade_end) else QColor(colour).lighter(130))
    gradient.setColorAt(0.65, solid if not (fade_start and fade_end) else QColor(colour).lighter(130))
    gradient.setColorAt(1.0, clear if fade_end else solid)
    return QBrush(gradient)


class TimelinePlot(PlotBase):
    csv_header = ("partnership", "kind", "status", "start", "end", "membership_changes", "cited_years",
                  "first_seen", "last_seen", "as_of")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overlaps-timeline")
        self.plot = style(self.addPlot())
        self.plot.invertY(True)
        self.plot.setMouseEnabled(False, False)
        self.plot.showGrid(x=True, y=False, alpha=0.25)
        self.plot.setLabel("bottom", "year", color=INK)
        self.rows: list[TimelineRow] = []
        self.year_band = pg.LinearRegionItem(brush=pg.mkBrush(230, 159, 0, 60), pen=pg.mkPen(None),
                                             movable=False)
        self.year_band.setZValue(-10)
        self._events: list[tuple[float, int, str]] = []
        self.marks: list[tuple[float, int]] = []     # (year, row) of each cited source's dot
        self.seen_bars: list[tuple[float, float, int]] = []
        # The key in a row of its own under the years: open-ended bars run to the right edge and
        # the first rows start at the top, so no corner of the data area is reliably free.
        self.legend = key(columns=len(STATUS_COLOURS) + 4)
        self.addItem(self.legend, row=1, col=0)
        self.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._years = (0, 0)
        self.plot.vb.sigResized.connect(self._fit_years)
        self.scene().sigMouseMoved.connect(self._moved)

    def set_rows(self, rows: list[TimelineRow], span: tuple[int, int], year: int | None = None) -> None:
        self.rows = rows
        self.plot.clear()
        lo, hi = span[0] - 1, span[1] + 2   # room for open ends on both sides
        self._events, self.marks, self.seen_bars = [], [], []
        unknown_rows = []
        for y, r in enumerate(rows):
            colour = STATUS_COLOURS.get(r.status, MUTED)
            if r.start is not None or r.end is not None:
                x0 = r.start if r.start is not None else lo
                x1 = r.end if r.end is not None else hi
                self.plot.addItem(pg.BarGraphItem(x0=[x0], y=[y], width=[x1 - x0], height=0.6,
                                                  pen=pg.mkPen(colour, width=1),
                                                  brush=_fading(colour, x0, x1, r.start is None, r.end is None)))
            if r.seen is not None:   # the researcher's first..last seen: evidence, thinner than a span
                self.seen_bars.append((r.seen[0], r.seen[1], y))
                self.plot.addItem(pg.BarGraphItem(x0=[r.seen[0]], y=[y], width=[r.seen[1] - r.seen[0]],
                                                  height=0.16, pen=pg.mkPen(colour, width=1), brush=colour))
            # A source's year as a dot in the middle of that year.
            self.marks += [(year + 0.5, y) for year in r.cited_years]
            if r.state == "unknown":
                unknown_rows.append(y)
            for e in r.events:
                self._events.append((e.year, y, f"{e.organisation} {e.change} {r.name} ({e.date})"))
        if self.marks:
            xs, ys = zip(*self.marks)
            self.plot.addItem(pg.ScatterPlotItem(xs, ys, symbol="o", size=9, brush=CITED,
                                                 pen=pg.mkPen(INK, width=0.6)))
        if unknown_rows and year is not None:   # included on request: say so where the eye is
            for y in unknown_rows:
                text = pg.TextItem(UNKNOWN_MARK, color=MUTED, anchor=(0.5, 0.5))
                text.setPos(year + 0.5, y)
                self.plot.addItem(text)
        for change, colour, symbol in (("joined", JOINED, "t1"), ("left", LEFT, "t")):
            pts = [(x, y) for x, y, text in self._events if f" {change} " in text]
            if pts:
                xs, ys = zip(*pts)
                self.plot.addItem(pg.ScatterPlotItem(xs, ys, symbol=symbol, size=13, brush=colour,
                                                     pen=pg.mkPen(INK, width=0.7)))
        legend = self.legend
        legend.clear()
        for status in sorted({r.status for r in rows}, key=list(STATUS_COLOURS).index):
            legend.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=STATUS_COLOURS[status], pen=None), status)
        for change, colour, symbol in (("joined", JOINED, "t1"), ("left", LEFT, "t")):
            if any(f" {change} " in text for _, _, text in self._events):
                legend.addItem(pg.ScatterPlotItem(symbol=symbol, size=12, brush=colour, pen=None), change)
        if self.marks:
            legend.addItem(pg.ScatterPlotItem(symbol="o", size=9, brush=CITED, pen=None), "source's year")
        if self.seen_bars:
            legend.addItem(pg.BarGraphItem(x0=[0], y=[0], width=[1], height=0.2, brush=MUTED, pen=None),
                           "first–last seen")
        if unknown_rows and year is not None:
            legend.addItem(pg.ScatterPlotItem(symbol="o", size=1, brush=None, pen=None),
                           f"{UNKNOWN_MARK} no evidence for {year}")
        pin_size(legend)
        if year is not None:
            self.year_band.setRegion((year, year + 1))
            self.plot.addItem(self.year_band)
        left = self.plot.getAxis("left")
        labels = [short(r.name, 44) for r in rows]
        left.setTicks([[(y, label) for y, label in enumerate(labels)]])
        left.setWidth(max([QFontMetrics(left.font()).horizontalAdvance(t) for t in labels] + [40]) + 14)
        self._years = (lo, hi)
        self._fit_years()
        self.plot.setXRange(lo, hi, padding=0.01)
        self.plot.setYRange(-0.7, max(len(rows), 1) - 0.3, padding=0)

    def _fit_years(self) -> None:
        """Label every year, or every 2nd, 5th, 10th…, whichever leaves room between the labels
        at the plot's present width; a tick marks every year. A fixed step ran the labels into
        one another in a narrow window."""
        lo, hi = self._years
        if hi <= lo:
            return
        axis = self.plot.getAxis("bottom")
        per_year = self.plot.vb.width() / (hi - lo)
        room = QFontMetrics(axis.font()).horizontalAdvance("0000") + 12
        step = next((s for s in (1, 2, 5, 10, 20, 50) if s * per_year >= room), 100)
        first = lo + (-lo) % step
        axis.setTicks([[(float(v), str(v)) for v in range(first, hi + 1, step)],
                       [(float(v), "") for v in range(lo, hi + 1)]])

    def _moved(self, scene_pos) -> None:
        if not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            self.setToolTip("")
            return
        p = self.plot.vb.mapSceneToView(scene_pos)
        near = [text for x, y, text in self._events if abs(x - p.x()) < 0.3 and abs(y - p.y()) < 0.4]
        row = int(np.round(p.y()))
        if near:
            self.setToolTip("\n".join(near))
        elif 0 <= row < len(self.rows):
            self.setToolTip(self.describe(self.rows[row]))
        else:
            self.setToolTip("")

    @staticmethod
    def describe(r: TimelineRow) -> str:
        if r.start_text or r.end_text:
            text = f"{r.name}: {r.start_text or 'start unknown'} to {r.end_text or 'no end date'} ({r.status})"
        else:
            text = f"{r.name}: no dates ({r.status})"
        if r.seen_text != (None, None):
            first, last = r.seen_text
            text += f"; seen {first or last}" + (f" to {last}" if first and last and last != first else "")
        if r.cited_years:
            text += "; cited in sources of " + ", ".join(map(str, r.cited_years))
        if r.state:
            text += f"; {r.state} in the chosen year"
        return text

    def csv_rows(self) -> list[tuple]:
        return [(r.name, r.kind, r.status, r.start_text or "", r.end_text or "",
                 "; ".join(f"{e.organisation} {e.change} {e.date}" for e in r.events),
                 " ".join(map(str, r.cited_years)), r.seen_text[0] or "", r.seen_text[1] or "", r.state or "")
                for r in self.rows]
