"""A catalogue's content as every copy agrees on it: rows by uuid (units by layer and code),
references as the uuids they point at, integer ids left out (they differ between copies)."""
from __future__ import annotations

from models.storage import gpkg
from models.storage.schema import IDENTIFIED_TABLES


def content(cat) -> dict:
    conn = cat.store.conn
    out = {}
    for table in IDENTIFIED_TABLES:
        fks = {r[3]: r[2] for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in ("id", "fid", "geom")]
        exprs = [f"(SELECT uuid FROM {fks[c]} p WHERE p.{'fid' if fks[c] == 'areas' else 'id'} = t.{c})"
                 if c in fks else f"t.{c}" for c in cols]
        out[table] = {r[0]: r for r in conn.execute(f"SELECT uuid, {', '.join(exprs)} FROM {table} t")}
    out["boundary_units"] = {(r[0], r[1]): (*r[2:-1], gpkg.from_blob(r[-1]).wkt) for r in conn.execute(
        "SELECT l.uuid, u.code, u.name, u.parent_code, u.population, u.attributes, u.geom "
        "FROM boundary_units u JOIN boundary_layers l ON l.id = u.layer_id")}
    out["area_units"] = set(conn.execute(
        "SELECT a.uuid, l.uuid, u.code FROM area_units au JOIN areas a ON a.fid = au.area_id "
        "JOIN boundary_units u ON u.fid = au.unit_id JOIN boundary_layers l ON l.id = u.layer_id").fetchall())
    return out
