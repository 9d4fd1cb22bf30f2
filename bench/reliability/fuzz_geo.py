"""Boundary files for the fuzzer: GeoJSON (plain and gzipped), zipped Shapefiles, GeoPackages.

Each strategy starts from a few small features that would mostly import, then
varies what real files get wrong: codes (duplicated, missing, wrong type),
geometry (bow-ties, NaN, huge numbers, points among polygons, open rings), the
CRS, the container (members missing from a zip, two layers, a table without
geometry) and finally the bytes themselves.
"""
from __future__ import annotations

import gzip
import io
import json
import math
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from hypothesis import strategies as st

from .fuzz_bytes import Case, awkward_text, cleanliness, damaged, scratch

# -- geometry ------------------------------------------------------------
# Places that are in Great Britain in each frame: (x range, y range, square size range).
_FRAMES = {"bng": ((0.0, 650000.0), (0.0, 1200000.0), (1.0, 5000.0)),
           "lonlat": ((-6.0, 1.5), (50.0, 58.0), (1e-4, 0.05))}
_BAD_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e200, 5e-324]
GEOMETRY_KINDS = ["square"] * 8 + ["holed", "multi", "bowtie", "random", "flat", "unclosed", "few",
                                   "bad number", "huge", "empty", "null", "point", "line",
                                   "multipoint", "collection", "3d", "garbage"]
CLEAN_KINDS = ["square"] * 4 + ["holed", "multi", "bowtie", "random", "3d"]   # all import (bow-ties repaired)


def _square(x, y, s):
    return [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]


@st.composite
def geometries(draw, frame: str = "bng", kinds=None):
    """A GeoJSON geometry (dict or None) and the name of its kind."""
    kind = draw(st.sampled_from(kinds or GEOMETRY_KINDS))
    (x0, x1), (y0, y1), (s0, s1) = _FRAMES[frame]
    x = draw(st.floats(x0, x1, allow_nan=False))
    y = draw(st.floats(y0, y1, allow_nan=False))
    s = draw(st.floats(s0, s1, allow_nan=False))
    square = _square(x, y, s)
    if kind == "square":
        return {"type": "Polygon", "coordinates": [square]}, kind
    if kind == "holed":
        hole = _square(x + s / 4, y + s / 4, s / 2)[::-1]
        return {"type": "Polygon", "coordinates": [square, hole]}, kind
    if kind == "multi":
        return {"type": "MultiPolygon", "coordinates": [[square], [_square(x + 2 * s, y, s)]]}, kind
    if kind == "bowtie":  # self-intersecting ring: GEOS repairs it into two triangles
        return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y + s], [x + s, y], [x, y + s], [x, y]]]}, kind
    if kind == "random":
        n = draw(st.integers(3, 8))
        ring = [[x + draw(st.floats(0, 1)) * s, y + draw(st.floats(0, 1)) * s] for _ in range(n)]
        return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}, kind
    if kind == "flat":  # a ring with no area: nothing is left after repair
        return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + 2 * s, y], [x, y]]]}, kind
    if kind == "unclosed":
        return {"type": "Polygon", "coordinates": [square[:-1]]}, kind
    if kind == "few":
        return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x, y]]]}, kind
    if kind == "bad number":
        ring = [list(p) for p in square]
        i, j = draw(st.integers(0, 4)), draw(st.integers(0, 1))
        ring[i][j] = draw(st.sampled_from(_BAD_NUMBERS))
        return {"type": "Polygon", "coordinates": [ring]}, kind
    if kind == "huge":
        k = draw(st.sampled_from([1e6, 1e12, 1e30, -1e9]))
        return {"type": "Polygon", "coordinates": [[[a * k, b * k] for a, b in square]]}, kind
    if kind == "empty":
        return draw(st.sampled_from([{"type": "Polygon", "coordinates": []},
                                     {"type": "MultiPolygon", "coordinates": []},
                                     {"type": "Polygon", "coordinates": [[]]}])), kind
    if kind == "null":
        return None, kind
    if kind == "point":
        return {"type": "Point", "coordinates": [x, y]}, kind
    if kind == "line":
        return {"type": "LineString", "coordinates": square[:3]}, kind
    if kind == "multipoint":
        return {"type": "MultiPoint", "coordinates": square[:2]}, kind
    if kind == "collection":
        return {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "coordinates": [square]}, {"type": "Point", "coordinates": [x, y]}]}, kind
    if kind == "3d":
        return {"type": "Polygon", "coordinates": [[[a, b, draw(st.floats(-100, 100))] for a, b in square]]}, kind
    return draw(st.sampled_from([  # "garbage": shapes GeoJSON does not allow
        {"type": "Polygon", "coordinates": "abc"}, {"type": "Hexagon", "coordinates": [square]},
        {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]},
        {"type": "Polygon"}, {"coordinates": [square]}, [1, 2], "POLYGON((0 0,1 0,1 1,0 0))",
        {"type": "Polygon", "coordinates": [[[x, y]] * 5]}])), kind


