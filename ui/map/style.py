"""The map's colours, shared by the view, its overlays and the exports."""
from __future__ import annotations

from PySide6.QtGui import QColor

from models.catalogue.colours import AREA_PALETTE

NEUTRAL = QColor("#ecebe6")           # a unit in no area
WARD_EDGE = QColor(120, 120, 120, 150)
BOROUGH_EDGE = QColor("#2b2b2b")
OUTSIDE = QColor("#d9e6ef")           # beyond the layer: pale blue
AREA_ALPHA = 0.62

# Colour-blind-safe (Okabe & Ito) colours for new areas: models.catalogue.colours picks one.
AREA_COLOURS = AREA_PALETTE

# An area shown over others: a tint light enough that three stacked still read, and
# an outline that says where it ends.
AREA_TINT = 0.22
AREA_OUTLINE_PX = 2.0

# Coverage count: how many shown areas cover a ward, on a sequential scale
# (ColorBrewer YlOrRd, light = few); the last class is "this many or more".
COVERAGE_COLOURS = ("#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026")


def blend(colour: QColor, alpha: float = AREA_ALPHA) -> QColor:
    """An area colour laid over the neutral fill, as an opaque colour (no blending cost)."""
    return QColor.fromRgbF(*(alpha * c + (1 - alpha) * n for c, n in zip(
        colour.getRgbF()[:3], NEUTRAL.getRgbF()[:3])))


def tint(colour: QColor, alpha: float = AREA_TINT) -> QColor:
    """The translucent fill of an area drawn over others."""
    c = QColor(colour)
    c.setAlphaF(alpha)
    return c
