"""Publishing a catalogue to a PostGIS schema, all of it in one server transaction.

Each table is COPYed into a temporary staging table, then upserted into the real one:
rows the server lacks are added, rows that differ are updated (nothing else is touched),
rows this publisher published before and has since deleted are deleted. Rows others added
on the server are never deleted. A row someone changed on the server since the last
publish is not overwritten: the publish is refused, naming it (pull first). A publish that
fails or is killed half-way leaves the server as it was: the transaction never commits.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Iterable

import psycopg
from psycopg import sql

from models.errors import Cancelled
from models.server import rules
from models.server.connection import ServerError, connect, describe, explain
from models.server.tables import SERVER_IDS, Table, catalogue_tables, create_statements
from models.storage import gpkg
from models.storage.store import Store

Progress = Callable[[str, int, int], None]   # (what, done, total); raises Cancelled to stop

DEFAULT_SCHEMA = "atlas"


def ewkb_hex(blob: bytes | None) -> str | None:
    """A GeoPackage geometry as PostGIS's hex EWKB: the blob's WKB with the SRID written in."""
    if blob is None:
        return None
    wkb = gpkg.wkb_of(blob)
    order = "<I" if wkb[0] == 1 else ">I"
    kind = struct.unpack_from(order, wkb, 1)[0]
    return (wkb[:1] + struct.pack(order, kind | 0x20000000) + struct.pack(order, gpkg.BNG) + wkb[5:]).hex()


def publish(store: Store, target: str, schema: str = DEFAULT_SCHEMA, password: str | None = None,
            editors: Iterable[str] = (), readers: Iterable[str] = (),
            progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """Publish the catalogue into `schema` on the server; returns per table
    {"added", "changed", "deleted"}. Raises ServerError (one line) or Cancelled."""
    editors, readers = list(editors), list(readers)
    tables = catalogue_tables(store.conn)
    tick = progress or (lambda what, done, total: None)
    total = 2 * len(tables) + 2
    conn = connect(target, password)
    try:
        with conn.transaction():
            tick("preparing the server", 0, total)
            _need_postgis(conn, target)
            _need_roles(conn, editors + readers)
            # The version trigger lets a publish set versions itself (see rules._VERSION_BODY).
            conn.execute("SELECT set_config('atlas.publishing', 'on', true)")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            for statement in rules.functions(schema):
                conn.execute(statement)
            for t in tables:
                for statement in create_statements(schema, t) + rules.table_rules(schema, t):
                    conn.execute(statement)
            for statement in rules.grants(schema, tables, editors, readers):
                conn.execute(statement)
            with store.atomic():   # one consistent snapshot of the catalogue
                for n, t in enumerate(tables, start=1):
                    tick(f"sending {t.name}", n, total)
                    _stage(conn, store, schema, t)
            _refuse_conflicts(conn, schema, tables)
            counts: dict[str, dict[str, int]] = {}
            for n, t in enumerate(tables, start=len(tables) + 1):
                tick(f"updating {t.name}", n, total)
                counts[t.name] = _upsert(conn, schema, t)
            for t in reversed(tables):
                counts[t.name]["deleted"] = _delete_gone(conn, schema, t)
            tick("committing", total, total)
    except psycopg.Error as e:
        raise ServerError(explain(e, target, password)) from None
    except Cancelled:
        raise
    finally:
        conn.close()
    return counts


def _need_postgis(conn: psycopg.Connection, target: str) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with conn.transaction():   # a savepoint: a refusal must not end the publish's transaction
            conn.execute("CREATE EXTENSION postgis")
    except psycopg.Error:
        raise ServerError(f"{describe(target)} has no PostGIS: ask its administrator to run "
                          f"CREATE EXTENSION postgis in that database") from None


def _need_roles(conn: psycopg.Connection, roles: list[str]) -> None:
    if not roles:
        return
    have = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (roles,))}
    absent = [r for r in roles if r not in have]
    if absent:
        raise ServerError(f"no role {absent[0]!r} on the server: create it first (CREATE ROLE … LOGIN)")


def _stage_name(t: Table) -> sql.Identifier:
    return sql.Identifier(f"atlas_stage_{t.name}")


def _stage(conn: psycopg.Connection, store: Store, schema: str, t: Table) -> None:
    """The catalogue's rows of one table, COPYed into a temporary table shaped like the server's."""
    cols = sql.SQL(", ").join(map(sql.Identifier, t.columns))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {}.{} WITH NO DATA").format(
        _stage_name(t), cols, sql.Identifier(schema), sql.Identifier(t.name)))
    geometry = [i for i, c in enumerate(t.columns) if c in t.geometry]
    rows = store.conn.execute(f"SELECT {', '.join(t.columns)} FROM {t.name}")
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(_stage_name(t), cols)) as copy:
        for row in rows:
            if geometry:
                row = list(row)
                for i in geometry:
                    row[i] = ewkb_hex(row[i])
            copy.write_row(row)
    conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(_stage_name(t), sql.Identifier(t.key)))
    conn.execute(sql.SQL("ANALYZE {}").format(_stage_name(t)))


def _differs(a: str, b: str, t: Table) -> sql.Composable:
    cols = t.data_columns
    return sql.SQL("({}) IS DISTINCT FROM ({})").format(
        sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(a), sql.Identifier(c)) for c in cols),
        sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(b), sql.Identifier(c)) for c in cols))


def _refuse_conflicts(conn: psycopg.Connection, schema: str, tables: list[Table]) -> None:
    """Rows changed on the server since the last publish that this publish would overwrite or
    delete: refused, so nobody's change is lost."""
    for t in tables:
        S, T, K = sql.Identifier(schema), sql.Identifier(t.name), sql.Identifier(t.key)
        changed = sql.SQL("cur.row_version IS DISTINCT FROM cur.published_version")
        found = conn.execute(sql.SQL(
            "SELECT cur.{K}, cur.owner_role FROM {S}.{T} cur JOIN {N} new USING ({K}) WHERE {c} AND {d} "
            "UNION ALL "
            "SELECT cur.{K}, cur.owner_role FROM {S}.{T} cur WHERE {c} AND cur.owner_role = current_user "
            "AND cur.{K} < {X} AND cur.published_version IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM {N} new WHERE new.{K} = cur.{K}) LIMIT 3").format(
            K=K, S=S, T=T, N=_stage_name(t), c=changed, d=_differs("cur", "new", t),
            X=sql.Literal(SERVER_IDS))).fetchall()
        if found:
            rows = ", ".join(f"{t.name} {k} (last changed by {who})" for k, who in found)
            raise ServerError(f"conflict: changed on the server since your last publish: {rows}; "
                              f"pull first, then publish again")


