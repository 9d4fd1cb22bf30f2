"""What stays on top of the map in screen space: scale bar, legend, attribution.

Drawn from QGraphicsView.drawForeground, so the same code draws them on screen
and into an exported PNG, SVG or PDF (QGraphicsView.render calls it too).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui.map.legend import Legend


def nice_length(max_metres: float) -> float:
    """The largest 1, 2 or 5 x 10^k metres not above max_metres."""
    if max_metres <= 0 or not math.isfinite(max_metres):
        return 0.0
    k = math.floor(math.log10(max_metres))
    for m in (5, 2, 1):
        if m * 10 ** k <= max_metres:
            return m * 10 ** k
    return 10 ** k


def length_text(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def draw(painter: QPainter, legend: Legend | None, attribution: str, top_right: float = 0) -> None:
    """top_right: how much of the top right corner a widget over the map takes (the find box)."""
    world = painter.worldTransform()
    scale = math.hypot(world.m11(), world.m12())  # device pixels per metre
    device = painter.device()
    ratio = device.devicePixelRatioF() or 1.0  # painting is in logical pixels
    w, h = device.width() / ratio, device.height() / ratio
    dpi = device.logicalDpiX() / 96.0 if device.logicalDpiX() > 0 else 1.0
    painter.save()
    painter.resetTransform()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    font = QFont()
    font.setPointSizeF(8.5)
    painter.setFont(font)
    fm = QFontMetricsF(font, device)
    pad = 6 * dpi
    box = QColor(255, 255, 255, 215)
    bottom_left = bottom_right = 0.0   # what the scale bar and the attribution take

    # Scale bar, bottom left.
    if scale > 0:
        metres = nice_length(140 * dpi / scale)
        if metres > 0:
            length = metres * scale
            x0, y0 = 12 * dpi, h - 14 * dpi
            text = length_text(metres)
            bar = QRectF(x0 - pad, y0 - fm.height() - 10 * dpi, length + 2 * pad + fm.horizontalAdvance(text) + pad,
                         fm.height() + 18 * dpi)
            painter.fillRect(bar, box)
            bottom_left = h - bar.top()
            painter.setPen(QPen(QColor("black"), 2 * dpi))
            painter.drawLine(QPointF(x0, y0), QPointF(x0 + length, y0))
            for x in (x0, x0 + length):
                painter.drawLine(QPointF(x, y0), QPointF(x, y0 - 6 * dpi))
            painter.drawText(QPointF(x0 + length + pad, y0), text)

    # Attribution, bottom right, always.
    if attribution:
        width = min(fm.horizontalAdvance(attribution) + 2 * pad, w * 0.6)
        rect = QRectF(w - width - 6 * dpi, h - 6 * dpi, width, 0)
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        bound = fm.boundingRect(QRectF(0, 0, width - 2 * pad, 1e6), int(flags), attribution)
        rect.setTop(rect.bottom() - bound.height() - 2 * pad)
        painter.fillRect(rect, box)
        bottom_right = h - rect.top()
        painter.setPen(QColor("#333333"))
        painter.drawText(rect.adjusted(pad, pad, -pad, -pad), int(flags), attribution)

    # Legend: in the corner that leaves the selected area in view.
    if isinstance(legend, Legend):
        legend.paint(painter, world, fm, w, h, dpi, bottom_left, bottom_right,
                     on_screen=isinstance(device, QWidget), top_right=top_right)
    painter.restore()
