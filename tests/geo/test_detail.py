"""Levels of detail keep the tiling exact, are cached on disk, and become the right paths."""
import numpy as np
import pytest
import shapely
import shapely.affinity

from models.geo.detail import LayerGeometry, rings
from tests.helpers.data import LONDON_WARDS


def london_geoms():
    from models.formats.boundary_import import read_boundaries
    data = read_boundaries(LONDON_WARDS)
    return data.geometries, data.parent_codes


def test_coarse_level_keeps_the_tiling():
    geoms, parents = london_geoms()
    lod = LayerGeometry(geoms, parents)
    coarse = lod.level(160.0)
    assert len(coarse) == len(geoms) and shapely.is_valid(coarse).all()
    assert len(shapely.get_coordinates(coarse)) < len(shapely.get_coordinates(geoms)) / 2
    # Tiles still fit: their areas add up to the area of their union (no overlaps).
    total = shapely.area(coarse).sum()
    assert total == pytest.approx(shapely.coverage_union_all(coarse).area, rel=1e-6)
    assert total == pytest.approx(shapely.area(geoms).sum(), rel=0.01)
    codes, outlines = lod.parents(160.0)
    assert len(codes) == 33 and shapely.area(outlines).sum() == pytest.approx(total, rel=1e-6)


def test_level_choice():
    assert LayerGeometry.level_for(10) == 0.0
    assert LayerGeometry.level_for(700) == 640.0
    assert LayerGeometry.level_for(200) == 160.0


def test_disk_cache_round_trip(tmp_path):
    squares = np.array([shapely.box(i * 10, 0, i * 10 + 10, 10) for i in range(6)], dtype=object)
    first = LayerGeometry(squares, ["A", "A", "A", "B", "B", "B"], cache_dir=tmp_path)
    made = first.level(40.0)
    assert list(tmp_path.glob("lod2-*-40.npz"))
    again = LayerGeometry(squares, ["A", "A", "A", "B", "B", "B"], cache_dir=tmp_path)
    assert again.best_available(40.0) == 40.0  # found on disk, not recomputed
    assert shapely.equals(again.level(40.0), made).all()
    assert again.parents(40.0)[0] == ["A", "B"]
    with again._lock:
        loaded = again._rings[40.0]   # read from the file, not rebuilt from the geometry
    fresh = rings(made)
    for name in ("xy", "ring_start", "geom_ring"):
        assert np.array_equal(getattr(loaded, name), getattr(fresh, name))
    other = LayerGeometry(squares[:5], ["A"] * 5, cache_dir=tmp_path)
    assert other.best_available(40.0) == 0.0  # a different layer never reads that file


def test_paths_match_geometry(qapp):
    from ui.map.paths import merged_paths, unit_paths
    holed = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]])
    two = shapely.MultiPolygon([shapely.box(20, 0, 21, 1), shapely.box(30, 5, 32, 8)])
    r = rings(np.array([holed, two], dtype=object))
    paths = unit_paths(r)
    b = paths[1].boundingRect()
    assert (b.left(), b.top(), b.right(), b.bottom()) == (20, -8, 32, 0)  # y is minus northing
    from PySide6.QtCore import QPointF
    assert paths[0].contains(QPointF(2, -2)) and not paths[0].contains(QPointF(5, -5))  # the hole
    merged = merged_paths(r, [np.array([0, 1]), np.array([], dtype=np.int64)])
    assert merged[0].boundingRect().right() == 32 and merged[1].isEmpty()


def test_the_stored_layers_digest_follows_its_geometry_and_parents(grid_cat):
    from models.storage import gpkg
    layers = grid_cat.layers
    layer_id = layers.all()[0].id
    first = layers.table(layer_id, with_digest=True).digest
    assert first and layers.table(layer_id, with_digest=True).digest == first
    assert layers.table(layer_id).digest == ""   # only when asked for
    conn = grid_cat.store.conn
    fid, blob = conn.execute("SELECT fid, geom FROM boundary_units ORDER BY fid LIMIT 1").fetchone()
    moved = shapely.affinity.translate(gpkg.from_blobs([blob])[0], 1.0, 0.0)
    conn.execute("UPDATE boundary_units SET geom=? WHERE fid=?", (gpkg.to_blob(moved), fid))
    second = layers.table(layer_id, with_digest=True).digest
    assert second != first
    conn.execute("UPDATE boundary_units SET parent_code='B9' WHERE fid=?", (fid,))
    assert layers.table(layer_id, with_digest=True).digest not in (first, second)