def to_shapely(geometry):
    """The shapely form of a generated geometry, or None where shapely cannot build one."""
    try:
        return shapely.geometry.shape(geometry) if isinstance(geometry, dict) else None
    except Exception:  # the broken kinds: written to binary formats as a null geometry
        return None


# -- properties ----------------------------------------------------------
CODE_FIELDS = ["WD20CD"] * 6 + ["LAD21CD", "wd20cd", "code", "CODE", "WD2020CD", "ÜCD", "", "geometry"]


def _name_field(code_field: str) -> str:
    return code_field[:-2] + ("NM" if code_field[-2:].isupper() else "nm") if len(code_field) > 2 else "name"


@st.composite
def feature_rows(draw, count: int, clean: bool = False):
    """(fields, rows): the attribute table of `count` features, with the mistakes files have
    (clean: distinct codes in a field named the ONS way, which the importer finds itself)."""
    code_field = draw(st.sampled_from(["WD20CD", "LAD21CD", "wd20cd"] if clean else CODE_FIELDS))
    fields = [code_field, _name_field(code_field)]
    if draw(st.booleans()):
        fields.append("LAD20CD")
    extra = draw(st.lists(st.sampled_from(["pop", "AREA", "note", "Ünï", "a b", "1", "WD19CD", "LAD20NM"]),
                          max_size=2, unique=True))
    fields += [f for f in extra if f not in fields]
    rows = []
    for i in range(count):
        row = {}
        code = f"E05{100000 + i:06d}"
        how = "ok" if clean else draw(st.sampled_from(["ok"] * 8 + ["duplicate", "none", "blank", "number", "float",
                                                "bool", "list", "awkward", "missing"]))
        if how == "duplicate" and rows:
            code = rows[0].get(code_field, code)
        elif how in ("none", "blank", "number", "float", "bool", "list", "awkward"):
            code = {"none": None, "blank": "  ", "number": i, "float": i + 0.5, "bool": bool(i % 2),
                    "list": [i, "x"], "awkward": draw(awkward_text)}[how]
        if how != "missing":
            row[code_field] = code
        row[fields[1]] = draw(st.one_of(st.just(f"Ward {i}"), awkward_text, st.none(), st.integers()))
        for f in fields[2:]:
            row[f] = draw(st.one_of(st.sampled_from(["E09000001", "E09000002", None, ""]),
                                    st.integers(-10, 10 ** 12), st.floats(), awkward_text))
        rows.append(row)
    return fields, rows


def _kwargs(draw, fields: list[str], clean: bool = False) -> dict:
    """Mostly let the importer choose the fields; sometimes name them, rightly or not."""
    kwargs = {}
    if clean:
        return {"code_field": fields[0]} if draw(st.integers(0, 4)) == 0 else kwargs
    for key, pick in (("code_field", 0), ("name_field", 1), ("parent_field", 2)):
        choice = draw(st.sampled_from(["auto"] * 6 + ["given", "absent"]))
        if choice == "given" and pick < len(fields):
            kwargs[key] = fields[pick]
        elif choice == "absent":
            kwargs[key] = draw(st.sampled_from(["NOPE", "", "WD20CD", "geometry"]))
    if draw(st.integers(0, 9)) == 0:
        kwargs["name"] = draw(st.sampled_from(["Seed wards", "  ", "New layer", "Ünï\u202e"]))
    if draw(st.integers(0, 9)) == 0:
        kwargs["level"] = draw(st.sampled_from(["ward", "borough", "other", "county", ""]))
    return kwargs


