"""The part of a big area a repaint exposes, as a path to fill and a path to stroke.

    fills, lines = exposed_paths(geoms, lines, (minx, miny, maxx, maxy))   # QPainterPaths
    geoms, lines = clipped(geoms, lines, window)   # geometries: to a window round the view

A pan of a zoomed-in map repaints a strip a few pixels wide of the areas' cached pixmap,
and Qt's stroker costs by the vertices of the whole path whatever the clip (~6 ms for a
6,000-vertex outline 6.5 px wide, its fill under the clip ~1 ms more), while GEOS clips
that outline to a rectangle in ~0.02 ms. So an area too big to keep as an image is
clipped to the exposed rectangle first: its FILL is the polygon clipped (drawn without a
pen), its OUTLINE the boundary lines clipped (drawn without a brush), so the cuts are
never stroked. The caller grows the rectangle by more than the pen and the
antialiasing reach, so the cuts fall outside what is painted and the picture is the one
stroking the whole path gives.

GEOS cuts a ring's boundary where the ring starts (a closed line clipped comes back as
two pieces meeting at its first vertex): the pieces are merged again, so the pen joins
them there as it joins the whole ring, instead of capping two ends.
"""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtGui import QPainterPath

from ui.map.paths import _ELEMENT, _LINE, _MOVE, _ODD_EVEN, _read

_POLYGON = 3
_LINES = (1, 2)   # LineString, LinearRing


def exposed_paths(geoms: list, lines: list, rect: tuple[float, float, float, float]):
    """Per geometry (model metres; scene y is minus northing), its polygon clipped to rect as a
    path to fill, and its boundary lines (shapely.boundary, or those clipped to a window holding
    rect) clipped to rect as a path to stroke. Either may be an empty path (nothing of it in rect)."""
    fills, lines = clipped(geoms, lines, rect)
    return _paths(fills, polygons=True), _paths(lines, polygons=False)


def clipped(geoms: list, lines: list, rect: tuple[float, float, float, float]):
    """Per geometry, its polygon and its boundary lines clipped to rect (the pieces GEOS cuts at a
    ring's first vertex merged again). The lines must be the boundary's, not the clipped
    polygon's, whose cuts are no outline."""
    minx, miny, maxx, maxy = rect
    fills = shapely.clip_by_rect(np.asarray(geoms, dtype=object), minx, miny, maxx, maxy)
    lines = shapely.line_merge(shapely.clip_by_rect(np.asarray(lines, dtype=object), minx, miny, maxx, maxy))
    return fills, lines


def _paths(geoms: np.ndarray, polygons: bool) -> list[QPainterPath]:
    """One path per geometry, in one stream read: a polygon's rings, or a line's parts, each a
    subpath (the rings closed by their repeated first vertex, as geometry_path draws them)."""
    n = len(geoms)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    # A clip may leave a collection holding a bare line or point where a polygon touched the cut.
    keep = np.isin(shapely.get_type_id(parts), (_POLYGON,) if polygons else _LINES)
    parts, part_of = parts[keep], part_of[keep]
    if polygons:
        pieces, ring_part = shapely.get_rings(parts, return_index=True)
        piece_of = part_of[ring_part]
    else:
        pieces, piece_of = parts, part_of
    xy, piece = shapely.get_coordinates(pieces, return_index=True)
    el = np.empty(len(xy), dtype=_ELEMENT)
    el["x"] = xy[:, 0]
    el["y"] = -xy[:, 1]
    el["type"] = _LINE
    first = np.concatenate([[True], piece[1:] != piece[:-1]]) if len(piece) else np.zeros(0, dtype=bool)
    el["type"][first] = _MOVE
    # Vertices come geometry by geometry (parts, then rings, in order): one slice each.
    of = piece_of[piece]
    bounds = np.searchsorted(of, np.arange(n + 1))
    blob = []
    for k in range(n):
        a, b = int(bounds[k]), int(bounds[k + 1])
        if a == b:
            blob.append(np.zeros(1, dtype=">i4").tobytes())   # an empty path is a bare 0
            continue
        last_move = int(np.flatnonzero(first[a:b])[-1])
        blob.append(np.array([b - a], dtype=">i4").tobytes() + el[a:b].tobytes()
                    + np.array([last_move, _ODD_EVEN], dtype=">i4").tobytes())
    return _read(b"".join(blob), n)
