"""Pure geometry behind the drawing tools: which units a gesture picks, contiguity.

Positions are in the layer's CRS (metres, British National Grid). Results are
unit *indices* into the layer's UnitTable; callers turn them into ids.
"""
from __future__ import annotations

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from models.errors import CatalogueError

DEFAULT_SHARE = 0.5
# A free-drawn area "covers" a ward when at least this share of the ward is inside: an
# outline traced along a boundary by hand strays a few metres into the wards beyond.
COVER_SHARE = 0.05


def shape_from_points(points) -> shapely.Geometry:
    """A polygon from a drawn outline; a self-crossing outline is repaired, not refused.

    Raises CatalogueError with a one-line message when nothing with area remains.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) and not np.isfinite(pts).all():
        raise CatalogueError("the shape has points that are not on the map")
    # Consecutive duplicates add nothing and can make a ring degenerate.
    if len(pts) > 1:
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(np.diff(pts, axis=0) != 0, axis=1)
        pts = pts[keep]
    if len(pts) < 3:
        raise CatalogueError("draw a shape with at least three points")
    ring = shapely.Polygon(pts)
    if not ring.is_valid:
        # A lasso that crosses itself: keep every enclosed loop (make_valid splits
        # a figure of eight into its two lobes).
        ring = shapely.make_valid(ring)
    parts = [g for g in shapely.get_parts(ring) if g.geom_type == "Polygon" and g.area > 0]
    if not parts:
        raise CatalogueError("the shape encloses no area")
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


class Picker:
    """Spatial queries over one layer's units (an STRtree, built once)."""

    def __init__(self, geometries: np.ndarray):
        self.geometries = np.asarray(geometries, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self._areas = shapely.area(self.geometries)
        self._neighbours: list[np.ndarray | None] | None = None   # see neighbours
        shapely.prepare(self.geometries)

    def at(self, x: float, y: float) -> int | None:
        """The unit under a point, or None outside the layer."""
        hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return int(hits.min()) if len(hits) else None

    def brush(self, x: float, y: float, radius: float) -> np.ndarray:
        """Units the brush circle touches (any overlap): painting, not selecting by share."""
        if radius <= 0:
            hit = self.at(x, y)
            return np.array([] if hit is None else [hit], dtype=np.int64)
        circle = shapely.Point(x, y).buffer(radius, quad_segs=8)
        return np.sort(self.tree.query(circle, predicate="intersects")).astype(np.int64)

    def within_share(self, shape: shapely.Geometry, share: float = DEFAULT_SHARE) -> np.ndarray:
        """Units with at least `share` of their area inside the shape (share in 0..1].

        share=0 means any overlap at all.
        """
        if not 0 <= share <= 1:
            raise CatalogueError("the share must be between 0% and 100%")
        if shape is None or shape.is_empty:
            return np.array([], dtype=np.int64)
        candidates = self.tree.query(shape, predicate="intersects")
        if share == 0 or not len(candidates):
            return np.sort(candidates).astype(np.int64)
        shapely.prepare(shape)
        inside = shapely.contains_properly(shape, self.geometries[candidates])
        rest = candidates[~inside]
        overlap = shapely.area(shapely.intersection(self.geometries[rest], shape))
        # A hair of tolerance so a ward exactly half inside counts at 50%.
        ok = overlap >= share * self._areas[rest] * (1 - 1e-9)
        return np.sort(np.concatenate([candidates[inside], rest[ok]])).astype(np.int64)

    def neighbours(self, rows) -> list[np.ndarray]:
        """Each unit's neighbours across a stretch of boundary (see adjacency), computed once
        per unit for the layer's lifetime: the figures of an area being painted ask again on
        every few steps, and only the units new to them cost anything."""
        if self._neighbours is None:
            self._neighbours = [None] * len(self.geometries)
        known = self._neighbours
        new = np.array(sorted({int(r) for r in rows if known[int(r)] is None}), dtype=np.int64)
        if len(new):
            i, j = self.tree.query(self.geometries[new], predicate="intersects")
            other = new[i] != j
            i, j = i[other], j[other]
            common = shapely.intersection(self.geometries[new[i]], self.geometries[j])
            edge = shapely.length(common) > 1e-6
            i, j = i[edge], j[edge]
            order = np.argsort(i, kind="stable")
            i, j = i[order], j[order]
            cuts = np.searchsorted(i, np.arange(len(new) + 1))
            for k, u in enumerate(new.tolist()):
                known[u] = np.sort(j[cuts[k]:cuts[k + 1]]).astype(np.int64)
        return [known[int(r)] for r in rows]

    def parts_of(self, rows) -> np.ndarray:
        """parts() of the units at these rows, from the neighbours kept per unit."""
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        local = np.full(len(self.geometries), -1, dtype=np.int64)
        local[rows] = np.arange(n)
        lists = self.neighbours(rows)
        i = np.repeat(np.arange(n), [len(x) for x in lists])
        j = local[np.concatenate(lists)] if len(i) else np.zeros(0, dtype=np.int64)
        inside = j >= 0
        graph = coo_matrix((np.ones(int(inside.sum())), (i[inside], j[inside])), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        return labels.astype(np.int64)

    def snap(self, drawn: shapely.Geometry, share: float = DEFAULT_SHARE) -> np.ndarray:
        """The units a free-drawn polygon covers at the share threshold ("Snap to wards")."""
        picked = self.within_share(drawn, share)
        if not len(picked):
            raise CatalogueError(f"the drawn shape covers no unit by {share:.0%} or more")
        return picked


def covered_shares(geometries: np.ndarray, shape: shapely.Geometry,
                   tree: shapely.STRtree | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The units a shape overlaps (indices, ascending) and the share of each unit's
    area inside it (0..1]; `tree` is an STRtree over `geometries` if one is at hand."""
    geometries = np.asarray(geometries, dtype=object)
    if shape is None or shape.is_empty or not len(geometries):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    tree = tree if tree is not None else shapely.STRtree(geometries)
    rows = np.sort(tree.query(shape, predicate="intersects")).astype(np.int64)
    inside = shapely.area(shapely.intersection(geometries[rows], shape))
    whole = shapely.area(geometries[rows])
    shares = np.divide(inside, whole, out=np.zeros(len(rows)), where=whole > 0)
    keep = shares > 0  # touching along an edge only is not covering
    return rows[keep], np.minimum(shares[keep], 1.0)


def adjacency(geometries: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of units sharing a stretch of boundary (not just a corner).

    Candidates come from an STRtree; a pair counts when their intersection has
    length (a shared edge) or area (ONS tilings overlap by slivers in places).
    """
    geometries = np.asarray(geometries, dtype=object)
    if len(geometries) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geometries)
    i, j = tree.query(geometries, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    if not len(i):
        return np.zeros((0, 2), dtype=np.int64)
    common = shapely.intersection(geometries[i], geometries[j])
    edge = shapely.length(common) > 1e-6
    return np.column_stack([i[edge], j[edge]]).astype(np.int64)


def parts(geometries: np.ndarray) -> np.ndarray:
    """A part label per unit: units in one part are joined through shared edges."""
    n = len(geometries)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = adjacency(geometries)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)
