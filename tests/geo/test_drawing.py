"""Which units a gesture picks, on the grid of exact 1 km squares."""
import numpy as np
import pytest
import shapely

from models.errors import CatalogueError
from models.geo.drawing import Picker, adjacency, covered_shares, parts, shape_from_points
from tests.helpers.grid import CELL, GRID_COLS, GRID_ORIGIN, GRID_ROWS

X0, Y0 = GRID_ORIGIN


def grid():
    """Squares in the fixture's order (row-major), index = row * 4 + col."""
    return np.array([shapely.box(X0 + c * CELL, Y0 + r * CELL, X0 + (c + 1) * CELL, Y0 + (r + 1) * CELL)
                     for r in range(GRID_ROWS) for c in range(GRID_COLS)], dtype=object)


def test_point_and_outside():
    p = Picker(grid())
    assert p.at(X0 + 1500, Y0 + 500) == 1
    assert p.at(X0 - 10, Y0 - 10) is None


def test_brush_touches_neighbours_only_when_it_reaches_them():
    p = Picker(grid())
    assert list(p.brush(X0 + 500, Y0 + 500, 100)) == [0]
    assert list(p.brush(X0 + 900, Y0 + 500, 200)) == [0, 1]


def test_lasso_at_half_share():
    p = Picker(grid())
    # Covers column 0 fully and exactly half of column 1, 60% of none else.
    half = shapely.box(X0, Y0, X0 + 1500, Y0 + 3000)
    assert list(p.within_share(half, 0.5)) == [0, 1, 4, 5, 8, 9]
    assert list(p.within_share(half, 0.51)) == [0, 4, 8]
    assert list(p.within_share(half, 0.0)) == [0, 1, 4, 5, 8, 9]


def test_self_crossing_lasso_is_repaired_and_degenerate_refused():
    bow = shape_from_points([(0, 0), (10, 10), (10, 0), (0, 10)])
    assert bow.is_valid and bow.area == pytest.approx(50)
    with pytest.raises(CatalogueError, match="three points"):
        shape_from_points([(0, 0), (1, 1)])
    with pytest.raises(CatalogueError, match="no area"):
        shape_from_points([(0, 0), (1, 1), (2, 2)])


def test_snap_needs_cover():
    p = Picker(grid())
    drawn = shapely.box(X0 + 100, Y0 + 100, X0 + 1900, Y0 + 900)  # 90% of 0, 90% of 1
    assert list(p.snap(drawn, 0.5)) == [0, 1]
    with pytest.raises(CatalogueError, match="covers no unit"):
        p.snap(shapely.box(X0 - 5000, Y0, X0 - 4000, Y0 + 100))


def test_contiguity_ignores_corner_touches():
    g = grid()
    pairs = {tuple(p) for p in adjacency(g[[0, 5]])}
    assert pairs == set()  # diagonal neighbours meet at one point only
    labels = parts(g[[0, 1, 5, 11]])  # 0-1-5 joined, 11 apart
    assert labels[0] == labels[1] == labels[2] != labels[3]


def test_covered_shares_of_a_drawn_shape():
    g = grid()
    # Half of W01 (index 1), a quarter of W02 (2): x from 1.5 to 2.25 km, rows 0 only.
    shape = shapely.box(X0 + 1.5 * CELL, Y0 + 0.0, X0 + 2.25 * CELL, Y0 + CELL)
    rows, shares = covered_shares(g, shape)
    assert rows.tolist() == [1, 2]
    assert shares == pytest.approx([0.5, 0.25])
    # The same with a tree at hand; wards only touching an edge are not covered.
    rows, shares = covered_shares(g, shapely.box(X0, Y0, X0 + CELL, Y0 + CELL), shapely.STRtree(g))
    assert rows.tolist() == [0] and shares.tolist() == [1.0]
    assert covered_shares(g, shapely.Polygon())[0].tolist() == []


def test_parts_of_rows_match_parts_and_keep_the_neighbours_found():
    p = Picker(grid())
    rng = np.random.default_rng(13)
    for _ in range(20):
        rows = np.sort(rng.choice(len(p.geometries), size=int(rng.integers(1, 12)), replace=False))
        want, got = parts(p.geometries[rows]), p.parts_of(rows)
        # The same partition (labels may be numbered differently).
        assert len(set(zip(want.tolist(), got.tolist()))) == len(set(want.tolist())) == len(set(got.tolist()))
    # Neighbours are found once per unit: a later area growing by one unit looks up one.
    q = Picker(grid())
    q.parts_of([0, 1, 2])
    intersections = []
    real = shapely.intersection
    try:
        shapely.intersection = lambda a, b, **kw: intersections.append(len(a)) or real(a, b, **kw)
        labels = q.parts_of([0, 1, 2, 11])
    finally:
        shapely.intersection = real
    assert list(labels) == [0, 0, 0, 1] and [list(n) for n in q.neighbours([2])] == [[1, 3, 6]]
    assert intersections and sum(intersections) <= 8   # unit 11's candidates only, not 0-2's again
