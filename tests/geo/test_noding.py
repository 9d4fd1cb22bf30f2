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
