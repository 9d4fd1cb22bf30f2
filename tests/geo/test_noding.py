"""Noding a tiling whose edges meet without shared vertices."""
import numpy as np
import shapely

from models.geo.noding import node, unmatched
from tests.helpers.unnoded import unnoded_features


def layer() -> np.ndarray:
    return np.array([shapely.Polygon(ring) for _, _, ring in unnoded_features()], dtype=object)


def test_a_cut_ending_on_a_neighbours_edge_is_found_and_noded():
    geoms = layer()
    assert shapely.is_valid(geoms).all() and not shapely.coverage_is_valid(geoms)
    assert len(unmatched(geoms)) > 0
    noded, rebuilt = node(geoms)
    assert shapely.coverage_is_valid(noded) and len(unmatched(noded)) == 0
    # Only the cut squares and their neighbours change, and only by gaining vertices.
    assert len(rebuilt) < len(geoms)
    np.testing.assert_allclose(shapely.area(noded), shapely.area(geoms))
    assert shapely.equals(noded, geoms).all()
    whole = shapely.coverage_union_all(noded)
    assert whole.geom_type == "Polygon" and abs(whole.area - 12e6) < 1e-3


def test_a_noded_layer_is_left_as_it_is():
    geoms = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], dtype=object)
    noded, rebuilt = node(geoms)
    assert len(rebuilt) == 0 and noded[0] is geoms[0] and noded[1] is geoms[1]


def test_a_stretch_where_both_sides_lack_the_others_vertices_is_found():
    # Left unit has a vertex at y=1 on x=1, the right two units meet at y=2: neither side
    # has the other's vertex, and every segment on x=1 is found once.
    left = shapely.Polygon([(0, 0), (1, 0), (1, 1), (1, 3), (0, 3)])
    low = shapely.Polygon([(1, 0), (2, 0), (2, 2), (1, 2)])
    high = shapely.Polygon([(1, 2), (2, 2), (2, 3), (1, 3)])
    geoms = np.array([left, low, high], dtype=object)
    edges = shapely.coverage_invalid_edges(geoms)
    assert list(unmatched(geoms)) == list(np.flatnonzero(~shapely.is_missing(edges) & ~shapely.is_empty(edges)))
    assert list(unmatched(geoms)) == [0, 1, 2]
    noded, _ = node(geoms)
    assert shapely.coverage_is_valid(noded)


def test_the_outer_edge_of_a_noded_layer_is_not_handed_to_geos(monkeypatch):
    # 3 x 3 squares: the eight outer ones have lone segments (the layer's edge), yet no
    # unit is a suspect, so GEOS's check does not run.
    geoms = np.array([shapely.box(x, y, x + 1, y + 1) for x in range(3) for y in range(3)],
                     dtype=object)
    calls = []
    monkeypatch.setattr(shapely, "coverage_invalid_edges",
                        lambda g: calls.append(len(g)) or np.full(len(g), None))
    assert len(unmatched(geoms)) == 0 and calls == []


def test_only_the_units_around_an_unnoded_cut_are_handed_to_geos(monkeypatch):
    # The unnoded grid and, 10 km east, a noded 3 x 3 block GEOS need not look at.
    x0, y0 = shapely.total_bounds(layer())[:2]
    block = [shapely.box(x0 + 10_000 + x * 1000, y0 + y * 1000, x0 + 11_000 + x * 1000,
                         y0 + 1000 + y * 1000) for x in range(3) for y in range(3)]
    geoms = np.concatenate([layer(), np.array(block, dtype=object)])
    real = shapely.coverage_invalid_edges
    sizes = []
    monkeypatch.setattr(shapely, "coverage_invalid_edges", lambda g: sizes.append(len(g)) or real(g))
    found = unmatched(geoms)
    edges = real(geoms)
    assert list(found) == list(np.flatnonzero(~shapely.is_missing(edges) & ~shapely.is_empty(edges)))
    assert len(found) > 0 and sizes == [len(layer())]


def test_a_layer_the_flat_arrays_refuse_goes_to_geos_whole(monkeypatch):
    geoms = np.array([shapely.box(0, 0, 1, 1), shapely.Point(5, 5), shapely.box(1, 0, 2, 1)],
                     dtype=object)
    sizes = []
    monkeypatch.setattr(shapely, "coverage_invalid_edges",
                        lambda g: sizes.append(len(g)) or np.full(len(g), None))
    assert len(unmatched(geoms)) == 0 and sizes == [3]


def test_rings_of_holed_and_many_part_units_are_found_from_the_flat_coordinates():
    from models.geo.noding import _rings

    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    island = shapely.box(1, 1, 2, 2)
    parts = shapely.MultiPolygon([shapely.box(4, 0, 5, 1), shapely.box(6, 0, 7, 1),
                                  shapely.Polygon([(4, 2), (7, 2), (7, 4), (4, 4)],
                                                  [[(5, 3), (6, 3), (6, 3.5)]])])
    geoms = np.array([holed, island, parts], dtype=object)
    xy, closing, unit = _rings(geoms)
    _, coords, offsets = shapely.to_ragged_array(geoms)
    np.testing.assert_array_equal(xy, coords)
    np.testing.assert_array_equal(closing, offsets[0][1:] - 1)
    np.testing.assert_array_equal(unit, np.repeat([0, 1, 2], shapely.get_num_coordinates(geoms)))


def test_a_ring_touching_its_own_start_goes_to_geos_whole(monkeypatch):
    # Invalid (a ring through its first point twice): the flat search refuses it, and
    # GEOS looks at every unit.
    bow = shapely.Polygon([(0, 0), (2, 0), (1, 1), (0, 0), (1, -1), (0, -1)])
    geoms = np.array([bow, shapely.box(2, 0, 3, 1)], dtype=object)
    sizes = []
    monkeypatch.setattr(shapely, "coverage_invalid_edges",
                        lambda g: sizes.append(len(g)) or np.full(len(g), None))
    assert len(unmatched(geoms)) == 0 and sizes == [2]
