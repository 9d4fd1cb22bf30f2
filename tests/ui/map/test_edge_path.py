"""Ward edges are stroked from one path holding each edge once (ui.map.paths.edge_path):
the outlines' segments, a shared edge kept from one side only."""
import numpy as np
import shapely

from models.geo.detail import rings
from ui.map.paths import edge_path, first_segments


def segments(path) -> list[frozenset]:
    out, prev = [], None
    for i in range(path.elementCount()):
        e = path.elementAt(i)
        if e.isLineTo():
            out.append(frozenset([prev, (e.x, e.y)]))
        prev = (e.x, e.y)
    return out


def squares(cols: int, rows: int) -> np.ndarray:
    return np.array([shapely.box(c, r, c + 1, r + 1) for r in range(rows) for c in range(cols)], dtype=object)


def test_each_edge_of_a_grid_is_in_the_path_once(qapp):
    r = rings(squares(3, 2))
    path = edge_path(r, np.arange(6))
    got = segments(path)
    # 3 x 2 unit squares: 3 * 3 horizontal and 4 * 2 vertical edges of length 1.
    assert len(got) == len(set(got)) == 17
    # The same found for the whole level first, then used for some units.
    keep = first_segments(r.xy, r.ring_start[:-1])
    assert sorted(map(sorted, segments(edge_path(r, np.arange(6), keep)))) == sorted(map(sorted, got))


def test_an_edge_shared_with_a_unit_not_drawn_is_still_drawn(qapp):
    r = rings(squares(2, 1))
    alone = segments(edge_path(r, np.array([1])))
    assert len(alone) == 4          # the right square's whole outline, its left side included


def test_holes_and_units_that_only_touch_at_a_corner(qapp):
    ring = shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2))
    corner = shapely.box(3, 3, 4, 4)
    inner = shapely.box(1, 1, 2, 2)
    r = rings(np.array([ring, corner, inner], dtype=object))
    got = segments(edge_path(r, np.arange(3)))
    assert len(got) == len(set(got))
    # The outer square (4 sides), the hole shared with the inner square (4), the corner square (4).
    assert len(got) == 12
