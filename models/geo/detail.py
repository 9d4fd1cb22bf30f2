"""Level of detail for drawing a boundary layer: coverage-simplified copies, stored.

A map zoomed out to all of England and Wales shows a ward as a pixel or two, so
drawing its 100 stored vertices is wasted work. Each level here is the whole
layer simplified with `coverage_simplify`, which keeps the tiling exact (shared
edges stay shared; plain `simplify` would open gaps and overlaps between
neighbours). Levels are computed once per layer, when it is imported, and kept
in the catalogue with it (`pack`; Layers.save_levels): the map's first frame is
drawn from the coarsest level's stored flat rings without decoding a single
full geometry. Layers imported before that get theirs computed off the GUI thread
(shapely releases the GIL; ~7 s for the 8,071 England & Wales wards), cached
in the user's cache folder, while the map draws the best level already available.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

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

    def __init__(self, geometries, parent_codes: list[str | None] | None = None,
                 cache_dir: str | os.PathLike | None = None, key: str = "",
                 stored: Callable[[float], bytes | None] | None = None,
                 stored_levels: Iterable[float] = ()):
        """geometries: the units' full geometries, or a function giving them: then they are
        only decoded when something needs them (the first frame does not when levels are
        stored). parent_codes are then required (they give the number of units).

        stored(tolerance): a level's data as `pack` made it, kept with the layer (in the
        catalogue: see Layers.level_reader); stored_levels: the tolerances it holds.

        cache_dir: where levels computed at run time are kept between sessions (optional),
        for layers without stored levels. Files there are named by a hash of the layer's
        coordinates and parent codes, so a changed layer never meets a stale level; `key`
        is such a hash when the caller has one already (UnitTable.digest), saving its cost."""
        if callable(geometries):
            self._source, self._full = geometries, None
        else:
            self._source, self._full = None, multipolygons(geometries)
        if parent_codes is None:
            parent_codes = [None] * len(self.full)
        self.parent_codes = list(parent_codes)
        self._n = len(self.parent_codes)
        self._levels: dict[float, np.ndarray] = {}
        self._ragged: dict[float, tuple] = {}     # stored levels not yet made geometries
        self._rings: dict[float, Rings] = {}
        self._parents: dict[float, tuple[list[str], np.ndarray]] = {}
        self._lock = threading.Lock()
        self._full_lock = threading.Lock()
        self._stored = stored
        self._stored_levels = set(stored_levels) if stored else set()
        self._unit_size: float | None = None
        self._areas: np.ndarray | None = None
        self._points: np.ndarray | None = None
        self.bounds: tuple[float, float, float, float] | None = None
        self._cache_dir, self._key = None, ""
        # The coarsest stored level also holds the layer's extent and typical unit size.
        if self._stored_levels:
            self._load(max(self._stored_levels))
        if self.bounds is None:
            self.bounds = (tuple(float(v) for v in shapely.total_bounds(self.full)) if self._n
                           else (0.0, 0.0, 1.0, 1.0))
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._key = (key or self._fingerprint()) if self._cache_dir else ""
        self._also: list[Callable[[], None]] = []

    @property
    def full(self) -> np.ndarray:
        """Every unit as stored (as MultiPolygons), decoded on first use."""
        got = self._full
        if got is not None:
            return got
        with self._full_lock:
            if self._full is None:
                self._full = multipolygons(self._source())
                self._source = None
            return self._full

    def unit_areas(self) -> np.ndarray:
        """Every unit's area in m² (of its full geometry: stored with the levels)."""
        if self._areas is None:
            self._areas = shapely.area(self.full) if self._n else np.zeros(0)
        return self._areas

    def label_points(self) -> np.ndarray:
        """A point inside every unit's full geometry, (n, 2): where its name is written
        (stored with the levels, like the areas)."""
        if self._points is None:
            self._points = (shapely.get_coordinates(shapely.point_on_surface(self.full)) if self._n
                            else np.zeros((0, 2)))
        return self._points

    def unit_size(self) -> float:
        """A typical unit's width in metres (the square root of the median area)."""
        if self._unit_size is None:
            self._unit_size = float(np.sqrt(np.median(self.unit_areas()))) if self._n else 1.0
        return self._unit_size

    # -- stored levels and the cache on disk --------------------------------
    def _fingerprint(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(np.ascontiguousarray(shapely.get_coordinates(self.full)).tobytes())
        h.update(shapely.get_num_geometries(self.full).astype(np.int64).tobytes())
        h.update("\x1f".join(c or "" for c in self.parent_codes).encode())
        return h.hexdigest()

    def _file(self, tolerance: float) -> Path | None:
        if self._cache_dir is None or tolerance == 0.0:
            return None
        return self._cache_dir / f"lod2-{self._key}-{tolerance:g}.npz"

    def _load(self, tolerance: float) -> bool:
        """Read a level (and its parents' outlines) stored with the layer or saved by an
        earlier session."""
        data = None
        if tolerance in self._stored_levels:
            data = self._stored(tolerance)
        if data is None:
            path = self._file(tolerance)
            if path is None or not path.is_file():
                return False
            try:
                data = path.read_bytes()
            except OSError:
                return False
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                unit = (z["xy"], z["ring_start"], z["poly_ring"], z["geom_poly"])
                parent = (z["pxy"], z["pring_start"], z["ppoly_ring"], z["pgeom_poly"])
                codes = [str(c) for c in z["codes"]]
                bounds, areas, points = tuple(float(v) for v in z["bounds"]), z["areas"], z["points"]
        except Exception:  # a damaged or foreign file is only a lost shortcut
            return False
        if len(unit[3]) != self._n + 1 or len(parent[3]) != len(codes) + 1 or len(areas) != self._n \
                or points.shape != (self._n, 2):
            return False
        with self._lock:
            self._ragged[tolerance] = unit
            self._rings[tolerance] = Rings(unit[0], unit[1].astype(np.int64),
                                           unit[2][unit[3]].astype(np.int64))
            self._parents[tolerance] = (codes, _from_ragged(parent))
            if self.bounds is None:
                self.bounds, self._areas, self._points = bounds, areas, points
        return True

    def pack(self, tolerance: float) -> bytes:
        """A level with its parents' outlines and flat rings, as bytes for `stored` or a file:
        plain arrays (.npz without pickle), so reading one back needs no geometry decoding."""
        codes, outlines = self.parents(tolerance)
        unit = _to_ragged(self.level(tolerance))
        parent = _to_ragged(outlines)
        f = io.BytesIO()
        np.savez(f, xy=unit[0], ring_start=unit[1], poly_ring=unit[2], geom_poly=unit[3],
                 pxy=parent[0], pring_start=parent[1], ppoly_ring=parent[2], pgeom_poly=parent[3],
                 codes=np.array(codes, dtype=str), bounds=np.array(self.bounds, dtype=np.float64),
                 areas=self.unit_areas(), points=self.label_points())
        return f.getvalue()

    def _save(self, tolerance: float) -> None:
        path = self._file(tolerance)
        if path is None:
            return
        data = self.pack(tolerance)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # readers never see half a file
        except OSError:
            pass

    def __len__(self) -> int:
        return self._n

    @staticmethod
    def level_for(metres_per_pixel: float) -> float:
        """The coarsest level whose tolerance is still below a pixel at this scale."""
        usable = [t for t in LEVELS if t <= metres_per_pixel * PIXELS_PER_TOLERANCE]
        return max(usable) if usable else 0.0

    def has(self, tolerance: float) -> bool:
        with self._lock:
            return tolerance == 0.0 or tolerance in self._levels or tolerance in self._ragged

    def best_available(self, tolerance: float) -> float:
        """The wanted level if computed (or stored, or cached on disk), else the nearest finer one."""
        if not self.has(tolerance):
            self._load(tolerance)
        with self._lock:
            ready = [t for t in (*self._levels, *self._ragged, 0.0) if t <= tolerance]
        return max(ready)

    def level(self, tolerance: float) -> np.ndarray:
        """The layer simplified at this tolerance, computed on first use."""
        if tolerance == 0.0:
            return self.full
        with self._lock:
            got, ragged = self._levels.get(tolerance), self._ragged.get(tolerance)
        if got is not None:
            return got
        if ragged is None and self._load(tolerance):
            with self._lock:
                ragged = self._ragged[tolerance]
        if ragged is not None:
            made = _from_ragged(ragged)
        else:
            # Start from the coarsest finer level already known: fewer vertices, same tiling.
            base = self.level(self.best_available(tolerance))
            made = multipolygons(shapely.coverage_simplify(base, tolerance)) if len(base) else base
        with self._lock:
            self._levels[tolerance] = made
        if ragged is None:
            self._save(tolerance)
        return made

    def rings(self, tolerance: float) -> Rings:
        with self._lock:
            got = self._rings.get(tolerance)
            known = tolerance == 0.0 or tolerance in self._levels or tolerance in self._ragged
        if got is not None:
            return got
        if not known and self._load(tolerance):   # stored flat: no geometry to build them from
            return self._rings[tolerance]
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
        if tolerance != 0.0 and self._load(tolerance):
            return self._parents[tolerance]
        geoms = self.level(tolerance)
        codes = sorted({c for c in self.parent_codes if c})
        index = {c: k for k, c in enumerate(codes)}
        members: list[list[int]] = [[] for _ in codes]
        for i, c in enumerate(self.parent_codes):
            if c:
                members[index[c]].append(i)
        outlines = np.array([_union(geoms[m]) for m in members], dtype=object)
        made = (codes, multipolygons(outlines) if len(outlines) else outlines)
        with self._lock:
            self._parents[tolerance] = made
        return made

    def parents_if_ready(self, tolerance: float) -> np.ndarray | None:
        """The parents' outlines at this level if already made (see parents), else None:
        callers that can do without them do not wait for them."""
        with self._lock:
            got = self._parents.get(tolerance)
        return None if got is None else got[1]

    def also_warm(self, work: Callable[[], None]) -> None:
        """More work for `warm` to do after the levels (the map's spatial index): whoever
        warms the layer in the background does it too."""
        self._also.append(work)

    def warm(self, tolerances=LEVELS, cancelled=lambda: False,
             progress: Callable[[float, str], None] | None = None) -> None:
        """Compute levels (and their parents' outlines) ahead of need, coarsest first.

        progress(fraction, text) is told before each level; it may raise to stop."""
        order = sorted(tolerances, reverse=True)
        for k, t in enumerate(order):
            if cancelled():
                return
            if progress:
                progress(k / len(order), f"Simplifying the map's outlines ({t:g} m)"
                         if t else "Preparing the map's full outlines")
            self.rings(t)
            self.parents(t)
        for work in self._also:
            if cancelled():
                return
            work()


def _union(geoms: np.ndarray):
    """The coverage union of units, or their plain union where GEOS refuses: a layer imported
    before imports noded it may have edges that meet without sharing vertices."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def _to_ragged(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(xy, ring_start, poly_ring, geom_poly) of MultiPolygons: shapely's ragged layout."""
    geoms = multipolygons(geoms)
    if len(geoms) == 0:
        z = np.zeros(1, dtype=np.int64)
        return np.zeros((0, 2)), z, z, z
    _, xy, (ring_start, poly_ring, geom_poly) = shapely.to_ragged_array(geoms)
    return (np.ascontiguousarray(xy[:, :2], dtype=np.float64), ring_start.astype(np.int64),
            poly_ring.astype(np.int64), geom_poly.astype(np.int64))


def _from_ragged(ragged) -> np.ndarray:
    xy, ring_start, poly_ring, geom_poly = ragged
    if len(geom_poly) <= 1:
        return np.array([], dtype=object)
    return shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, xy,
                                     (ring_start, poly_ring, geom_poly))