# -- GeoJSON -------------------------------------------------------------
_CRS_MEMBERS = {
    "missing": None,
    "27700": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
    "4326": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
    "crs84": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    "unknown": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
    "garbage": {"type": "name", "properties": {"name": "not a crs ‮"}},
    "malformed": {"type": "name"},
    "number": 42,
    "null": "null",
}


@st.composite
def geojson_documents(draw, clean: bool) -> tuple[bytes, str, list[str]]:
    """(bytes, description, fields) of a GeoJSON file, mostly a FeatureCollection."""
    crs = draw(st.sampled_from(["27700", "missing", "4326", "crs84"] if clean else
                               ["27700"] * 4 + ["missing"] * 2 + list(_CRS_MEMBERS)))
    frame = "bng" if crs == "27700" else "lonlat"
    if not clean and draw(st.integers(0, 9)) == 0:   # numbers in the other frame than the CRS says
        frame = "lonlat" if frame == "bng" else "bng"
    count = draw(st.integers(1, 6))
    fields, rows = draw(feature_rows(count, clean))
    features, kinds = [], []
    for row in rows:
        geometry, kind = draw(geometries(frame, CLEAN_KINDS if clean else None))
        kinds.append(kind)
        feature = {"type": "Feature", "properties": row, "geometry": geometry}
        if not clean and draw(st.integers(0, 19)) == 0:
            feature["properties"] = None
        features.append(feature)
    doc = {"type": "FeatureCollection", "features": features}
    member = _CRS_MEMBERS[crs]
    if member is not None:
        doc["crs"] = None if member == "null" else member
    broken_shapes = ["no features", "features not a list", "one feature", "bare geometry", "array", "scalar",
                     "not json"]
    shape = "collection" if clean else draw(st.sampled_from(["collection"] * 12 + broken_shapes))
    if shape == "no features":
        doc.pop("features")
    elif shape == "features not a list":
        doc["features"] = {"0": features[0]}
    elif shape == "one feature":
        doc = features[0]
    elif shape == "bare geometry":
        doc = features[0]["geometry"]
    elif shape == "array":
        doc = features
    elif shape == "scalar":
        doc = draw(st.sampled_from([0, "FeatureCollection", None, True]))
    text = (json.dumps(doc, ensure_ascii=draw(st.booleans()))
            if shape != "not json" else draw(st.sampled_from(["hello", "{", "", "<xml/>", "\x00" * 10])))
    encoding = "utf-8" if clean else draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    return data, f"{shape}, crs {crs}, {frame} numbers, geometries {kinds}, {encoding}", fields


@st.composite
def geojson_cases(draw) -> Case:
    clean = draw(cleanliness)
    data, label, fields = draw(geojson_documents(clean))
    data, damage = (data, "clean") if clean else draw(damaged(data))
    name = draw(st.sampled_from(["wards.geojson"] * 4 + ["wards.json", "Ünï côde wards.GEOJSON", "wards"]))
    return Case(name, data, _kwargs(draw, fields, clean), f"{label}; {damage}")


@st.composite
def geojson_gz_cases(draw) -> Case:
    clean = draw(cleanliness)
    data, label, fields = draw(geojson_documents(clean))
    how = "gzip" if clean else draw(st.sampled_from(["gzip"] * 6 + ["not gzipped", "gzip twice", "damaged gzip"]))
    if how != "not gzipped":
        data = gzip.compress(data, mtime=0)
    if how == "gzip twice":
        data = gzip.compress(data, mtime=0)
    damage = "intact"
    if how == "damaged gzip":
        data, damage = draw(damaged(data))
    name = draw(st.sampled_from(["wards.geojson.gz"] * 4 + ["wards.json.gz", "WARDS.GEOJSON.GZ", "wards.gz"]))
    return Case(name, data, _kwargs(draw, fields, clean), f"{label}; {how}; {damage}")


