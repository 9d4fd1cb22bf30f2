"""Boundary import: real formats in, exact geometry out; bad input changes nothing."""
import gzip
import json
import shutil
import zipfile

import numpy as np
import pyogrio.raw
import pytest
import shapely

from models.errors import Cancelled, CatalogueError
from models.formats.boundary_import import import_boundaries, read_boundaries
from tests.helpers.catalogues import snapshot
from tests.helpers.data import EW_WARDS, LONDON_POPULATION, LONDON_WARDS, needs_data
from tests.helpers.grid import write_grid_geojson


def test_grid_import_is_exact(cat, grid_geojson):
    revert, data = import_boundaries(cat, grid_geojson)
    layer = cat.layers.get(revert.id)
    assert (layer.name, layer.level, layer.vintage) == ("Wards 2020", "ward", "2020")
    assert (data.code_field, data.name_field, data.parent_field) == ("WD20CD", "WD20NM", "LAD20CD")
    units = cat.layers.units(revert.id)
    assert len(units) == 12
    assert all(u.geometry.area == pytest.approx(1e6) for u in units)
    w00 = next(u for u in units if u.code == "W00")
    assert (w00.name, w00.parent_code) == ("Ward 0-0", "B1")
    assert w00.geometry.bounds == pytest.approx((530000, 180000, 531000, 181000))
    assert units[0].geometry.geom_type == "MultiPolygon"  # one declared type per GeoPackage column


def test_population_join_from_csv(cat, grid_geojson, tmp_path):
    csv = tmp_path / "pop.csv"
    csv.write_text("WD20CD,population\nW00,120\nW01,\nW02,1,000\nZZ9,5\n".replace("1,000", '"1,000"'))
    revert, _ = import_boundaries(cat, grid_geojson, population=csv)
    pops = {u.code: u.population for u in cat.layers.units(revert.id)}
    assert pops["W00"] == 120 and pops["W01"] is None and pops["W02"] == 1000 and pops["W10"] is None


