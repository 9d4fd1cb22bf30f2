"""Pulling: the server's schema downloaded, whole and consistent (one REPEATABLE READ
snapshot), into a new catalogue file, which the merge review then merges into the desktop
catalogue like any other copy (models/catalogue/merge/: one undo step).

The copy carries the history a merge needs to find what both sides last shared: the
catalogue history published with the rows (entries shared with the desktop file), then one
entry per change made directly on the server (psql, QGIS), from the server's own
`server_history`, authored by its database user. Those entries get the same uuid at every
pull (uuid5 of the server's identity and the change's number), so once merged and published
back they count as shared.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import uuid
from pathlib import Path

import numpy as np
import psycopg
import shapely
from psycopg import sql

from models.errors import CatalogueError
from models.server.connection import ServerError, connect, describe, explain
from models.server.publish import DEFAULT_SCHEMA, Progress
from models.server.tables import SERVER_COLUMNS, Table, catalogue_tables
from models.storage import gpkg, journal
from models.storage.store import Store

_OP_NAMES = {"I": "Added", "U": "Changed", "D": "Deleted"}


def pull_plan(cat, target: str, schema: str = DEFAULT_SCHEMA, password: str | None = None,
              prefer: str | None = None, progress: Progress | None = None):
    """What pulling the server's schema into `cat` would do: a merge plan (read only; apply it
    with models.catalogue.merge.apply, one undo step), or None when the server has nothing
    this catalogue lacks."""
    from models.catalogue import merge
    if not _anything_new(cat.store, target, schema, password):
        return None
    with tempfile.TemporaryDirectory(prefix="atlas-pull-") as folder:
        # The name the review shows for the server's copy ("atlas on me@host 5432 db"): no path, no colon.
        name = re.sub(r'[/\\:*?"<>|\x00-\x1f]+', " ", f"{schema} on {describe(target)}")[:100]
        copy = download(target, Path(folder) / f"{name}.gpkg", schema, password, progress)
        return merge.plan(cat, copy, prefer=prefer)


def _anything_new(store: Store, target: str, schema: str, password: str | None) -> bool:
    """Whether the server holds a change this catalogue has not seen. Every change reaches the
    server either by a publish, which brings its catalogue's history entries along, or directly,
    which the server's triggers log; so when every entry the server knows (published, and one
    per direct change) is in this file's history, a pull would bring nothing."""
    S = sql.Identifier(schema)
    conn = connect(target, password)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if _server_columns(conn, schema).keys() < {"history", "server_history", "atlas_server"}:
            return True   # no catalogue there: the download says so
        server = uuid.UUID(conn.execute(sql.SQL("SELECT value FROM {}.atlas_server WHERE key = 'uuid'")
                                        .format(S)).fetchone()[0])
        entries = {u for u, in conn.execute(sql.SQL("SELECT uuid FROM {}.history").format(S))}
        entries |= {str(uuid.uuid5(server, f"server_history/{n}")) for n, in conn.execute(
            sql.SQL("SELECT id FROM {}.server_history WHERE NOT by_publish").format(S))}
        conn.rollback()
    except psycopg.Error as e:
        raise ServerError(explain(e, target, password)) from None
    finally:
        conn.close()
    local = store.conn
    # An undone merge (a pull taken back) leaves the entries it copied in the history without
    # counting as shared (models/catalogue/merge/): after any undo past a merge, look properly.
    if local.execute("SELECT 1 FROM history WHERE kind IN ('undo', 'redo') AND id > "
                     "(SELECT min(id) FROM history WHERE kind = 'merge') LIMIT 1").fetchone():
        return True
    known = {u for u, in local.execute("SELECT uuid FROM history")}
    return not entries <= known


def pull_name(target: str, schema: str) -> str:
    """The history's name for a pull."""
    return f"Pull {schema} from {describe(target)}"


