"""Pulling: the server's schema downloaded, whole and consistent, into a new catalogue file
(one REPEATABLE READ snapshot, one SQLite transaction). A pull into an existing catalogue
merges that file in through the merge review, like any other copy.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import psycopg
import shapely
from psycopg import sql

from models.errors import CatalogueError
from models.server.connection import ServerError, connect, describe, explain
from models.server.publish import DEFAULT_SCHEMA, Progress
from models.server.tables import catalogue_tables
from models.storage import gpkg
from models.storage.store import Store


def download(target: str, path: str | os.PathLike, schema: str = DEFAULT_SCHEMA, password: str | None = None,
             progress: Progress | None = None) -> Path:
    """A new catalogue at `path` holding what the server's schema holds; removed again if anything fails."""
    path = Path(path)
    tick = progress or (lambda what, done, total: None)
    store = Store.create(path)
    try:
        tables = catalogue_tables(store.conn)
        conn = connect(target, password)
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            have = _server_columns(conn, schema)
            missing = [t.name for t in tables if t.name not in have]
            if missing:
                raise ServerError(f"{describe(target)} has no catalogue in schema {schema!r} "
                                  f"(no table {missing[0]}); publish one there first")
            with store.edit():
                store.conn.execute("PRAGMA defer_foreign_keys=ON")
                for n, t in enumerate(tables, start=1):
                    tick(f"receiving {t.name}", n, len(tables))
                    _copy_table(conn, store, schema, t, have[t.name])
                for table in gpkg_tables(tables):
                    gpkg.update_extent(store.conn, table)
            conn.rollback()
        except psycopg.Error as e:
            raise ServerError(explain(e, target, password)) from None
        finally:
            conn.close()
    except BaseException:
        store.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    store.close()
    return path


def gpkg_tables(tables) -> list[str]:
    return [t.name for t in tables if t.geometry]


def _server_columns(conn: psycopg.Connection, schema: str) -> dict[str, set[str]]:
    have: dict[str, set[str]] = {}
    for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", (schema,)):
        have.setdefault(table, set()).add(column)
    return have


def _copy_table(conn: psycopg.Connection, store: Store, schema: str, t, server_columns: set[str]) -> None:
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
            wkbs = [bytes(w) if w is not None else None for w in columns[i]]
            geoms = shapely.from_wkb(np.array(wkbs, dtype=object))
            blobs = [gpkg.to_blob(g) if g is not None else None for g in geoms]
            columns[i] = tuple(blobs)
        elif t.types[c] == "bytea":
            columns[i] = tuple(bytes(v) if v is not None else None for v in columns[i])
    store.conn.executemany(
        f"INSERT INTO {t.name}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", zip(*columns))
