"""Making a tiling exactly noded, so coverage operations accept it.

`coverage_union_all` and `coverage_simplify` assume every shared edge is stored
the same way on both sides: a vertex on one unit's edge is a vertex of the
neighbour too. Layers made by councils, or by splitting wards, often break that
(a cut ends on a neighbour's edge without a vertex there): the layer is valid
and nothing overlaps, yet GEOS fails ("CoverageUnion cannot process incorrectly
noded inputs", "found two shells") or simplifies the two sides apart.

The repair is local: only units whose edges GEOS reports as unmatched, and their
neighbours, are rebuilt from their noded common linework.
"""
from __future__ import annotations

import numpy as np
import shapely


def unmatched(geoms: np.ndarray) -> np.ndarray:
    """Rows of units with an edge that matches no neighbour's edge exactly, but touches one.

    An edge on the layer's outer boundary has no neighbour and is fine; GEOS reports
    only edges that meet a neighbour's edge without matching it."""
    if len(geoms) < 2:
        return np.zeros(0, dtype=np.int64)
    geoms = np.asarray(geoms, dtype=object)
    # GEOS's check costs ~0.1 ms a unit (0.9 s for 8k wards, 2.5-4 s for 161k). A tiling
    # noded exactly has each segment twice, once in each unit beside it; a segment found
    # once lies on the layer's outer edge, or along another unit's lone segment where
    # the two were not noded. Only units of the second kind are handed to GEOS, with
    # everything around them: its verdict on a unit depends on that only.
    try:
        alone = _suspects(geoms)
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        # Something the flat arrays do not take (a missing or non-polygonal unit):
        # GEOS looks at the whole layer, as it would have anyway.
        alone = np.arange(len(geoms))
    if len(alone) == 0:
        return alone
    _, near = shapely.STRtree(geoms).query(geoms[alone])
    rows = np.union1d(alone, near)
    edges = shapely.coverage_invalid_edges(geoms[rows])
    return rows[~(shapely.is_missing(edges) | shapely.is_empty(edges))]


