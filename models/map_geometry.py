"""Level of detail for drawing a boundary layer: coverage-simplified copies, cached.

A map zoomed out to all of England and Wales shows a ward as a pixel or two, so
drawing its 100 stored vertices is wasted work. Each level here is the whole
layer simplified with `coverage_simplify`, which keeps the tiling exact (shared
edges stay shared; plain `simplify` would open gaps and overlaps between
neighbours). Levels are computed once per layer and kept; computing one for the
8,071 England & Wales wards takes ~1.5 s, so callers may do it off the GUI
thread (shapely releases the GIL) and draw the best level already available.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely

# Simplification tolerances in metres; 0 is the geometry as stored. A level is
# used when its tolerance is below about one screen pixel.
LEVELS = (0.0, 40.0, 160.0, 640.0)
PIXELS_PER_TOLERANCE = 1.0


def multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Every geometry as a MultiPolygon, so one ragged layout describes them all."""
    geoms = np.asarray(geoms, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        geoms = geoms.copy()
        geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return geoms


@dataclass(frozen=True)
class Rings:
    """A layer's outlines as flat arrays: what a path builder wants, no shapely objects.

    xy[k] is a vertex; ring_start[r] is the first vertex of ring r (with a
    sentinel at the end); geom_ring[i]..geom_ring[i+1] are the rings of unit i.
    """
    xy: np.ndarray          # float64 (n, 2)
    ring_start: np.ndarray  # int64 (rings + 1,)
    geom_ring: np.ndarray   # int64 (units + 1,)

    def vertex_range(self, i: int) -> tuple[int, int]:
        return int(self.ring_start[self.geom_ring[i]]), int(self.ring_start[self.geom_ring[i + 1]])


def rings(geoms: np.ndarray) -> Rings:
    geoms = multipolygons(geoms)
    if len(geoms) == 0:
        z = np.zeros(1, dtype=np.int64)
        return Rings(np.zeros((0, 2)), z, z)
    _, xy, (ring_start, poly_ring, geom_poly) = shapely.to_ragged_array(geoms)
    return Rings(xy=np.ascontiguousarray(xy[:, :2], dtype=np.float64),
                 ring_start=ring_start.astype(np.int64),
                 geom_ring=poly_ring[geom_poly].astype(np.int64))


class LayerGeometry:
    """One layer's geometry at every level of detail, plus its parents' outlines.

    Thread-safe: a level may be computed in a worker while the GUI reads others.
    """

    def __init__(self, geometries: np.ndarray, parent_codes: list[str | None] | None = None):
        self.full = multipolygons(geometries)
        self.parent_codes = list(parent_codes) if parent_codes is not None else [None] * len(self.full)
        self._levels: dict[float, np.ndarray] = {0.0: self.full}
        self._rings: dict[float, Rings] = {}
        self._parents: dict[float, tuple[list[str], np.ndarray]] = {}
        self._lock = threading.Lock()
        self.bounds = (tuple(shapely.total_bounds(self.full)) if len(self.full)
                       else (0.0, 0.0, 1.0, 1.0))

    def __len__(self) -> int:
        return len(self.full)

    @staticmethod
    def level_for(metres_per_pixel: float) -> float:
        """The coarsest level whose tolerance is still below a pixel at this scale."""
        usable = [t for t in LEVELS if t <= metres_per_pixel * PIXELS_PER_TOLERANCE]
        return max(usable) if usable else 0.0

    def has(self, tolerance: float) -> bool:
        with self._lock:
            return tolerance in self._levels

    def best_available(self, tolerance: float) -> float:
        """The wanted level if computed, else the nearest finer one (full detail at worst)."""
        with self._lock:
            ready = [t for t in self._levels if t <= tolerance]
        return max(ready)

    def level(self, tolerance: float) -> np.ndarray:
        """The layer simplified at this tolerance, computed on first use."""
        with self._lock:
            got = self._levels.get(tolerance)
        if got is not None:
            return got
        # Start from the coarsest finer level already known: fewer vertices, same tiling.
        base = self._levels[self.best_available(tolerance)]
        simplified = multipolygons(shapely.coverage_simplify(base, tolerance)) if len(base) else base
        with self._lock:
            self._levels[tolerance] = simplified
        return simplified

    def rings(self, tolerance: float) -> Rings:
        with self._lock:
            got = self._rings.get(tolerance)
        if got is not None:
            return got
        made = rings(self.level(tolerance))
        with self._lock:
            self._rings[tolerance] = made
        return made

    def parents(self, tolerance: float) -> tuple[list[str], np.ndarray]:
        """(parent codes, their outlines): each the coverage union of its units at this level."""
        with self._lock:
            got = self._parents.get(tolerance)
        if got is not None:
            return got
        geoms = self.level(tolerance)
        codes = sorted({c for c in self.parent_codes if c})
        index = {c: k for k, c in enumerate(codes)}
        members: list[list[int]] = [[] for _ in codes]
        for i, c in enumerate(self.parent_codes):
            if c:
                members[index[c]].append(i)
        outlines = np.array([shapely.coverage_union_all(geoms[m]) for m in members], dtype=object)
        made = (codes, multipolygons(outlines) if len(outlines) else outlines)
        with self._lock:
            self._parents[tolerance] = made
        return made

    def warm(self, tolerances=LEVELS, cancelled=lambda: False) -> None:
        """Compute levels (and their parents' outlines) ahead of need, coarsest first."""
        for t in sorted(tolerances, reverse=True):
            if cancelled():
                return
            self.rings(t)
            self.parents(t)
