"""Which colour a new area gets: the palette colour least used, far from its neighbours'.

    colour = pick_colour([a.colour for a in areas], nearby=[b.colour for b in touching])

Handing out palette colours in turn ("count mod 8") repeats a colour every
eighth area wherever it lands, so two neighbours can share one and read as
one area. Instead a new area takes the palette colour used by the fewest
areas; among those it takes the one farthest, in perceived colour (CIELAB,
ΔE 1976), from the colours of the areas that share or border its units, so
that what meets it on the map looks different. Remaining ties go to palette
order, so the choice is the same every time.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import shapely

# Okabe & Ito's colours, distinguishable with the common colour-vision deficiencies.
AREA_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _linear(c: float) -> float:
    """An sRGB channel (0-1) as linear light."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(colour: str) -> tuple[float, float, float]:
    """#RRGGBB in CIELAB (D65 white)."""
    if not _HEX.match(colour):
        raise ValueError(f"'{colour}' is not a colour like #0072B2")
    r, g, b = (_linear(int(colour[k:k + 2], 16) / 255) for k in (1, 3, 5))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def distance(a: str, b: str) -> float:
    """How different two colours look: ΔE 1976 (about 2.3 is just noticeable)."""
    (l1, a1, b1), (l2, a2, b2) = lab(a), lab(b)
    return ((l1 - l2) ** 2 + (a1 - a2) ** 2 + (b1 - b2) ** 2) ** 0.5


def pick_colour(in_use: Iterable[str], nearby: Iterable[str] = (),
                palette: tuple[str, ...] = AREA_PALETTE) -> str:
    """The palette colour for a new area.

    in_use: the colours of the areas there already (any colour; only palette
    colours are counted). nearby: the colours of the areas that share or border
    the new area's units (unreadable ones are ignored). Least used first, then
    farthest from the nearest of `nearby`, then palette order.
    """
    if not palette:
        raise ValueError("the palette is empty")
    counts = Counter(c.upper() for c in in_use if isinstance(c, str))
    near = [c for c in nearby if isinstance(c, str) and _HEX.match(c)]
    fewest = min(counts[c.upper()] for c in palette)
    candidates = [c for c in palette if counts[c.upper()] == fewest]
    if not near:
        return candidates[0]
    # max() keeps the first of equals: palette order breaks the remaining ties.
    return max(candidates, key=lambda c: min(distance(c, n) for n in near))


def touching(geometries, rows: Iterable[int], tree: shapely.STRtree | None = None) -> set[int]:
    """The rows of the units that border these units, and the units themselves.

    geometries: the layer's units (a tiling); tree: an STRtree over them if the
    caller has one. `intersects` finds the same pairs as `touches` on a tiling,
    several times faster."""
    rows = sorted(set(int(r) for r in rows))
    if not rows:
        return set()
    geometries = np.asarray(geometries, dtype=object)
    tree = tree if tree is not None else shapely.STRtree(geometries)
    hits = tree.query(geometries[rows], predicate="intersects")
    return set(rows) | set(hits[1].tolist())


def nearby_colours(unit_ids: Iterable[int], areas: Iterable, near_ids: Iterable[int] = ()) -> list[str]:
    """The colours of the areas holding any of these units or of `near_ids` (their neighbours)."""
    wanted = set(unit_ids) | set(near_ids)
    return [a.colour for a in areas if wanted & a.unit_ids]