def download(target: str, path: str | os.PathLike, schema: str = DEFAULT_SCHEMA, password: str | None = None,
             progress: Progress | None = None) -> Path:
    """A new catalogue at `path` holding what the server's schema holds; removed again if anything fails."""
    path = Path(path)
    tick = progress or (lambda what, done, total: None)
    store = Store.create(path)   # the schema, migrated as any new catalogue
    tables = catalogue_tables(store.conn)
    store.close()
    # The rows as they are on the server, stamps included: a bulk load of a new file, not an
    # edit (no journal, no stamps); the file is whole or removed.
    local = sqlite3.connect(path, isolation_level=None)
    try:
        gpkg.register_functions(local)
        local.execute("PRAGMA synchronous=OFF")
        conn = connect(target, password)
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            have = _server_columns(conn, schema)
            missing = [t for t in [t.name for t in tables] + ["history", "server_history"] if t not in have]
            if missing:
                raise ServerError(f"{describe(target)} has no catalogue in schema {schema!r} "
                                  f"(no table {missing[0]}); publish one there first")
            local.execute("BEGIN")
            for n, t in enumerate(tables, start=1):
                tick(f"receiving {t.name}", n, len(tables) + 1)
                _copy_table(conn, local, schema, t, have[t.name])
            for t in tables:
                if t.geometry:
                    gpkg.update_extent(local, t.name)
            tick("receiving the history", len(tables) + 1, len(tables) + 1)
            _copy_history(conn, local, schema)
            _server_edits(conn, local, schema, tables)
            if local.execute("PRAGMA foreign_key_check").fetchone():
                raise ServerError(f"the catalogue in schema {schema!r} has rows whose references are missing")
            local.execute("COMMIT")
            conn.rollback()
        except psycopg.Error as e:
            raise ServerError(explain(e, target, password)) from None
        finally:
            conn.close()
    except BaseException:
        local.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    local.close()
    return path


def _server_columns(conn: psycopg.Connection, schema: str) -> dict[str, set[str]]:
    have: dict[str, set[str]] = {}
    for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", (schema,)):
        have.setdefault(table, set()).add(column)
    return have


def _copy_table(conn: psycopg.Connection, local: sqlite3.Connection, schema: str, t: Table, server_columns: set[str]) -> None:
    cols = [c for c in t.columns if c in server_columns]   # a newer server's extra columns stay there
    if t.key not in cols:
        raise CatalogueError(f"the server's {t.name} has no {t.key} column")
    select = sql.SQL(", ").join(
        sql.SQL("ST_AsBinary({0})").format(sql.Identifier(c)) if c in t.geometry else sql.Identifier(c)
        for c in cols)
    rows = conn.execute(sql.SQL("SELECT {} FROM {}.{} ORDER BY {}").format(
        select, sql.Identifier(schema), sql.Identifier(t.name), sql.Identifier(t.key))).fetchall()
    if not rows:
        return
    columns = list(zip(*rows))
    for i, c in enumerate(cols):
        if c in t.geometry:
            wkbs = np.array([bytes(w) if w is not None else None for w in columns[i]], dtype=object)
            present = np.array([w is not None for w in wkbs])
            blobs = np.full(len(wkbs), None, dtype=object)
            if present.any():
                blobs[present] = gpkg.to_blobs(shapely.from_wkb(wkbs[present]))
            columns[i] = tuple(blobs)
        elif t.types[c] == "bytea":
            columns[i] = tuple(bytes(v) if v is not None else None for v in columns[i])
    local.executemany(
        f"INSERT INTO {t.name}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", zip(*columns))


def _copy_history(conn: psycopg.Connection, local: sqlite3.Connection, schema: str) -> None:
    """The catalogue history published to the server, in its order."""
    S = sql.Identifier(schema)
    entries = conn.execute(sql.SQL("SELECT id, uuid, at, author, name, kind, detail FROM {}.history ORDER BY id")
                           .format(S)).fetchall()
    local.executemany("INSERT INTO history(id, uuid, at, author, name, kind, detail) VALUES (?,?,?,?,?,?,?)",
                           entries)
    local.executemany(
        "INSERT INTO history_changes(history_id, tbl, row_uuid, op, old, new) VALUES (?,?,?,?,?,?)",
        conn.execute(sql.SQL("SELECT history_id, tbl, row_uuid, op, old, new FROM {}.history_changes "
                             "ORDER BY history_id").format(S)))


