"""A catalogue that GDAL (as QGIS uses it) has changed still opens and edits normally.

GDAL adds a spatial index kept by triggers, a column, and features appended from
outside; the catalogue must open for writing, edit, undo, stay consistent and
stay readable by GDAL.
"""
import dataclasses
import json
import shutil
import subprocess

import pyogrio.raw
import pytest
import shapely

from models.catalogue import Catalogue
from models.catalogue.records import Area
from models.storage import gpkg

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None or shutil.which("ogr2ogr") is None,
                                reason="GDAL's ogrinfo/ogr2ogr are not installed (Debian: apt install gdal-bin)")


def _gdal(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


def _geojson(path, properties, ring):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return str(path)


@pytest.fixture
def modified(grid_cat, tmp_path):
    """The grid catalogue with one area of ours, then changed by GDAL the way QGIS would."""
    cat = grid_cat
    units = cat.layers.table(cat.layers.all()[0].id).ids
    cat.areas.add(Area("Ours", unit_ids=frozenset(int(u) for u in units[:2])))
    path = cat.path
    cat.close()
    for table in ("areas", "boundary_units"):
        _gdal("ogrinfo", "-q", str(path), "-sql", f"SELECT CreateSpatialIndex('{table}', 'geom')")
    _gdal("ogrinfo", "-q", str(path), "-sql", "ALTER TABLE areas ADD COLUMN surveyor TEXT")
    # Drawn in a GIS: a name and a colour word, no units, no drawn polygon, a plain Polygon.
    _gdal("ogr2ogr", "-append", "-nln", "areas", str(path), _geojson(
        tmp_path / "area.geojson", {"name": "Drawn in QGIS", "colour": "red", "surveyor": "Sam"},
        [[531000, 181000], [533000, 181000], [533000, 182500], [531000, 181000]]))
    _gdal("ogr2ogr", "-append", "-nln", "boundary_units", str(path), _geojson(
        tmp_path / "unit.geojson", {"layer_id": 1, "code": "X1", "name": "Added in QGIS"},
        [[534000, 180000], [535000, 180000], [535000, 181000], [534000, 181000], [534000, 180000]]))
    return path


def _rtree_in_step(conn, table):
    """Every geometry's box is in the index, and nothing else is."""
    boxes = {fid: (shapely.bounds(g) if g is not None else None) for fid, g in (
        (fid, _geom(blob)) for fid, blob in conn.execute(f"SELECT fid, geom FROM {table}"))}
    indexed = {r[0]: r[1:] for r in conn.execute(f"SELECT id, minx, miny, maxx, maxy FROM rtree_{table}_geom")}
    assert set(indexed) == {fid for fid, box in boxes.items() if box is not None}
    for fid, box in indexed.items():
        assert box == pytest.approx(tuple(boxes[fid]), abs=1)   # the rtree stores 32-bit floats


def _geom(blob):
    return gpkg.from_blob(blob)


def test_gdal_modified_catalogue_opens_and_edits(modified):
    with Catalogue.open(modified) as cat:
        assert cat.store.foreign_objects == []       # GDAL's rtree triggers are recognised
        areas = {a.name: a for a in cat.areas.all()}
        assert set(areas) == {"Ours", "Drawn in QGIS"}
        outside = areas["Drawn in QGIS"]
        # Read as a drawn area: its outline is what was drawn; a colour word we cannot read is grey.
        assert outside.unit_ids == frozenset() and outside.drawn is not None
        assert outside.drawn.area == pytest.approx(1500 * 2000 / 2)
        assert outside.colour == "#808080"
        layer = cat.layers.all()[0]
        table = cat.layers.table(layer.id)
        assert table.codes[-1] == "X1" and table.parent_codes[-1] is None and table.population[-1] != table.population[-1]
        unit_x1 = int(table.ids[-1])

        # Rename (the colour, read as grey, is valid to write back).
        cat.areas.update(dataclasses.replace(outside, name="Drawn by Sam"))
        # A stroke adds the unit added from outside: the drawn shape is kept beside it.
        stroke = cat.areas.change_units(outside.id, add=[unit_x1])
        grown = cat.areas.get(outside.id)
        assert grown.unit_ids == {unit_x1}
        assert grown.outline.area == pytest.approx(1500 * 2000 / 2 + 1000 * 1000)
        stroke()
        assert cat.areas.get(outside.id).unit_ids == frozenset()
        assert cat.areas.get(outside.id).outline.area == pytest.approx(1500 * 2000 / 2)
        # Delete and undo, on our own area.
        ours = areas["Ours"]
        undo = cat.areas.delete(ours.id)
        assert [a.name for a in cat.areas.all()] == ["Drawn by Sam"]
        undo()
        assert cat.areas.get(ours.id).unit_ids == ours.unit_ids
        assert cat.store.conn.execute("SELECT surveyor FROM areas WHERE fid=?", (outside.id,)).fetchone() == ("Sam",)

        conn = cat.store.conn
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        _rtree_in_step(conn, "areas")
        _rtree_in_step(conn, "boundary_units")

    meta, _, geometry, fields = pyogrio.raw.read(modified, layer="areas")
    assert sorted(fields[list(meta["fields"]).index("name")]) == ["Drawn by Sam", "Ours"]
    assert all(g is not None for g in geometry)
    assert len(pyogrio.raw.read(modified, layer="boundary_units")[2]) == 13
    info = subprocess.run(["ogrinfo", "-so", str(modified), "areas"], capture_output=True, text=True, check=True)
    assert "Feature Count: 2" in info.stdout


def test_unit_from_outside_in_a_layer_that_does_not_exist_is_left_alone(modified):
    """GDAL does not check foreign keys: a unit pointing nowhere must not break reading."""
    _gdal("ogrinfo", "-q", str(modified), "-sql", "UPDATE boundary_units SET layer_id=99 WHERE code='X1'")
    with Catalogue.open(modified) as cat:
        assert [len(cat.layers.table(layer.id)) for layer in cat.layers.all()] == [12]
        assert len(cat.areas.all()) == 2
