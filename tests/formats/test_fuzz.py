"""Importers against bad input: generated files (the fuzzer's strategies, a few dozen per
importer), the named hard cases, and each bug the fuzzer found with its smallest file.

Every file either imports (and undoes exactly) or is refused with one clear line, the
catalogue's content unchanged.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pyogrio.raw
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.reliability import fuzz
from models.catalogue.records import Organisation
from models.errors import CatalogueError
from models.formats.boundary_import import import_boundaries
from models.formats.partnership_import import PartnershipImportError, plan_import

BNG = "urn:ogc:def:crs:EPSG::27700"
# GDAL warns about much in these files (open rings, Z values, missing CRS): expected here.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")


@dataclass
class World:
    cat: object
    grid: Path
    folder: Path
    strategies: dict


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One seeded catalogue for the module: every test leaves its content as it found it."""
    folder = tmp_path_factory.mktemp("fuzz")
    grid = fuzz.grid_geojson(folder / "grid.geojson")
    cat = fuzz.seed_catalogue(folder / "catalogue.gpkg", grid)
    copy = folder / "copy.gpkg"
    cat.save_copy(copy)
    cases = folder / "cases"
    cases.mkdir()
    with fuzz.quiet():
        yield World(cat, grid, cases, fuzz.strategies(copy))
    cat.close()


# -- generated files -----------------------------------------------------
@pytest.mark.parametrize("importer", fuzz.IMPORTERS)
@settings(max_examples=30, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_files_import_or_are_refused_cleanly(world, importer, data):
    case = data.draw(world.strategies[importer], label="case")
    fuzz.check(importer, world.cat, case, world.folder, world.grid)


def test_the_check_fails_an_importer_that_breaks_its_promise(world, monkeypatch):
    """The property can fail: an error that is not a CatalogueError, and a refusal that
    changed the catalogue, are both reported."""
    case = fuzz.Case("p.csv", b"name\nA\n")

    def crash(*args, **kwargs):
        raise KeyError("boom")

    def half_write(cat, *args, **kwargs):
        cat.organisations.add(Organisation("Left behind"))
        raise CatalogueError("refused")

    monkeypatch.setattr(fuzz, "import_partnerships", crash)
    with pytest.raises(fuzz.Failure, match="KeyError"):
        fuzz.check("partnerships_csv", world.cat, case, world.folder, world.grid)
    monkeypatch.setattr(fuzz, "import_partnerships", half_write)
    with pytest.raises(fuzz.Failure, match="catalogue changed"):
        fuzz.check("partnerships_csv", world.cat, case, world.folder, world.grid)
    world.cat.organisations.delete(world.cat.organisations.find("Left behind").id)


# -- helpers -------------------------------------------------------------
def write(world, name: str, data: bytes | str) -> Path:
    path = world.folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def refused(world, importer: str, path: Path, **kwargs) -> str:
    """The importer's one-line refusal; the catalogue's content is checked unchanged."""
    before = fuzz.content_hash(world.cat)
    with pytest.raises(CatalogueError) as info:
        fuzz.import_file(importer, world.cat, path, world.grid, kwargs)
    message = str(info.value)
    assert message.strip() and len(message.splitlines()) == 1, message
    assert fuzz.content_hash(world.cat) == before
    return message


@contextlib.contextmanager
def imported(world, importer: str, path: Path, **kwargs):
    """Import, hand over the Revert for a look, then undo and check nothing is left over."""
    before = fuzz.content_hash(world.cat)
    revert = fuzz.import_file(importer, world.cat, path, world.grid, kwargs)
    assert fuzz.content_hash(world.cat) != before
    try:
        yield revert
    finally:
        revert()
    assert fuzz.content_hash(world.cat) == before


def square(code, x=530000.0, y=180000.0, size=100.0, geometry=None):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Feature", "properties": {"WD20CD": code, "WD20NM": f"Ward {code}"},
            "geometry": geometry or {"type": "Polygon", "coordinates": [ring]}}


