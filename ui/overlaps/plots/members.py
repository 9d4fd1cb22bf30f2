"""Members matrix: organisations (rows) x partnerships (columns), cells coloured by role,
with the dates a member joined or left written in the cell."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics

from models.analysis.overlaps import MemberGrid
from ui.overlaps.plots.common import INK, PlotBase, RotatedAxis, key, key_size, pg, short, style

ROLE_COLOURS = {"lead": "#D55E00", "member": "#0072B2", "funder": "#009E73", "commissioner": "#CC79A7",
                "provider": "#E69F00", "observer": "#999999"}


ROW_PIXELS = 17
LEGEND_GAP = 4   # pixels between the roles' key and the corner's edges


def span_text(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'}–{end or ''}"


class MembersPlot(PlotBase):
    csv_header = ("organisation", "partnership", "role", "joined", "left", "partnership_start",
                  "partnership_end")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overlaps-members")
        self.top_axis = RotatedAxis("top")
        self.plot = style(self.addPlot(axisItems={"top": self.top_axis}))
        self.plot.showAxis("top")
        self.plot.hideAxis("bottom")
        self.plot.invertY(True)
        self.plot.setMouseEnabled(False, False)
        self.top_axis.setPen(pg.mkPen(INK))
        self.top_axis.setTextPen(pg.mkPen(INK))
        # The roles' key sits in the plot's top-left corner, between the organisation names and
        # the partnership labels: no cell can be there, and the tab opens scrolled to the top.
        self.legend = key(offset=(LEGEND_GAP, LEGEND_GAP))
        self.legend.setParentItem(self.plot)
        self.grid: MemberGrid | None = None
        self._cells: dict[tuple[int, int], str] = {}
        self.scene().sigMouseMoved.connect(self._moved)

    def set_grid(self, grid: MemberGrid) -> None:
        self.grid = grid
        self.plot.clear()
        self.legend.clear()
        n_rows, n_cols = len(grid.organisations), len(grid.partnerships)
        ys, xs = np.meshgrid(np.arange(n_rows), np.arange(n_cols), indexing="ij")
        self.plot.addItem(pg.BarGraphItem(x0=xs.ravel(), y0=ys.ravel(), width=1, height=1,
                                          brush="#F6F6F6", pen=pg.mkPen("#FFFFFF", width=1)))
        roles = sorted({m.role for m in grid.cells.values()}, key=list(ROLE_COLOURS).index)
        for role in roles:
            keys = [k for k, m in grid.cells.items() if m.role == role]
            rows = np.array([k[0] for k in keys], dtype=float)
            cols = np.array([k[1] for k in keys], dtype=float)
            bars = pg.BarGraphItem(x0=cols + 0.06, y0=rows + 0.06, width=0.88, height=0.88,
                                   brush=ROLE_COLOURS[role], pen=None)
            self.plot.addItem(bars)
            self.legend.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=ROLE_COLOURS[role], pen=None), role)
        small = QFont()
        small.setPointSizeF(6.5)
        self._cells = {}
        for (r, c), m in grid.cells.items():
            dates = span_text(m.joined, m.left)
            self._cells[r, c] = (f"{grid.organisations[r].name} in {grid.partnerships[c].name}: {m.role}"
                                 + (f", {dates}" if dates else ""))
            if dates:
                t = pg.TextItem(dates, color="#FFFFFF", anchor=(0.5, 0.5))
                t.setFont(small)
                t.setPos(c + 0.5, r + 0.5)
                self.plot.addItem(t)
        left = self.plot.getAxis("left")
        names = [short(o.name, 30) for o in grid.organisations]
        left.setTicks([[(r + 0.5, name) for r, name in enumerate(names)]])
        legend = key_size(self.legend)   # the corner grows to hold the key when the labels are short
        left.setWidth(max([QFontMetrics(left.font()).horizontalAdvance(t) for t in names]
                          + [40, legend.width() + LEGEND_GAP]) + 14)
        self.top_axis.set_labels([(c + 0.5, short(p.name, 40) + (f"  {span_text(p.start, p.end)}"
                                                                  if span_text(p.start, p.end) else ""))
                                  for c, p in enumerate(grid.partnerships)])
        self.top_axis.setHeight(max(self.top_axis.fixedHeight or 0, legend.height() + 2 * LEGEND_GAP))
        self.plot.setRange(xRange=(0, max(n_cols, 1)), yRange=(0, max(n_rows, 1)), padding=0.005)
        # Rows stay readable: the tab scrolls a tall matrix rather than squeezing it.
        self.setMinimumHeight(int(self.top_axis.fixedHeight or 0) + ROW_PIXELS * max(n_rows, 1) + 40)

    def _moved(self, scene_pos) -> None:
        if self.grid is None or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            self.setToolTip("")
            return
        p = self.plot.vb.mapSceneToView(scene_pos)
        self.setToolTip(self._cells.get((int(np.floor(p.y())), int(np.floor(p.x()))), ""))

    def csv_rows(self) -> list[tuple]:
        g = self.grid
        if g is None:
            return []
        return [(g.organisations[r].name, g.partnerships[c].name, m.role, m.joined or "", m.left or "",
                 g.partnerships[c].start or "", g.partnerships[c].end or "")
                for (r, c), m in sorted(g.cells.items())]
