"""A layer's unit columns packed at import (what a map reads on opening) give the same
table as reading its units, and are not used once they no longer name the layer's units."""
import math
import sqlite3

import numpy as np
import pytest

from models.catalogue import Catalogue
from models.catalogue.layers import pack_columns, unpack_columns
from models.formats.boundary_import import import_boundaries
from tests.helpers.grid import write_grid_geojson


def _columns(t):
    return (t.ids.tolist(), t.codes, t.names, t.parent_codes,
            [None if math.isnan(p) else p for p in t.population.tolist()])


@pytest.fixture
def grid(tmp_path):
    cat = Catalogue.create(tmp_path / "c.gpkg")
    revert, _ = import_boundaries(cat, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid")
    cat.revert = revert
    yield cat, revert.id
    cat.close()


def test_packed_columns_give_the_table_the_units_give(grid):
    cat, layer_id = grid
    assert cat.store.conn.execute("SELECT count(*) FROM boundary_unit_columns").fetchone()[0] == 1
    assert cat.layers._packed_columns(layer_id) is not None
    packed, read = cat.layers.table(layer_id, defer_geometry=True), cat.layers.table(layer_id)
    assert _columns(packed) == _columns(read)
    assert len(packed.codes) == 12 and set(packed.parent_codes) == {"B1", "B2"}
    assert np.array_equal(packed.geometries, read.geometries)   # decoded later, the same


def test_units_changed_outside_the_app_are_read_from_the_units(grid, tmp_path):
    cat, layer_id = grid
    cat.close()
    # Another program (a GIS) deletes a unit: the packed columns no longer match.
    conn = sqlite3.connect(tmp_path / "c.gpkg")
    conn.execute("DELETE FROM boundary_units WHERE code='W00'")
    conn.commit()
    conn.close()
    cat = Catalogue.open(tmp_path / "c.gpkg")
    try:
        assert cat.layers._packed_columns(layer_id) is None
        t = cat.layers.table(layer_id, defer_geometry=True)
        assert len(t) == 11 and "W00" not in t.codes and len(t.geometries) == 11
    finally:
        cat.close()


def test_undo_takes_the_packed_columns_with_the_layer_and_redo_reads_the_units(grid):
    cat, layer_id = grid
    conn = cat.store.conn
    before = _columns(cat.layers.table(layer_id))
    redo = cat.revert()
    assert conn.execute("SELECT count(*) FROM boundary_unit_columns").fetchone()[0] == 0
    redo()
    # Derived data is not journaled: the layer comes back without it, read from its units.
    assert cat.layers._packed_columns(layer_id) is None
    assert _columns(cat.layers.table(layer_id, defer_geometry=True)) == before


def test_pack_round_trip_with_missing_parents_and_empty_names():
    ids = np.array([5, 6, 7], dtype=np.int64)
    got = unpack_columns(pack_columns(ids, ["a", "b", "c"], ["", "Näme", ""], [None, "P", ""],
                                      [1.0, None, 3.5]))
    assert got[0].tolist() == [5, 6, 7] and got[1] == ["a", "b", "c"] and got[2] == ["", "Näme", ""]
    assert got[3] == [None, "P", ""]
    assert got[4][0] == 1.0 and math.isnan(got[4][1]) and got[4][2] == 3.5


def test_a_text_holding_the_separator_is_not_packed():
    assert pack_columns(np.array([1]), ["a\x1fb"], ["n"], [None], [None]) is None
    assert unpack_columns(b"not an npz") is None


def test_a_catalogue_from_before_packed_columns_migrates_and_reads_its_units(tmp_path, monkeypatch):
    from models.storage import schema

    path = tmp_path / "old.gpkg"
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_unit_columns)]
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", before)
        m.setattr(schema, "SCHEMA_VERSION", len(before))
        old = Catalogue.create(path)
        revert, _ = import_boundaries(old, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid")
        expected = _columns(old.layers.table(revert.id))
        old.close()
    with Catalogue.open(path) as cat:
        conn = cat.store.conn
        assert conn.execute("SELECT count(*) FROM boundary_unit_columns").fetchone()[0] == 0
        assert _columns(cat.layers.table(revert.id, defer_geometry=True)) == expected
        second, _ = import_boundaries(cat, write_grid_geojson(tmp_path / "grid2.geojson"), name="Grid 2")
        assert cat.layers._packed_columns(second.id) is not None
