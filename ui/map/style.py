"""The map's colours, shared by the view, its overlays and the exports."""
from __future__ import annotations

from PySide6.QtGui import QColor

NEUTRAL = QColor("#ecebe6")           # a unit in no area
WARD_EDGE = QColor(120, 120, 120, 150)
BOROUGH_EDGE = QColor("#2b2b2b")
OUTSIDE = QColor("#d9e6ef")           # beyond the layer: pale blue
AREA_ALPHA = 0.62

# Colour-blind-safe (Okabe & Ito) colours for new areas, in turn.
AREA_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")


def blend(colour: QColor, alpha: float = AREA_ALPHA) -> QColor:
    """An area colour laid over the neutral fill, as an opaque colour (no blending cost)."""
    return QColor.fromRgbF(*(alpha * c + (1 - alpha) * n for c, n in zip(
        colour.getRgbF()[:3], NEUTRAL.getRgbF()[:3])))