def _write(tmp_path, name, features, crs="urn:ogc:def:crs:EPSG::27700"):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _square(code, x=530000, y=180000, name="A"):
    ring = [[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]
    return {"type": "Feature", "properties": {"WD20CD": code, "WD20NM": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _point(code):
    return {"type": "Feature", "properties": {"WD20CD": code, "WD20NM": "P"},
            "geometry": {"type": "Point", "coordinates": [530000, 180000]}}


def _text(path, text):
    path.write_text(text)
    return path


BROKEN = {
    "points only": (lambda t: _write(t, "p.geojson", [_point("A"), _point("B")]), "no polygons"),
    "a point among polygons": (lambda t: _write(t, "m.geojson", [_square("A"), _point("B")]), "not a polygon"),
    "duplicate codes": (lambda t: _write(t, "d.geojson", [_square("A"), _square("A", x=531000)]),
                        "cannot tell which field"),
    "missing code": (lambda t: _write(t, "n.geojson", [_square("A"), _square(None, x=531000)]),
                     "cannot tell which field|has no code"),
    "unknown CRS": (lambda t: _write(t, "c.geojson", [_square("A")], crs="urn:ogc:def:crs:EPSG::999999"),
                    # GDAL reads an unknown GeoJSON CRS as WGS84; the metres then land off the globe
                    "cannot read|unknown coordinate|far outside Great Britain"),
    "empty collection": (lambda t: _write(t, "e.geojson", []), "no features|cannot read"),
    "truncated file": (lambda t: _text(t / "t.geojson", json.dumps(
        {"type": "FeatureCollection", "features": [_square("A")]})[:60]), "cannot read"),
    "not geodata": (lambda t: _text(t / "x.geojson", "hello"), "cannot read"),
    "wrong CRS for the coordinates": (
        lambda t: _write(t, "w.geojson", [_square("A", x=5e6, y=5e6)], crs="urn:ogc:def:crs:EPSG::27700"),
        "far outside Great Britain"),
    "missing file": (lambda t: t / "absent.geojson", "does not exist"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_bad_input_one_line_and_nothing_changes(grid_cat, tmp_path, case):
    make, message = BROKEN[case]
    source = make(tmp_path)
    before = snapshot(grid_cat)
    with pytest.raises(CatalogueError, match=message) as info:
        import_boundaries(grid_cat, source, name="Second")
    assert "\n" not in str(info.value)
    assert snapshot(grid_cat) == before


def test_duplicate_codes_in_a_named_field(cat, tmp_path):
    source = _write(tmp_path, "d.geojson", [_square("A"), _square("A", x=531000)])
    with pytest.raises(CatalogueError, match="code A appears more than once"):
        import_boundaries(cat, source, code_field="WD20CD", name_field="WD20NM")
    with pytest.raises(CatalogueError, match="no field 'CODE'"):
        import_boundaries(cat, source, code_field="CODE")


def test_bad_population_csv_changes_nothing(grid_cat, grid_geojson, tmp_path):
    before = snapshot(grid_cat)
    csv = tmp_path / "pop.csv"
    csv.write_text("WD20CD,population\nW00,lots\n")
    with pytest.raises(CatalogueError, match="line 2: 'lots' is not a number"):
        import_boundaries(grid_cat, grid_geojson, name="Again", population=csv)
    csv.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CatalogueError):
        import_boundaries(grid_cat, grid_geojson, name="Again", population=csv)
    assert snapshot(grid_cat) == before


def test_self_intersecting_ring_is_repaired_and_reported(cat, tmp_path):
    bowtie = {"type": "Feature", "properties": {"WD20CD": "BOW", "WD20NM": "Bow tie"},
              "geometry": {"type": "Polygon", "coordinates": [[[530000, 180000], [530100, 180100],
                                                               [530100, 180000], [530000, 180100],
                                                               [530000, 180000]]]}}
    source = _write(tmp_path, "b.geojson", [bowtie, _square("OK", x=531000)])
    revert, data = import_boundaries(cat, source)
    assert data.repaired == ["BOW"]
    unit = next(u for u in cat.layers.units(revert.id) if u.code == "BOW")
    assert unit.geometry.is_valid and unit.geometry.area == pytest.approx(5000)


def test_cancel_leaves_the_catalogue_unchanged(grid_cat, tmp_path):
    source = write_grid_geojson(tmp_path / "g2.geojson")
    before = snapshot(grid_cat)

    def progress(fraction, message):
        if fraction > 0.5:
            raise Cancelled()

    with pytest.raises(Cancelled):
        import_boundaries(grid_cat, source, name="Cancelled", progress=progress)
    assert snapshot(grid_cat) == before


def test_other_formats_shapefile_zip_gpkg_gz(cat, grid_geojson, tmp_path):
    meta, _, geoms, fields = pyogrio.raw.read(grid_geojson)
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    pyogrio.raw.write(shp_dir / "wards.shp", geoms, fields, fields=meta["fields"], crs="EPSG:27700",
                      geometry_type="Polygon", driver="ESRI Shapefile")
    with zipfile.ZipFile(tmp_path / "wards.zip", "w") as z:
        for f in shp_dir.iterdir():
            z.write(f, f.name)
    pyogrio.raw.write(tmp_path / "wards.gpkg", geoms, fields, fields=meta["fields"], crs="EPSG:27700",
                      geometry_type="Polygon", driver="GPKG", layer="wards")
    with open(grid_geojson, "rb") as src, gzip.open(tmp_path / "wards.geojson.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    for i, source in enumerate([shp_dir / "wards.shp", tmp_path / "wards.zip", tmp_path / "wards.gpkg",
                                tmp_path / "wards.geojson.gz"]):
        revert, data = import_boundaries(cat, source, name=f"layer {i}")
        areas = [u.geometry.area for u in cat.layers.units(revert.id)]
        assert len(areas) == 12 and sum(areas) == pytest.approx(12e6), source.name


def test_london_wards_reprojected_to_bng(cat):
    revert, data = import_boundaries(cat, LONDON_WARDS, population=LONDON_POPULATION)
    table = cat.layers.table(revert.id)
    assert len(table) == 657
    # the data README: ward areas sum to 1,573.39 km² in EPSG:27700; population 9,002,488
    assert sum(g.area for g in table.geometries) / 1e6 == pytest.approx(1573.39, abs=0.05)
    assert np.nansum(table.population) == 9002488
    assert len(set(table.parent_codes)) == 33


@needs_data
def test_england_and_wales_gz_reads(tmp_path):
    data = read_boundaries(EW_WARDS)
    assert len(data.codes) == 8071 and data.parent_field == "LAD20CD"
    assert shapely.is_valid(data.geometries).all()


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # the point of the test
def test_shapefile_without_prj_is_refused(cat, grid_geojson, tmp_path):
    meta, _, geoms, fields = pyogrio.raw.read(grid_geojson)
    pyogrio.raw.write(tmp_path / "noprj.shp", geoms, fields, fields=meta["fields"],
                      geometry_type="Polygon", driver="ESRI Shapefile")
    before = snapshot(cat)
    with pytest.raises(CatalogueError, match="no coordinate reference system"):
        import_boundaries(cat, tmp_path / "noprj.shp")
    assert snapshot(cat) == before


def test_other_numeric_columns_join_as_attributes(cat, grid_geojson, tmp_path):
    csv = tmp_path / "pop.csv"
    csv.write_text("WD20CD,population,age_65_plus\nW00,120,30\nW01,80,\n")
    revert, _ = import_boundaries(cat, grid_geojson, population=csv, attribute_fields=["age_65_plus"])
    table = cat.layers.table(revert.id, with_attributes=True)
    by_code = dict(zip(table.codes, table.attributes))
    assert by_code["W00"]["age_65_plus"] == 30 and by_code["W01"]["age_65_plus"] is None
    assert by_code["W10"]["age_65_plus"] is None and by_code["W00"]["LAD20CD"] == "B1"
    with pytest.raises(CatalogueError, match="no column 'males'"):
        import_boundaries(cat, grid_geojson, name="Again", population=csv, attribute_fields=["males"])


def test_a_file_in_british_national_grid_is_stored_as_geos_would_write_it(cat, tmp_path):
    # Its WKB is kept rather than written again: the blobs must be the same bytes, for
    # polygons (stored as one-part multipolygons) and multipolygons alike.
    from models.catalogue.layers import _multipolygons
    from models.storage import gpkg

    geoms = [shapely.box(530000, 180000, 530100, 180100),
             shapely.MultiPolygon([shapely.box(530200, 180000, 530300, 180100),
                                   shapely.box(530400, 180000, 530500, 180100)]),
             shapely.Polygon([(530600, 180000), (530700, 180000), (530700, 180100), (530600, 180100)],
                             [[(530620, 180020), (530640, 180020), (530640, 180040)]])]
    fields = [np.array(["A", "B", "C"], dtype=object), np.array(["a", "b", "c"], dtype=object)]
    pyogrio.raw.write(tmp_path / "bng.gpkg", shapely.to_wkb(geoms), fields, fields=["WD20CD", "WD20NM"],
                      crs="EPSG:27700", driver="GPKG", geometry_type="Unknown")
    revert, data = import_boundaries(cat, tmp_path / "bng.gpkg")
    assert data.wkbs is not None
    stored = [r[0] for r in cat.store.conn.execute(
        "SELECT geom FROM boundary_units WHERE layer_id=? ORDER BY fid", (revert.id,))]
    assert stored == gpkg.to_blobs(_multipolygons(np.array(geoms, dtype=object)))