def _mix(bits: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: 64 well-mixed bits from 64 (wrapping uint64 arithmetic)."""
    bits = (bits ^ (bits >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    bits = (bits ^ (bits >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return bits ^ (bits >> np.uint64(31))


def _suspects(geoms: np.ndarray) -> np.ndarray:
    """Rows of units with a lone segment (_lone_segments) that runs along another unit's.

    Where a stretch of edge is not noded, the two sides' lone segments meet at the
    stretch's ends, where the edge leaves the line, and there one side's segment runs
    along the other's. On the layer's outer edge, lone segments of two units meet only
    where a boundary between them reaches the outside, and go apart from there. So
    only segments ending where lone segments of two units meet are looked at: whether
    one's midpoint lies on the other's segment, within 1e-7 of the layer's size for
    rounding."""
    unit, start, end, ends = _lone_segments(geoms)
    if len(unit) == 0:
        return unit
    # Points where lone segments of two or more units end.
    points, owners = np.concatenate(ends), np.concatenate([unit, unit])
    order = np.lexsort((owners, points))
    points, owners = points[order], owners[order]
    pair = np.ones(len(points), dtype=bool)
    pair[1:] = (points[1:] != points[:-1]) | (owners[1:] != owners[:-1])
    distinct = points[pair]
    shared = distinct[1:][distinct[1:] == distinct[:-1]]
    at_junction = np.flatnonzero(np.isin(ends[0], shared) | np.isin(ends[1], shared))
    if len(at_junction) < 2:
        return np.zeros(0, dtype=np.int64)
    unit, start, end = unit[at_junction], start[at_junction], end[at_junction]
    span = np.concatenate([start, end])
    size = float(np.max(span.max(axis=0) - span.min(axis=0)))
    tree = shapely.STRtree(shapely.linestrings(np.stack([start, end], axis=1)))
    at, near = tree.query(shapely.points((start + end) / 2), predicate="dwithin",
                          distance=max(size, 1.0) * 1e-7)
    other = unit[at] != unit[near]
    return np.union1d(unit[at[other]], unit[near[other]])


def _lone_segments(geoms: np.ndarray):
    """(unit row, start xy, end xy, (start key, end key)) of each segment that no other
    ring has, either way; a key names a point by its exact coordinates.

    Points are compared by a 64-bit hash of their coordinates' bits, segments by the sum
    of their ends' (so a segment and its reverse agree); two different segments share
    one with a chance of ~1e-7 at 161k units, which would hide a unit from the check."""
    with np.errstate(over="ignore"):
        _, coords, offsets = shapely.to_ragged_array(geoms)
        bits = np.ascontiguousarray(coords[:, :2]).view(np.uint64)
        point = _mix(bits[:, 0] ^ _mix(bits[:, 1]))
        key = point[:-1] + point[1:]
    # Coordinate i starts a segment unless it closes its ring.
    ring_at = offsets[0]
    starts = np.ones(len(point) - 1, dtype=bool)
    starts[ring_at[1:-1] - 1] = False
    # Offsets go rings -> polygons (-> multipolygons, when the layer has any).
    unit_of_ring = np.arange(len(ring_at) - 1)
    for outer in offsets[1:]:
        unit_of_ring = np.repeat(np.arange(len(outer) - 1), np.diff(outer))[unit_of_ring]
    unit_of_point = np.repeat(unit_of_ring, np.diff(ring_at))
    first = np.flatnonzero(starts)
    order = np.argsort(key[first])
    ordered = key[first][order]
    single = np.ones(len(ordered), dtype=bool)
    same = ordered[1:] == ordered[:-1]
    single[1:] &= ~same
    single[:-1] &= ~same
    lone = np.sort(first[order[single]])
    xy = coords[:, :2]
    return unit_of_point[lone], xy[lone], xy[lone + 1], (point[lone], point[lone + 1])


def node(geoms: np.ndarray, bad: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(geometries, rows rebuilt): the layer with unmatched edges noded against their
    neighbours. Each piece of the noded linework's faces goes to the unit it lies in, so
    areas and extents are unchanged; units already noded are returned as they were.

    bad: the rows `unmatched` gives, when the caller found them already (on the layer
    before reprojecting it: moving every vertex by the same function keeps shared
    vertices shared, so the same units are unmatched)."""
    geoms = np.asarray(geoms, dtype=object)
    bad = unmatched(geoms) if bad is None else np.asarray(bad, dtype=np.int64)
    if len(bad) == 0:
        return geoms, bad
    tree = shapely.STRtree(geoms)
    _, near = tree.query(geoms[bad], predicate="intersects")
    rows = np.union1d(bad, near)
    # Linework unioned is linework noded: every crossing and touching point becomes a vertex.
    faces = shapely.get_parts(shapely.polygonize(
        [shapely.union_all(shapely.boundary(geoms[rows]))]))
    faces = faces[shapely.area(faces) > 0]
    sub = shapely.STRtree(geoms[rows])
    inside = shapely.point_on_surface(faces)
    face_at, owner_at = sub.query(inside, predicate="within")
    # A point in two units (an overlap thinner than the input's precision) goes to the first.
    first = np.unique(face_at, return_index=True)[1]
    face_at, owner_at = face_at[first], owner_at[first]
    out = geoms.copy()
    for k in np.unique(owner_at):
        mine = faces[face_at[owner_at == k]]
        out[rows[k]] = shapely.coverage_union_all(mine) if len(mine) > 1 else mine[0]
    # Neighbours that gained no vertex keep their stored form (polygonize restarts rings).
    same = shapely.equals_exact(shapely.normalize(out[rows]), shapely.normalize(geoms[rows]))
    out[rows[same]] = geoms[rows[same]]
    return out, rows[~same]