def collection(*features, crs=BNG) -> str:
    doc = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def workbook(rows, edit=None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if edit:
        edit(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the named cases -----------------------------------------------------
EMPTY = {"geojson": "e.geojson", "geojson_gz": "e.geojson.gz", "shapefile_zip": "e.zip",
         "geopackage": "e.gpkg", "partnerships_csv": "e.csv", "partnerships_xlsx": "e.xlsx",
         "population_csv": "pop.csv"}


@pytest.mark.parametrize("importer", fuzz.IMPORTERS)
def test_an_empty_file_is_refused(world, importer):
    refused(world, importer, write(world, EMPTY[importer], b""))


def test_empty_content_inside_a_container_is_refused(world):
    assert "cannot read" in refused(world, "geojson_gz", write(world, "e.geojson.gz", gzip.compress(b"")))
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    assert "holds no Shapefile" in refused(world, "shapefile_zip", write(world, "e.zip", empty_zip.getvalue()))
    assert "is empty" in refused(world, "partnerships_xlsx", write(world, "e.xlsx", workbook([])))
    assert "no column 'population'" in refused(world, "population_csv", write(world, "pop.csv", "WD20CD\n"))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-8-sig"])
def test_partnership_csv_in_the_encodings_spreadsheets_save_imports(world, encoding):
    path = write(world, "p.csv", "name,members\r\nCafé Partners,Barnet; Ealing £\r\n".encode(encoding))
    with imported(world, "partnerships_csv", path):
        cafe = world.cat.partnerships.find("Café Partners")
        names = {world.cat.organisations.get(m.organisation_id).name
                 for m in world.cat.partnerships.memberships(cafe.id)}
        assert names == {"Barnet", "Ealing £"}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_population_csv_in_other_encodings_joins(world, encoding):
    path = write(world, "pop.csv", "WD20CD,population,note\nW00,120,Café\n".encode(encoding))
    with imported(world, "population_csv", path) as revert:
        units = {u.code: u.population for u in world.cat.layers.units(revert.id)}
        assert units["W00"] == 120 and units["W01"] is None


@pytest.mark.parametrize("importer", ["partnerships_csv", "population_csv"])
def test_a_csv_in_no_known_encoding_is_refused(world, importer):
    # 0x81 is undefined in Windows-1252 and cannot start a UTF-8 character.
    message = refused(world, importer, write(world, "x.csv", b"name,WD20CD,population\n\x81\x8d,W00,1\n"))
    assert "not text in UTF-8, UTF-16 or Windows-1252" in message


def test_geojson_that_is_not_utf8_is_refused(world):
    path = write(world, "w.geojson", collection(square("Aé")).replace("\\u00e9", "é").encode("latin-1"))
    assert "not UTF-8" in refused(world, "geojson", path)


BAD_NUMBERS = {
    "NaN inside a ring": (lambda d: d.replace("530100.0, 180000.0", "NaN, 180000.0"), "not numbers"),
    "NaN where the ring starts": (lambda d: d.replace("530000.0, 180000.0", "NaN, 180000.0"),
                                  "unit A has a broken geometry"),
    "infinity": (lambda d: d.replace("530100.0, 180000.0", "Infinity, 180000.0"), "not numbers"),
    "beyond double": (lambda d: d.replace("530100.0", "1e400"), "cannot read"),
    "huge": (lambda d: d.replace("530100.0", "1e30"), "far outside Great Britain"),
}


@pytest.mark.parametrize("case", BAD_NUMBERS)
def test_nan_and_huge_coordinates_are_refused(world, case):
    change, expected = BAD_NUMBERS[case]
    path = write(world, "w.geojson", change(collection(square("A"))))
    assert expected in refused(world, "geojson", path)


def test_huge_lonlat_coordinates_are_refused(world):
    path = write(world, "w.geojson", collection(square("A", x=1e300, y=1e300, size=1.0), crs=None))
    assert "far outside Great Britain" in refused(world, "geojson", path)


def test_a_self_intersecting_ring_is_repaired_and_a_flat_one_refused(world):
    x, y = 530000.0, 180000.0
    bowtie = {"type": "Polygon", "coordinates": [[[x, y], [x + 100, y + 100], [x + 100, y], [x, y + 100], [x, y]]]}
    path = write(world, "w.geojson", collection(square("A"), square("B", geometry=bowtie)))
    before = fuzz.content_hash(world.cat)
    revert, data = import_boundaries(world.cat, path)
    assert data.repaired == ["B"]
    b = next(u for u in world.cat.layers.units(revert.id) if u.code == "B")
    assert b.geometry.is_valid and b.geometry.area == pytest.approx(5000)  # two triangles
    revert()
    assert fuzz.content_hash(world.cat) == before
    flat = {"type": "Polygon", "coordinates": [[[x, y], [x + 100, y], [x + 200, y], [x, y]]]}
    path = write(world, "w.geojson", collection(square("A"), square("B", geometry=flat)))
    assert "unit B has no area left" in refused(world, "geojson", path)


MIXED = {
    "a point": ({"type": "Point", "coordinates": [530000, 180000]}, "unit B is a Point, not a polygon"),
    "a line": ({"type": "LineString", "coordinates": [[530000, 180000], [530100, 180000]]},
               "unit B is a LineString"),
    "a collection": ({"type": "GeometryCollection", "geometries": [square("x")["geometry"]]},
                     "unit B is a GeometryCollection"),
}


@pytest.mark.parametrize("case", MIXED)
def test_mixed_geometry_types_are_refused(world, case):
    geometry, expected = MIXED[case]
    path = write(world, "w.geojson", collection(square("A"), square("B", geometry=geometry)))
    assert expected in refused(world, "geojson", path)


def test_only_points_are_refused(world):
    point = {"type": "Point", "coordinates": [530000, 180000]}
    path = write(world, "w.geojson", collection(square("A", geometry=point), square("B", geometry=point)))
    assert "has no polygons" in refused(world, "geojson", path)


def test_duplicate_codes_are_refused(world):
    path = write(world, "w.geojson", collection(square("A"), square("A", x=531000)))
    assert "cannot tell which field holds the codes" in refused(world, "geojson", path)
    assert "code A appears more than once" in refused(world, "geojson", path, code_field="WD20CD")
    pop = write(world, "pop.csv", "WD20CD,population\nW00,1\nW00,2\n")
    assert "line 3: code W00 appears twice" in refused(world, "population_csv", pop)
    sheet = write(world, "p.csv", "name\nWaste Partners\nwaste partners\n")
    assert "(row 3: 'waste partners' is also on row 2)" in refused(world, "partnerships_csv", sheet)


@pytest.mark.parametrize("name", ["p.csv", "p.xlsx"])
def test_impossible_dates_are_row_errors(world, name):
    rows = [["name", "start", "end"], ["A", "2008-13-40", ""], ["B", "2008-02-30", ""], ["C", "2008", "2008-00"]]
    data = workbook(rows) if name.endswith("xlsx") else "\n".join(",".join(r) for r in rows)
    path = write(world, name, data)
    before = fuzz.content_hash(world.cat)
    with pytest.raises(PartnershipImportError) as info:
        fuzz.import_file(f"partnerships_{name[-4:].strip('.')}", world.cat, path, world.grid, {})
    assert info.value.row_errors == [(2, "start: '2008-13-40' has no month 13"),
                                     (3, "start: '2008-02-30' is not a day of the calendar"),
                                     (4, "end: '2008-00' has no month 00")]
    assert fuzz.content_hash(world.cat) == before


def _with_saved_result(data: bytes, cell: str, result: str) -> bytes:
    """The workbook as Excel saves it: the formula's last result stored beside it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            blob = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = blob.decode()
                start = text.index(f'<c r="{cell}">')
                end = text.index("<v />", start)
                text = text[:start] + f'<c r="{cell}" t="str">' + text[start + len(f'<c r="{cell}">'):end] \
                    + f"<v>{result}</v>" + text[end + len("<v />"):]
                blob = text.encode()
            dst.writestr(item, blob)
    return out.getvalue()


@pytest.mark.parametrize("formula", ["=1+1", '=HYPERLINK("http://example.org","Waste Partners")'])
def test_a_formula_without_a_saved_result_is_refused_naming_its_cell(world, formula):
    path = write(world, "p.xlsx", workbook([["name", "kind"], ["Waste Partners", "other"], [formula, "other"]]))
    message = refused(world, "partnerships_xlsx", path)
    assert f"cell A3 holds a formula ({formula}) with no saved result" in message


def test_a_formula_imports_as_the_result_excel_saved_never_as_its_text(world):
    data = workbook([["name", "kind"], ['="Skills "&"Board"', "other"]])
    path = write(world, "p.xlsx", _with_saved_result(data, "A2", "Skills Board"))
    with imported(world, "partnerships_xlsx", path):
        assert world.cat.partnerships.find("Skills Board") is not None
        assert not any(p.name.startswith("=") for p in world.cat.partnerships.all())


def test_text_that_only_looks_like_a_formula_is_text(world):
    def as_text(sheet):
        sheet["A2"].data_type = "s"
    path = write(world, "p.xlsx", workbook([["name"], ["=Not a formula"]], as_text))
    with imported(world, "partnerships_xlsx", path):
        assert world.cat.partnerships.find("=Not a formula") is not None


def test_a_cell_showing_an_error_is_refused(world):
    path = write(world, "p.xlsx", workbook([["name", "notes"], ["A", "#DIV/0!"]]))
    assert "cell B2 shows the error #DIV/0!" in refused(world, "partnerships_xlsx", path)


def test_a_100000_row_csv_imports_as_one_undoable_step(world):
    lines = ["name,kind,start"] + [f"Partnership {i},shared service,{2000 + i % 20}" for i in range(100_000)]
    path = write(world, "big.csv", "\n".join(lines) + "\n")
    with imported(world, "partnerships_csv", path) as revert:
        assert len(revert.inserted("partnerships")) == 100_000
        assert world.cat.partnerships.find("Partnership 99999").start == "2019"


def test_a_100000_row_population_csv_joins_the_few_codes_it_shares(world):
    lines = ["WD20CD,population"] + [f"X{i},{i}" for i in range(100_000)] + ["W23,5"]
    with imported(world, "population_csv", write(world, "pop.csv", "\n".join(lines))) as revert:
        assert {u.code: u.population for u in world.cat.layers.units(revert.id)}["W23"] == 5


# -- bugs the fuzzer found, each with its smallest file ------------------
def test_csv_with_bare_carriage_returns_imports(world):
    # Was: "new-line character seen in unquoted field" (old Mac Excel saves CSV so).
    with imported(world, "partnerships_csv", write(world, "p.csv", "name,kind\rWaste Partners,other\r")):
        assert world.cat.partnerships.find("Waste Partners") is not None


def test_a_cell_with_a_line_break_is_quoted_on_one_line(world):
    # Was: the summary and the row error quoted the cell's line break.
    path = write(world, "p.csv", 'name,kind\nA,"shared\nservice"\n')
    with pytest.raises(PartnershipImportError) as info:
        fuzz.import_file("partnerships_csv", world.cat, path, world.grid, {})
    assert len(str(info.value).splitlines()) == 1
    assert info.value.row_errors == [(2, "unknown kind 'shared service'")]


def test_a_field_name_with_a_line_break_is_quoted_on_one_line(world):
    feature = square("A")
    feature["properties"]["odd\nname"] = 1
    message = refused(world, "geojson", write(world, "w.geojson", collection(feature)), code_field="NOPE")
    assert message == "no field 'NOPE' (fields: WD20CD, WD20NM, odd name)"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    return out.getvalue()


def _shapefile(tmp: Path, stem: str) -> dict[str, bytes]:
    folder = tmp / stem
    folder.mkdir(exist_ok=True)
    ward = shapely.to_wkb(shapely.box(530000, 180000, 530100, 180100))
    pyogrio.raw.write(str(folder / f"{stem}.shp"), np.array([ward], dtype=object),
                      [np.array(["A"], dtype=object), np.array(["Ward A"], dtype=object)], ["WD20CD", "WD20NM"],
                      driver="ESRI Shapefile", geometry_type="Polygon", crs="EPSG:27700")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_zip_without_a_readable_shapefile_is_refused_in_words(world, tmp_path):
    # Was: "index 0 is out of bounds for axis 0 with size 0" from inside pyogrio.
    assert "holds no Shapefile" in refused(world, "shapefile_zip", write(world, "w.zip", _zip({"README.txt": b"x"})))
    members = _shapefile(tmp_path, "wards")
    del members["wards.shx"], members["wards.dbf"]
    assert "holds no Shapefile" in refused(world, "shapefile_zip", write(world, "w.zip", _zip(members)))


def test_a_zip_with_two_shapefiles_asks_which(world, tmp_path):
    members = {**_shapefile(tmp_path, "wards"), **_shapefile(tmp_path, "other")}
    path = write(world, "w.zip", _zip(members))
    assert "several polygon layers; choose one (" in refused(world, "shapefile_zip", path)
    with imported(world, "shapefile_zip", path, layer="other"):
        pass


def test_a_damaged_zip_is_refused_without_gdal_paths(world, tmp_path):
    data = _zip(_shapefile(tmp_path, "wards"))
    message = refused(world, "shapefile_zip", write(world, "w.zip", data[: len(data) // 2]))
    assert message == "cannot read w.zip: it is not a readable zip file"


def test_a_replaced_gz_file_is_read_afresh(world):
    # Was: GDAL's /vsigzip/ served the first file's data for the second, which then
    # failed to decompress (a corrected download saved under the same name).
    path = write(world, "w.geojson.gz", gzip.compress(collection(square("A")).encode()))
    with imported(world, "geojson_gz", path):
        pass
    write(world, "w.geojson.gz", gzip.compress(collection(*(square(c, x=530000 + 200 * i)
                                                              for i, c in enumerate("ABCDE"))).encode()))
    with imported(world, "geojson_gz", path) as revert:
        assert world.cat.layers.unit_count(revert.id) == 5


def test_damaged_gzip_is_refused_in_words(world):
    data = gzip.compress(collection(square("A")).encode())
    message = refused(world, "geojson_gz", write(world, "w.geojson.gz", data[:-12]))
    assert message == "cannot read w.geojson.gz: it is not gzip data, or is damaged or cut short"


@pytest.mark.parametrize("amount", ["inf", "nan", "1e400", "1e308m"])
def test_an_amount_that_is_not_finite_is_a_row_error(world, amount):
    # Was: "inf" and "1e400" were stored as infinite savings.
    path = write(world, "p.csv", f"name,savings\nA,{amount}\n")
    assert f"savings '{amount}' is not an amount in £" in refused(world, "partnerships_csv", path)


def test_a_role_without_a_name_is_caught_by_the_plan(world):
    # Was: the plan passed the row, then the write failed with "an organisation needs a name".
    path = write(world, "p.csv", "name,members\nA,Barnet; (lead)\n")
    assert plan_import(world.cat, path).row_errors == [(2, "member '(lead)' has a role but no name")]
    refused(world, "partnerships_csv", path)


def test_one_organisation_named_twice_is_a_row_error(world):
    # Was: Brent by name and by GSS code became two memberships of one body.
    path = write(world, "p.csv", 'name,members\nA,"Brent; E09000005 (lead)"\n')
    assert plan_import(world.cat, path).row_errors == [(2, "Brent and E09000005 are the same organisation")]


def test_dates_in_other_digits_are_refused(world):
    # Was: "２００８" (full-width digits) matched \d and was stored as a date no comparison can order.
    path = write(world, "p.csv", "name,start\nA,２００８\n")
    assert "is not a date" in refused(world, "partnerships_csv", path)


def test_a_workbook_damaged_inside_a_sheet_is_refused(world):
    # Was: zlib.error escaped, since openpyxl decompresses a sheet only while it is read.
    data = bytearray(workbook([["name", "kind"]] + [[f"P {i}", "other"] for i in range(200)]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(info.compress_size - 300, info.compress_size - 280):
        data[start + k] ^= 0xFF
    message = refused(world, "partnerships_xlsx", write(world, "p.xlsx", bytes(data)))
    assert message.startswith("cannot read p.xlsx: it is damaged")


def test_population_rows_without_a_code_are_skipped(world):
    # Was: two such rows (a total, a note) made "code  appears twice".
    path = write(world, "pop.csv", "WD20CD,population\nW00,1\n,13\n,\n")
    with imported(world, "population_csv", path) as revert:
        assert world.cat.layers.units(revert.id)[0].population == 1


def test_blank_field_names_mean_not_chosen(world):
    # Was: KeyError '' (the dialog's empty boxes, or --code-field "").
    path = write(world, "w.geojson", collection(square("A")))
    with imported(world, "geojson", path, code_field="", name_field="", parent_field="") as revert:
        assert world.cat.layers.units(revert.id)[0].name == "Ward A"