def _server_edits(conn: psycopg.Connection, local: sqlite3.Connection, schema: str, tables: list[Table]) -> None:
    """One history entry per change made on the server (not by a publish), as the desktop
    journal would have written it: foreign keys as uuids, an update's changed columns only."""
    S = sql.Identifier(schema)
    server = uuid.UUID(conn.execute(sql.SQL("SELECT value FROM {}.atlas_server WHERE key = 'uuid'")
                                    .format(S)).fetchone()[0])
    by_name = {t.name: t for t in tables}
    log = conn.execute(sql.SQL(
        "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), db_user, tbl, op, old, new "
        "FROM {}.server_history WHERE NOT by_publish ORDER BY id").format(S)).fetchall()
    if not log:
        return
    uuids = _uuids(local, log, by_name)
    units = {fid: f"{layer}/{code}" for fid, layer, code in local.execute(
        "SELECT u.fid, l.uuid, u.code FROM boundary_units u JOIN boundary_layers l ON l.id = u.layer_id")}
    known = {u for u, in local.execute("SELECT uuid FROM history")}   # pulled and published back
    for log_id, at, user, tbl, op, old, new in log:
        t = by_name.get(tbl)
        entry = str(uuid.uuid5(server, f"server_history/{log_id}"))
        if t is None or tbl in journal.NOT_WRITTEN_TABLES or entry in known:
            continue
        old_j, new_j = _as_catalogue(t, old, uuids, units), _as_catalogue(t, new, uuids, units)
        if op == "U":
            differ = {c for c in t.columns if old_j.get(c) != new_j.get(c)}
            if not differ - {"changed_at", "changed_by"}:
                continue   # only the server's bookkeeping changed
            old_j = {c: v for c, v in old_j.items() if c in differ}
            new_j = {c: v for c, v in new_j.items() if c in differ}
        row = (old or new)
        row_uuid = row.get("uuid") if tbl != "area_units" else uuids["areas"].get(row.get("area_id"))
        if row_uuid is None:
            continue
        cur = local.execute(
            "INSERT INTO history(uuid, at, author, name, kind, detail) VALUES (?,?,?,?, 'edit', ?)",
            (entry, at, user, f"{_OP_NAMES[op]} {tbl.replace('_', ' ')} on the server",
             json.dumps({"server": str(server), "change": log_id})))
        local.execute("INSERT INTO history_changes(history_id, tbl, row_uuid, op, old, new) VALUES (?,?,?,?,?,?)",
                           (cur.lastrowid, tbl, row_uuid, op,
                            json.dumps(old_j) if op != "I" else None, json.dumps(new_j) if op != "D" else None))


def _uuids(local: sqlite3.Connection, log, by_name) -> dict[str, dict[int, str]]:
    """Server id -> uuid for every identified table: current rows, and rows the log saw deleted."""
    out: dict[str, dict[int, str]] = {}
    for t in by_name.values():
        if "uuid" in t.columns:
            out[t.name] = dict(local.execute(f"SELECT {t.key}, uuid FROM {t.name}"))
    for _, _, _, tbl, _, old, new in log:
        t = by_name.get(tbl)
        for row in (old, new):
            if t is not None and row and "uuid" in row and tbl in out:
                out[tbl].setdefault(row.get(t.key), row["uuid"])
    return out


def _as_catalogue(t: Table, row: dict | None, uuids: dict, units: dict) -> dict:
    if not row:
        return {}
    out = {}
    skip = journal.NOT_WRITTEN_COLUMNS.get(t.name, set()) | set(SERVER_COLUMNS)
    for c in t.columns:
        if c in skip or c not in row:
            continue
        value, parent = row[c], t.parents.get(c)
        if parent == "boundary_units":
            value = units.get(value)
        elif parent and value is not None:
            value = uuids.get(parent, {}).get(value)
        out[c] = value
    return out