# -- written by GDAL: Shapefile and GeoPackage ----------------------------
_POLYGONAL = ["square"] * 8 + ["holed", "multi", "bowtie", "random", "flat", "bad number", "huge", "empty", "null"]


def _write_layer(path, fields, rows, geoms, *, driver, layer=None, geometry_type="Unknown", crs="EPSG:27700"):
    """Write features with GDAL; every value goes in as text (what .dbf keeps anyway)."""
    wkbs = np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object)
    columns = [np.array([None if r.get(f) is None else str(r.get(f)) for r in rows], dtype=object)
               for f in fields]
    pyogrio.raw.write(str(path), wkbs, columns, fields, layer=layer, driver=driver,
                      geometry_type=geometry_type, crs=crs, encoding="UTF-8" if driver != "GPKG" else None)


@st.composite
def _gdal_features(draw, frame="bng", kinds=_POLYGONAL, clean=False):
    count = draw(st.integers(1, 5))
    fields, rows = draw(feature_rows(count, clean))
    # GDAL refuses empty and duplicate field names; a file cannot hold them anyway.
    fields = [f for f in dict.fromkeys(fields) if f and f.lower() not in ("fid", "geometry", "geom")]
    if not fields:
        fields = ["WD20CD", "WD20NM"]
    drawn = [draw(geometries(frame, kinds)) for _ in rows]
    return fields, rows, [to_shapely(g) for g, _ in drawn], [k for _, k in drawn]


_WGS84_PRJ = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
              'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')


