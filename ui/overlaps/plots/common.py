"""What every overlap plot shares: pyqtgraph on PySide6, a white style, exports."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import PySide6  # noqa: F401  (pyqtgraph picks the binding already imported)

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QRectF, QSize, QSizeF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFontMetrics, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgGenerator  # noqa: E402
from PySide6.QtWidgets import QGraphicsWidget  # noqa: E402

from models.errors import CatalogueError  # noqa: E402

INK = "#222222"
GRID = "#DDDDDD"
ACCENT = "#D55E00"      # selection and highlights (Okabe–Ito vermillion)
BAR = "#0072B2"         # Okabe–Ito blue
MUTED = "#9A9A9A"


def short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def style(plot: pg.PlotItem) -> pg.PlotItem:
    for name in ("left", "bottom", "top", "right"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(INK))
        axis.setTextPen(pg.mkPen(INK))
    plot.setMenuEnabled(False)
    plot.hideButtons()
    return plot


def key(columns: int = 1, offset=None) -> pg.LegendItem:
    """A legend in the plots' style. It is never anchored inside a plot's data area, where it
    would cover cells or bars: callers put it in a layout cell or a corner the axes leave free."""
    return pg.LegendItem(offset=offset, labelTextColor=INK, brush=pg.mkBrush(255, 255, 255, 230),
                         pen=pg.mkPen(INK), colCount=columns)


def key_size(legend: pg.LegendItem) -> QSizeF:
    """The size a legend's entries need, known before it is laid out or painted."""
    if not legend.items:
        return QSizeF(0, 0)
    return legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize)


def pin_size(legend: pg.LegendItem) -> None:
    """Hold a legend that sits in a layout cell to its entries' size, so that the cell cannot
    stretch its frame across the plot's width."""
    size = key_size(legend)
    legend.setMinimumSize(size)
    legend.setMaximumSize(size)
    legend.setVisible(bool(legend.items))


class RotatedAxis(pg.AxisItem):
    """A top or bottom axis whose tick labels stand upright (long names side by side)."""

    def __init__(self, orientation: str = "top", **kwargs):
        super().__init__(orientation, **kwargs)
        self._labels: dict[float, str] = {}

    def set_labels(self, labels: list[tuple[float, str]]) -> None:
        self._labels = dict(labels)
        self.setTicks([[(v, "") for v, _ in labels]])
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(t) for t in self._labels.values()), default=0)
        self.setHeight(widest + 12)

    def drawPicture(self, p: QPainter, axisSpec, tickSpecs, textSpecs) -> None:
        super().drawPicture(p, axisSpec, tickSpecs, [])
        lo, hi = sorted(self.range)
        values = [v for v in sorted(self._labels) if lo <= v <= hi]
        p.setPen(self.textPen())
        p.setFont(self.font())
        height = self.boundingRect().height()
        for (_, p1, _), value in zip(tickSpecs, values):
            p.save()
            if self.orientation == "top":
                p.translate(p1.x(), height - 6)
            else:
                p.translate(p1.x(), 6)
            p.rotate(-90)
            flags = Qt.AlignmentFlag.AlignVCenter | (Qt.AlignmentFlag.AlignLeft if self.orientation == "top"
                                                     else Qt.AlignmentFlag.AlignRight)
            rect = QRectF(0, -10, height, 20) if self.orientation == "top" else QRectF(-height, -10, height, 20)
            p.drawText(rect, flags, self._labels[value])
            p.restore()


class PlotBase(pg.GraphicsLayoutWidget):
    """A plot widget that exports itself as PNG, SVG or its numbers as CSV."""

    csv_header: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")

    def csv_rows(self) -> list[tuple]:
        return []

    def settle(self) -> None:
        """Apply pending layout now (axis widths changed with new labels), so that a grab
        or export straight after new data shows the new layout, not the old one."""
        for _ in range(2):   # outer layouts size the plots, whose own layouts place the axes
            for item in self.scene().items():
                # pyqtgraph items shadow layout() with an attribute: ask Qt directly.
                layout = QGraphicsWidget.layout(item) if isinstance(item, QGraphicsWidget) else None
                if layout is not None:
                    layout.activate()

    def export(self, path: str | Path) -> None:
        path = Path(path)
        suffix = path.suffix.lower()
        self.settle()
        try:
            if suffix == ".png":
                if not self.grab().save(str(path)):
                    raise OSError("the image could not be written")
            elif suffix == ".svg":
                self._write_svg(path)
            elif suffix == ".csv":
                with open(path, "w", newline="", encoding="utf-8") as f:
                    writer = csv.writer(f)
                    writer.writerow(self.csv_header)
                    writer.writerows(self.csv_rows())
            else:
                raise CatalogueError(f"export as .png, .svg or .csv, not '{suffix or path.name}'")
        except OSError as e:
            raise CatalogueError(f"could not write {path.name}: {e.strerror or e}") from None

    def _write_svg(self, path: Path) -> None:
        # The scene drawn through QPainter keeps text and shapes as vectors.
        # Axes lay out their labels (and drop those that would overlap) when first painted,
        # measuring text on that paint device; paint once on screen terms so that the
        # SVG replays the same labels the user sees.
        self.grab()
        size = self.size() if self.width() > 10 else QSize(900, 700)
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(type(self).__name__)
        # At the SVG default of 72 dpi text measures larger than on screen and the axes
        # drop labels they think overlap: draw at the screen's resolution.
        generator.setResolution(self.logicalDpiX())
        painter = QPainter(generator)
        try:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("white"))
            self.scene().render(painter, QRectF(0, 0, size.width(), size.height()),
                                QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
        if not path.exists():
            raise OSError("the SVG could not be written")
