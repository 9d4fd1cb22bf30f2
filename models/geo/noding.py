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
    edges = shapely.coverage_invalid_edges(geoms)
    return np.flatnonzero(~(shapely.is_missing(edges) | shapely.is_empty(edges)))


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