@st.composite
def shapefile_zip_cases(draw) -> Case:
    clean = draw(cleanliness)
    crs = draw(st.sampled_from(["EPSG:27700", "EPSG:4326"] if clean else ["EPSG:27700"] * 4 + ["EPSG:4326", None]))
    frame = "lonlat" if crs == "EPSG:4326" else "bng"
    points = not clean and draw(st.integers(0, 14)) == 0
    fields, rows, geoms, kinds = draw(_gdal_features(
        frame, ["point"] if points else CLEAN_KINDS if clean else _POLYGONAL, clean))
    stem = draw(st.sampled_from(["wards", "Wards 2020", "ünï"]))
    folder = scratch() / "shp"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        _write_layer(folder / f"{stem}.shp", fields, rows, geoms, driver="ESRI Shapefile",
                     geometry_type="Point" if points else "Polygon", crs=crs)
    except Exception as e:  # GDAL would not write this mix; still a file to try importing
        (folder / f"{stem}.shp").write_bytes(b"")
        kinds.append(f"write failed: {type(e).__name__}")
    members = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    changes = [] if clean else draw(st.lists(st.sampled_from(
        ["drop .dbf", "drop .shx", "drop .prj", "drop .shp", "truncate member", "garbage .prj", "WGS84 .prj",
         "two layers", "in a folder", "extra file", "upper-case names", "no cpg"]), max_size=2))
    for change in changes:
        if change.startswith("drop ") or change == "no cpg":
            ext = ".cpg" if change == "no cpg" else change[5:]
            members = {n: b for n, b in members.items() if not n.lower().endswith(ext)}
        elif change == "truncate member" and members:
            name = draw(st.sampled_from(sorted(members)))
            members[name] = members[name][:draw(st.integers(0, max(len(members[name]) - 1, 0)))]
        elif change in ("garbage .prj", "WGS84 .prj"):
            members[f"{stem}.prj"] = (b"PROJCS[nonsense" if change == "garbage .prj" else _WGS84_PRJ.encode())
        elif change == "two layers":
            members.update({"other" + n[len(stem):]: b for n, b in list(members.items())})
        elif change == "in a folder":
            members = {f"data/{n}": b for n, b in members.items()}
        elif change == "extra file":
            members["README.txt"] = "Ünï".encode()
        elif change == "upper-case names":
            members = {n.upper(): b for n, b in members.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    data = buffer.getvalue()
    how = "zip" if clean else draw(st.sampled_from(["zip"] * 6 + ["damaged zip", "not a zip"]))
    damage = "intact"
    if how == "damaged zip":
        data, damage = draw(damaged(data))
    elif how == "not a zip":
        data = draw(st.sampled_from([b"", b"PK\x03\x04", b"hello", members.get(f"{stem}.shp", b"x")]))
    name = draw(st.sampled_from(["wards.zip"] * 4 + ["Ünï wards.ZIP"]))
    return Case(name, data, _kwargs(draw, fields, clean),
                f"crs {crs}, geometries {kinds}, members {sorted(members)}, {changes}, {how}, {damage}")


@st.composite
def geopackage_cases(draw, catalogue_copy: Path) -> Case:
    """GeoPackages written by GDAL, then given a second layer, a non-spatial table, a wrong
    layer name or damage; or one of our own catalogues offered as a boundary source."""
    clean = draw(cleanliness)
    source = "gdal" if clean else draw(st.sampled_from(["gdal"] * 6 + ["a catalogue", "this catalogue"]))
    if source != "gdal":
        kwargs = {"layer": draw(st.sampled_from([None, "boundary_units", "areas", "organisations", "nope"])),
                  "code_field": draw(st.sampled_from([None, "code", "name", "NOPE"])),
                  "name_field": draw(st.sampled_from([None, "name", "code"]))}
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        data, damage = draw(damaged(catalogue_copy.read_bytes())) if source == "a catalogue" else (b"", "intact")
        return Case("catalogue.gpkg", data, kwargs, f"{source}; {damage}",
                    source_is_catalogue=source == "this catalogue")
    crs = draw(st.sampled_from(["EPSG:27700", "EPSG:4326"] if clean else ["EPSG:27700"] * 4 + ["EPSG:4326", None]))
    frame = "lonlat" if crs == "EPSG:4326" else "bng"
    geometry_type = draw(st.sampled_from(["MultiPolygon", "Polygon", "Unknown"] + ([] if clean else ["Point"])))
    kinds = ["point"] if geometry_type == "Point" else CLEAN_KINDS if clean else _POLYGONAL
    fields, rows, geoms, labels = draw(_gdal_features(frame, kinds, clean))
    layer = draw(st.sampled_from(["wards"] * 3 + ["Wards 2020", "ünï", "a'b"]))
    path = scratch() / "case.gpkg"
    path.unlink(missing_ok=True)
    changes = [] if clean else draw(st.lists(st.sampled_from(["second polygon layer", "table without geometry",
                                             "point layer"]), max_size=2, unique=True))
    try:
        if geometry_type == "Polygon":
            geoms = [g if g is None or g.geom_type == "Polygon" else None for g in geoms]
        _write_layer(path, fields, rows, geoms, driver="GPKG", layer=layer, geometry_type=geometry_type, crs=crs)
        for change in changes:
            if change == "table without geometry":
                pyogrio.raw.write(str(path), None, [np.array(["x"], dtype=object)], ["WD20CD"],
                                  layer="notes", driver="GPKG")
            else:
                point = change == "point layer"
                extra = [shapely.Point(1, 1) if point else shapely.box(0, 0, 1, 1)]
                _write_layer(path, ["WD20CD", "WD20NM"], [{"WD20CD": "X", "WD20NM": "x"}], extra,
                             driver="GPKG", layer="points" if point else "second",
                             geometry_type="Point" if point else "Polygon", crs=crs)
        data = path.read_bytes()
    except Exception as e:  # GDAL would not write this; import its half-written file
        data = path.read_bytes() if path.exists() else b""
        labels.append(f"write failed: {type(e).__name__}")
    data, damage = (data, "clean") if clean else draw(damaged(data))
    kwargs = _kwargs(draw, fields, clean)
    if not clean and draw(st.integers(0, 5)) == 0:
        kwargs["layer"] = draw(st.sampled_from([layer, "nope", "notes", "points", "second", ""]))
    name = draw(st.sampled_from(["wards.gpkg"] * 4 + ["wards.sqlite", "WARDS.GPKG"]))
    return Case(name, data, kwargs, f"{geometry_type} layer {layer!r}, crs {crs}, geometries {labels}, "
                                    f"{changes}, {damage}")

