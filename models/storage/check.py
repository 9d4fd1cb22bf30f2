"""`check`: is the file sound as SQLite, as a GeoPackage and as a catalogue?"""
from __future__ import annotations

from models.storage import gpkg, schema


def problems(cat) -> list[str]:
    """Every problem found, one line each; an empty list means the file is sound."""
    conn = cat.store.conn
    found: list[str] = []
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        found += [f"integrity: {line}" for line in integrity[:20]]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"dangling reference: {table} row {rowid} points to a missing {parent} row")

    # GeoPackage requirements (1.4): header, core tables, registered tables, geometry blobs.
    if conn.execute("PRAGMA application_id").fetchone()[0] != gpkg.APPLICATION_ID:
        found.append("geopackage: application_id is not 'GPKG'")
    if not 10200 <= conn.execute("PRAGMA user_version").fetchone()[0] < 20000:
        found.append("geopackage: user_version is not a GeoPackage 1.x version")
    srs = {r[0] for r in conn.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
    for needed in (-1, 0, gpkg.WGS84):
        if needed not in srs:
            found.append(f"geopackage: gpkg_spatial_ref_sys lacks srs_id {needed}")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    for name, data_type, srs_id in conn.execute("SELECT table_name, data_type, srs_id FROM gpkg_contents"):
        if name not in tables:
            found.append(f"geopackage: gpkg_contents lists '{name}', which does not exist")
        if srs_id is not None and srs_id not in srs:
            found.append(f"geopackage: '{name}' uses unknown srs_id {srs_id}")
    for table, column, srs_id in conn.execute(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns"):
        for fid, blob in conn.execute(f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL"):
            if blob[:2] != b"GP" or gpkg.blob_srs_id(blob) != srs_id:
                found.append(f"geopackage: {table} row {fid} has a bad geometry blob")
                break

    # Triggers and views another program added: they would run on our edits (see models.storage.foreign).
    for kind, name, _ in cat.store.foreign_objects:
        found.append(f"foreign: {kind} '{name}' was not created by Partnership Atlas; "
                     "the file is only opened read-only until it is removed")

    # Catalogue rules the schema cannot state.
    for table in schema.CONTENT_TABLES:
        if table not in tables:
            found.append(f"catalogue: table '{table}' is missing")
    for table in schema.IDENTIFIED_TABLES:
        if table not in tables or "uuid" not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            found.append(f"catalogue: table '{table}' has no uuid column")
            continue
        missing = conn.execute(f"SELECT count(*) FROM {table} WHERE uuid IS NULL OR uuid=''").fetchone()[0]
        if missing:
            found.append(f"catalogue: {missing} {table} row(s) have no uuid")
        for value, n in conn.execute(f"SELECT uuid, count(*) FROM {table} WHERE uuid IS NOT NULL "
                                     "GROUP BY uuid HAVING count(*) > 1 LIMIT 20"):
            found.append(f"catalogue: {n} {table} rows have the same uuid {value}")
    for area, name in conn.execute(
            "SELECT DISTINCT a.fid, a.name FROM areas a JOIN area_units au ON au.area_id=a.fid "
            "JOIN boundary_units u ON u.fid=au.unit_id WHERE u.layer_id IS NOT a.layer_id"):
        found.append(f"catalogue: area '{name}' has units from another layer than its own")
    for area, name in conn.execute(
            "SELECT fid, name FROM areas WHERE geom IS NULL AND (drawn IS NOT NULL OR "
            "fid IN (SELECT area_id FROM area_units))"):
        found.append(f"catalogue: area '{name}' has lost its outline")
    return found
