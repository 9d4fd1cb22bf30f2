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

import hashlib
import os
import threading
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

    def __init__(self, geometries: np.ndarray, parent_codes: list[str | None] | None = None,
                 cache_dir: str | os.PathLike | None = None, key: str = ""):
        """cache_dir: where computed levels are kept between sessions (optional).

        Files there are named by a hash of the layer's coordinates and parent
        codes, so a changed layer never meets a stale level; `key` is such a hash
        when the caller has one already (UnitTable.digest), saving its cost here.
        """
        self.full = multipolygons(geometries)
        self.parent_codes = list(parent_codes) if parent_codes is not None else [None] * len(self.full)
        self._levels: dict[float, np.ndarray] = {0.0: self.full}
        self._rings: dict[float, Rings] = {}
        self._parents: dict[float, tuple[list[str], np.ndarray]] = {}
        self._lock = threading.Lock()
        self.bounds = (tuple(shapely.total_bounds(self.full)) if len(self.full)
                       else (0.0, 0.0, 1.0, 1.0))
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._key = (key or self._fingerprint()) if self._cache_dir else ""

    # -- the cache on disk -------------------------------------------------
    def _fingerprint(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(np.ascontiguousarray(shapely.get_coordinates(self.full)).tobytes())
        h.update(shapely.get_num_geometries(self.full).astype(np.int64).tobytes())
        h.update("\x1f".join(c or "" for c in self.parent_codes).encode())
        return h.hexdigest()

    def _file(self, tolerance: float) -> Path | None:
        if self._cache_dir is None or tolerance == 0.0:
            return None
        return self._cache_dir / f"lod-{self._key}-{tolerance:g}.npz"

    def _load(self, tolerance: float) -> bool:
        """Read a level (and its parents' outlines) saved by an earlier session."""
        path = self._file(tolerance)
        if path is None or not path.is_file():
            return False
        try:
            with np.load(path, allow_pickle=False) as z:
                geoms = _from_packed(z["wkb"], z["offsets"])
                parents = (list(z["codes"]), _from_packed(z["pwkb"], z["poffsets"]))
                flat = (Rings(z["xy"], z["ring_start"], z["geom_ring"]) if "geom_ring" in z.files
                        else None)
        except Exception:  # a damaged or foreign cache file is only a lost shortcut
            return False
        if len(geoms) != len(self.full) or (flat is not None and len(flat.geom_ring) != len(geoms) + 1):
            return False
        with self._lock:
            self._levels[tolerance] = multipolygons(geoms)
            self._parents[tolerance] = (parents[0], multipolygons(parents[1]))
            if flat is not None:
                self._rings[tolerance] = flat
        return True

    def _save(self, tolerance: float) -> None:
        path = self._file(tolerance)
        if path is None:
            return
        codes, outlines = self.parents(tolerance)
        wkb, offsets = _packed(self._levels[tolerance])
        pwkb, poffsets = _packed(outlines)
        # The flat rings too: rebuilding them from the geometries is the dearest step of
        # the next session's first frame.
        flat = self.rings(tolerance)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                np.savez(f, wkb=wkb, offsets=offsets, pwkb=pwkb, poffsets=poffsets,
                         codes=np.array(codes, dtype=str), xy=flat.xy,
                         ring_start=flat.ring_start, geom_ring=flat.geom_ring)
            os.replace(tmp, path)  # readers never see half a file
        except OSError:
            pass

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
        """The wanted level if computed (or cached on disk), else the nearest finer one."""
        if not self.has(tolerance):
            self._load(tolerance)
        with self._lock:
            ready = [t for t in self._levels if t <= tolerance]
        return max(ready)

    def level(self, tolerance: float) -> np.ndarray:
        """The layer simplified at this tolerance, computed on first use."""
        with self._lock:
            got = self._levels.get(tolerance)
        if got is not None:
            return got
        if self._load(tolerance):
            return self._levels[tolerance]
        # Start from the coarsest finer level already known: fewer vertices, same tiling.
        base = self._levels[self.best_available(tolerance)]
        simplified = multipolygons(shapely.coverage_simplify(base, tolerance)) if len(base) else base
        with self._lock:
            self._levels[tolerance] = simplified
        self._save(tolerance)
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

    def warm(self, tolerances=LEVELS, cancelled=lambda: False) -> None:
        """Compute levels (and their parents' outlines) ahead of need, coarsest first."""
        for t in sorted(tolerances, reverse=True):
            if cancelled():
                return
            self.rings(t)
            self.parents(t)


def _union(geoms: np.ndarray):
    """The coverage union of units, or their plain union where GEOS refuses: a layer imported
    before imports noded it may have edges that meet without sharing vertices."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def _packed(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometries as one byte array of WKB plus offsets: loadable without pickle."""
    wkbs = shapely.to_wkb(geoms) if len(geoms) else []
    lengths = np.array([len(w) for w in wkbs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    data = np.frombuffer(b"".join(wkbs), dtype=np.uint8) if len(wkbs) else np.zeros(0, np.uint8)
    return data, offsets


def _from_packed(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    raw = data.tobytes()
    return shapely.from_wkb([raw[a:b] for a, b in zip(offsets[:-1], offsets[1:])]) if len(offsets) > 1 \
        else np.array([], dtype=object)
