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
    rows = np.union1d(alone, _boxes_meeting(geoms, alone))
    edges = shapely.coverage_invalid_edges(geoms[rows])
    return rows[~(shapely.is_missing(edges) | shapely.is_empty(edges))]


def _boxes_meeting(geoms: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Units whose bounding boxes meet those of `rows` (as STRtree.query finds them). A
    few rows (the usual case) are compared with every box directly: building the tree of
    161k units for them cost more than the comparisons."""
    if len(rows) * len(geoms) > 20_000_000:
        return shapely.STRtree(geoms).query(geoms[rows])[1]
    x0, y0, x1, y1 = shapely.bounds(geoms).T
    near = [np.flatnonzero((x0 <= x1[r]) & (x1 >= x0[r]) & (y0 <= y1[r]) & (y1 >= y0[r])) for r in rows]
    return np.concatenate(near) if near else np.zeros(0, dtype=np.int64)


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
    xy, closing, unit_of_point = _rings(geoms)
    with np.errstate(over="ignore"):
        bits = np.ascontiguousarray(xy).view(np.uint64)
        point = _mix(bits[:, 0] ^ _mix(bits[:, 1]))
        key = point[:-1] + point[1:]
    # Coordinate i starts a segment unless it closes its ring.
    starts = np.ones(len(point) - 1, dtype=bool)
    starts[closing[:-1]] = False
    first = np.flatnonzero(starts)
    keys = key[first]
    # The keys found once: sorted values (not an argsort: a third less time for 2M
    # segments), then each segment looked up among them.
    ordered = np.sort(keys)
    single = np.ones(len(ordered), dtype=bool)
    same = ordered[1:] == ordered[:-1]
    single[1:] &= ~same
    single[:-1] &= ~same
    once = ordered[single]
    if len(once) == 0:
        return np.zeros(0, dtype=np.int64), xy[:0], xy[:0], (point[:0], point[:0])
    # A table of 2^22 flags by the keys' top bits first: looking up every key among the
    # sorted ones cost twice the sort; the few it lets through (the lone keys, and ~3%
    # more) are looked up exactly.
    flags = np.zeros(1 << 22, dtype=bool)
    flags[once >> np.uint64(42)] = True
    maybe = np.flatnonzero(flags[keys >> np.uint64(42)])
    at = np.minimum(np.searchsorted(once, keys[maybe]), len(once) - 1)
    lone = first[maybe[once[at] == keys[maybe]]]
    return unit_of_point[lone], xy[lone], xy[lone + 1], (point[lone], point[lone + 1])


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xy of every coordinate, index of each ring's closing coordinate, unit row of each
    coordinate), for polygonal units.

    A ring ends where its first point comes back: in a valid polygon a ring does not touch
    itself, so the first return is its end. Found from the flat coordinates a ring at a time
    for every unit at once (most units are one ring), without building ring objects, which
    shapely.to_ragged_array does (half a second at 161k units). A unit whose rings do not
    close that way (an invalid one) raises ValueError; an import stores such units
    repaired and looks at them again."""
    types = shapely.get_type_id(geoms)
    if not np.isin(types, (3, 6)).all():
        raise ValueError("only polygons and multipolygons have rings")
    counts = shapely.get_num_coordinates(geoms)
    xy = shapely.get_coordinates(geoms)
    x, y = xy[:, 0], xy[:, 1]
    stop = np.cumsum(counts)
    start, stop = (stop - counts)[counts > 0], stop[counts > 0]
    closing = []
    while len(start):   # one round per ring: the first ring of every unit, then the second…
        lengths = stop - start
        if lengths.sum() == len(x):   # every coordinate (the first round): no gathering
            idx, xs, ys = np.arange(len(x)), x, y
        else:
            before = np.cumsum(lengths) - lengths
            idx = np.arange(int(lengths.sum())) + np.repeat(start - before, lengths)
            xs, ys = x[idx], y[idx]
        returns = (xs == np.repeat(x[start], lengths)) & (ys == np.repeat(y[start], lengths))
        returns[np.cumsum(lengths) - lengths] = False   # the start itself
        hits = idx[returns]
        at = np.searchsorted(hits, start)
        if (at >= len(hits)).any():
            raise ValueError("a ring does not close")
        end = hits[at]
        if (end >= stop).any() or (end - start < 3).any():
            raise ValueError("a ring does not close")
        closing.append(end)
        more = end + 1 < stop
        start, stop = end[more] + 1, stop[more]
    closing = np.sort(np.concatenate(closing)) if closing else np.zeros(0, dtype=np.int64)
    unit_of_point = np.repeat(np.arange(len(geoms)), counts)
    return xy, closing, unit_of_point


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
