"""The catalogue is a GeoPackage: GDAL (through pyogrio) reads it as it is."""
import pyogrio
import pyogrio.raw
import pytest
import shapely

from models.catalogue.records import Area
from models.storage import gpkg


def test_gdal_reads_units_areas_and_attribute_tables(grid_cat):
    cat = grid_cat
    units = cat.layers.table(cat.layers.all()[0].id).ids
    cat.areas.add(Area("North row", colour="#E69F00", unit_ids=frozenset(int(u) for u in units[-4:])))
    path = str(cat.path)
    layers = dict(pyogrio.list_layers(path))
    assert layers["boundary_units"] == "MultiPolygon" and layers["areas"] == "MultiPolygon"
    for table in ("partnerships", "organisations", "memberships", "sources", "citations"):
        assert table in layers and layers[table] is None  # attribute tables: no geometry

    meta, _, geoms, fields = pyogrio.raw.read(path, layer="boundary_units")
    assert meta["crs"] == "EPSG:27700"
    columns = dict(zip(meta["fields"], fields))
    assert sorted(columns["code"]) == sorted(f"W{r}{c}" for r in range(3) for c in range(4))
    assert all(g.area == pytest.approx(1e6) for g in shapely.from_wkb(geoms))

    meta, _, geoms, fields = pyogrio.raw.read(path, layer="areas")
    columns = dict(zip(meta["fields"], fields))
    assert list(columns["name"]) == ["North row"] and list(columns["colour"]) == ["#E69F00"]
    outline = shapely.from_wkb(geoms[0])
    assert outline.area == pytest.approx(4e6) and outline.bounds == pytest.approx(
        (530000, 182000, 534000, 183000))


def test_blob_roundtrip_and_header():
    poly = shapely.box(1, 2, 3, 5)
    blob = gpkg.to_blob(poly)
    assert blob[:2] == b"GP" and gpkg.blob_srs_id(blob) == gpkg.BNG
    assert gpkg.from_blob(blob).equals(poly)
    empty = gpkg.to_blob(shapely.Polygon())
    assert empty[3] & 0x10 and gpkg.from_blob(empty).is_empty
