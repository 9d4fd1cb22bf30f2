"""GeoPackage plumbing: geometry blobs, the SRS table rows and the ST_* functions.

A catalogue is a GeoPackage file, so everything geometric is stored in the
GeoPackage binary form: 'GP', version, flags, srs_id, envelope, then ISO WKB. It
declares version 1.2, the oldest whose features it uses (plain feature and
attribute tables, no extensions of its own): readers of every version since open
it without a warning.
"""
from __future__ import annotations

import sqlite3
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import shapely

# numpy and shapely are imported by the functions that use them: opening a catalogue and
# showing its window use neither, and they are a sixth of the app's start-up.

APPLICATION_ID = 0x47504B47  # 'GPKG'
USER_VERSION = 10200  # GeoPackage 1.2.0

BNG = 27700  # British National Grid: metres, so areas come out in m²
WGS84 = 4326

_HEADER = struct.Struct("<2sBBi4d")  # magic, version, flags, srs_id, xy envelope
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
# _HEADER as a numpy record, for building many headers at once (to_blobs).
_HEADER_DTYPE = [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"),
                 ("envelope", "<f8", (4,))]


def to_blob(geom: shapely.Geometry | None, srs_id: int = BNG) -> bytes | None:
    """One shapely geometry as a GeoPackage blob (little-endian, xy envelope)."""
    import shapely

    if geom is None:
        return None
    if geom.is_empty:
        # flags: empty bit (0x10), little-endian (0x01), no envelope
        return struct.pack("<2sBBi", b"GP", 0, 0x11, srs_id) + shapely.to_wkb(geom, byte_order=1)
    minx, miny, maxx, maxy = geom.bounds
    return _HEADER.pack(b"GP", 0, 0x03, srs_id, minx, maxx, miny, maxy) + shapely.to_wkb(
        geom, byte_order=1
    )


def to_blobs(geoms: np.ndarray, srs_id: int = BNG, bounds: np.ndarray | None = None,
             wkbs: list[bytes] | None = None) -> list[bytes]:
    """Vectorised to_blob for many non-empty geometries (boundary import). bounds: the
    geometries' shapely.bounds, when the caller has them already; wkbs: their little-endian
    WKB, likewise."""
    import numpy as np
    import shapely

    if wkbs is None:
        wkbs = shapely.to_wkb(geoms, byte_order=1)
    if bounds is None:
        bounds = shapely.bounds(geoms)
    # Every header at once in one buffer (a struct.pack per unit was half the time of
    # making 161k blobs), then each unit's slice of it joined to its WKB.
    headers = np.zeros(len(wkbs), dtype=_HEADER_DTYPE)
    headers["magic"], headers["flags"], headers["srs_id"] = b"GP", 0x03, srs_id
    headers["envelope"] = bounds[:, [0, 2, 1, 3]]   # minx, maxx, miny, maxy
    packed, size = headers.tobytes(), _HEADER.size
    return [packed[i:i + size] + w for i, w in zip(range(0, len(packed), size), wkbs)]


def _wkb_offset(blob: bytes) -> int:
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    env = (blob[3] >> 1) & 0x07
    if env not in _ENVELOPE_BYTES:
        raise ValueError("bad GeoPackage envelope code")
    return 8 + _ENVELOPE_BYTES[env]


def wkb_of(blob: bytes) -> bytes:
    """The standard WKB inside a GeoPackage geometry blob (what other databases read)."""
    return blob[_wkb_offset(blob):]


def from_blob(blob: bytes | None) -> shapely.Geometry | None:
    if blob is None:
        return None
    import shapely

    return shapely.from_wkb(blob[_wkb_offset(blob):])


def from_blobs(blobs: list[bytes]) -> np.ndarray:
    """Vectorised from_blob: strips headers in Python, parses WKB in one shapely call."""
    import shapely

    return shapely.from_wkb([b[_wkb_offset(b):] for b in blobs])


def blob_srs_id(blob: bytes) -> int:
    return struct.unpack_from("<i" if blob[3] & 1 else ">i", blob, 4)[0]


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the header, or from the geometry if it has none."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    if (blob[3] >> 1) & 0x07:
        order = "<" if blob[3] & 1 else ">"
        return struct.unpack_from(order + "4d", blob, 8)
    minx, miny, maxx, maxy = from_blob(blob).bounds
    return minx, maxx, miny, maxy


def _is_empty(blob):
    if blob is None:
        return None
    return 1 if len(blob) >= 4 and blob[3] & 0x10 else 0


def _coordinate(i):
    def get(blob):
        env = _envelope(blob)
        return None if env is None else env[i]

    return get


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions GDAL's rtree triggers call.

    Once GDAL or QGIS has added a spatial index, every INSERT or UPDATE on that
    table runs a trigger calling these; without them plain sqlite3 cannot write.
    """
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _coordinate(i), deterministic=True)


def srs_rows() -> list[dict]:
    """The rows gpkg_spatial_ref_sys must hold: the spec's three plus BNG."""
    from pyproj import CRS

    return [
        dict(srs_name="Undefined cartesian SRS", srs_id=-1, organization="NONE",
             organization_coordsys_id=-1, definition="undefined",
             description="undefined cartesian coordinate reference system"),
        dict(srs_name="Undefined geographic SRS", srs_id=0, organization="NONE",
             organization_coordsys_id=0, definition="undefined",
             description="undefined geographic coordinate reference system"),
        dict(srs_name="WGS 84 geodetic", srs_id=WGS84, organization="EPSG",
             organization_coordsys_id=WGS84,
             definition=CRS.from_epsg(WGS84).to_wkt("WKT1_GDAL"),
             description="longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        dict(srs_name="OSGB36 / British National Grid", srs_id=BNG, organization="EPSG",
             organization_coordsys_id=BNG,
             definition=CRS.from_epsg(BNG).to_wkt("WKT1_GDAL"),
             description="British National Grid; transformed without the OSTN15 grid, "
                         "good to a few metres"),
    ]


def update_extent(conn, table: str) -> None:
    """Keep gpkg_contents' bounding box and last_change true (QGIS zooms to it)."""
    conn.execute(
        f"""UPDATE gpkg_contents SET
            min_x=(SELECT min(ST_MinX(geom)) FROM {table}), min_y=(SELECT min(ST_MinY(geom)) FROM {table}),
            max_x=(SELECT max(ST_MaxX(geom)) FROM {table}), max_y=(SELECT max(ST_MaxY(geom)) FROM {table}),
            last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now')
            WHERE table_name=?""", (table,))