def _upsert(conn: psycopg.Connection, schema: str, t: Table) -> dict[str, int]:
    S, T, K = sql.Identifier(schema), sql.Identifier(t.name), sql.Identifier(t.key)
    cols = sql.SQL(", ").join(map(sql.Identifier, t.columns))
    sets = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in t.data_columns)
    rows = conn.execute(sql.SQL(
        "INSERT INTO {S}.{T} AS cur ({cols}, published_version) SELECT {cols}, 1 FROM {N} "
        "ON CONFLICT ({K}) DO UPDATE SET {sets}, row_version = cur.row_version + 1, "
        "published_version = cur.row_version + 1 WHERE {d} RETURNING (xmax = 0)").format(
        S=S, T=T, K=K, cols=cols, N=_stage_name(t), sets=sets, d=_differs("cur", "excluded", t))).fetchall()
    added = sum(1 for (inserted,) in rows if inserted)
    # Rows changed on the server that now hold what the catalogue holds (a pull brought the
    # change home): this publish agrees with them, so they count as published.
    conn.execute(sql.SQL(
        "UPDATE {S}.{T} cur SET published_version = cur.row_version FROM {N} new "
        "WHERE new.{K} = cur.{K} AND cur.published_version IS DISTINCT FROM cur.row_version "
        "AND NOT {d}").format(S=S, T=T, K=K, N=_stage_name(t), d=_differs("cur", "new", t)))
    return {"added": added, "changed": len(rows) - added, "deleted": 0}


def _delete_gone(conn: psycopg.Connection, schema: str, t: Table) -> int:
    """Rows this role published and the catalogue no longer holds (never rows added on the server)."""
    S, T, K = sql.Identifier(schema), sql.Identifier(t.name), sql.Identifier(t.key)
    return conn.execute(sql.SQL(
        "DELETE FROM {S}.{T} cur WHERE cur.owner_role = current_user AND cur.{K} < {X} "
        "AND cur.published_version IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM {N} new WHERE new.{K} = cur.{K})").format(
        S=S, T=T, K=K, N=_stage_name(t), X=sql.Literal(SERVER_IDS))).rowcount
