"""Levels of detail made at import are kept in the catalogue: the map's first frame reads
them without decoding a unit's geometry; cancelling the step keeps the layer."""
import numpy as np
import pytest
import shapely

from models.errors import Cancelled
from models.formats.boundary_import import import_boundaries, prepare_map_levels
from models.geo.detail import LEVELS, LayerGeometry
from tests.helpers.data import LONDON_WARDS


@pytest.fixture
def london(cat):
    revert, data = import_boundaries(cat, LONDON_WARDS)
    prepare_map_levels(cat, revert.id, data.geometries, data.parent_codes)
    return cat, revert.id


def test_stored_levels_match_levels_computed_afresh(london):
    cat, layer_id = london
    stored = cat.layers.level_tolerances(layer_id)
    assert stored == [40.0, 160.0, 640.0]
    table = cat.layers.table(layer_id, defer_geometry=True)
    decoded = []

    def full():
        decoded.append(True)
        return table.geometries

    lod = LayerGeometry(full, table.parent_codes, stored=cat.layers.level_reader(layer_id),
                        stored_levels=stored)
    assert lod.has(640.0) and lod.best_available(640.0) == 640.0
    flat, (codes, _) = lod.rings(640.0), lod.parents(640.0)
    assert len(flat.geom_ring) == len(table) + 1 and len(codes) == 33
    assert lod.unit_size() > 0 and len(lod.unit_areas()) == len(table)
    assert not decoded and not table.decoded   # the first frame's needs, without a full geometry
    fresh = LayerGeometry(table.geometries, table.parent_codes)
    assert lod.bounds == pytest.approx(fresh.bounds)
    np.testing.assert_allclose(lod.unit_areas(), shapely.area(fresh.full))
    for t in stored:
        assert shapely.equals(lod.level(t), fresh.level(t)).all()
        assert shapely.equals(lod.parents(t)[1], fresh.parents(t)[1]).all()
    assert not decoded   # still: every level came from the file
    assert len(lod.level(0.0)) == len(table) and decoded   # the full geometry when asked for


def test_cancelling_the_levels_keeps_the_layer_and_stores_none(cat):
    revert, data = import_boundaries(cat, LONDON_WARDS)
    seen = []

    def progress(fraction, text):
        seen.append(text)
        if len(seen) == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        prepare_map_levels(cat, revert.id, data.geometries, data.parent_codes, progress)
    assert cat.layers.level_tolerances(revert.id) == [] and cat.layers.unit_count(revert.id) == 657


def test_deleting_the_layer_takes_its_levels_along(london):
    cat, layer_id = london
    cat.layers.delete(layer_id)
    assert cat.store.conn.execute("SELECT count(*) FROM boundary_levels").fetchone()[0] == 0


def test_the_map_layer_reads_no_geometry_until_a_tool_picks(london, qapp):
    from ui.map.layer import MapLayer
    cat, layer_id = london
    layer = MapLayer()
    layer.load(cat, layer_id)
    assert not layer.table.decoded and layer.geometry.has(max(LEVELS))
    x, y = layer.geometry.level(640.0)[5].representative_point().coords[0]
    hit = layer.picker.at(x, y)   # the picker is built, and the geometry read, on first need
    assert layer.table.decoded and hit is not None
    assert shapely.contains_xy(layer.table.geometries[hit], x, y)


def test_a_deferred_geometry_is_read_in_chunks_as_stored(london, monkeypatch):
    cat, layer_id = london
    monkeypatch.setattr("models.catalogue.layers.DECODE_CHUNK", 7)   # many chunks, the last short
    deferred = cat.layers.table(layer_id, defer_geometry=True)
    read_at_once = cat.layers.table(layer_id)
    assert not deferred.decoded and len(deferred) % 7
    assert shapely.equals_exact(deferred.geometries, read_at_once.geometries, 0).all()


def test_borough_names_read_from_the_first_unit_of_each_borough(london):
    from models.analysis.area_stats import borough_names

    cat, layer_id = london
    table = cat.layers.table(layer_id, defer_geometry=True)
    quick = cat.layers.parent_attributes(layer_id, table)
    assert set(quick) == set(cat.layers.parent_attributes(layer_id)) and len(quick) == 33
    names = borough_names(table, (), quick)
    assert names == borough_names(table, (), cat.layers.parent_attributes(layer_id))
    assert names["E09000007"] == "Camden"
