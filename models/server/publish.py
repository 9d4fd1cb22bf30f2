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
from models.server.tables import Table, catalogue_tables, create_statements
from models.storage import gpkg
from models.storage.store import Store

Progress = Callable[[str, int, int], None]   # (what, done, total); raises Cancelled to stop

DEFAULT_SCHEMA = "atlas"


def ewkb(blob: bytes | None) -> bytes | None:
    """A GeoPackage geometry as PostGIS's EWKB: the blob's WKB with the SRID written in."""
    if blob is None:
        return None
    wkb = gpkg.wkb_of(blob)
    order = "<I" if wkb[0] == 1 else ">I"
    kind = struct.unpack_from(order, wkb, 1)[0]
    return wkb[:1] + struct.pack(order, kind | 0x20000000) + struct.pack(order, gpkg.BNG) + wkb[5:]


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
            # Staging holds every outline twice (staged, then resolved): kept in memory rather than
            # spilled to temporary files. Temporary tables are never WAL-logged, so this changes
            # nothing about durability; it must come before the session's first temporary table.
            conn.execute("SET LOCAL temp_buffers = '512MB'")
            # Outlines written in this transaction are compressed with lz4 (several times faster
            # than the default pglz); readers decompress either transparently.
            _prefer_lz4(conn)
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
                    _stage(conn, store, t)
                _stage_history(conn, store)
            counts: dict[str, dict[str, int]] = {}
            for n, t in enumerate(tables, start=len(tables) + 1):   # parents first: children find their ids
                tick(f"updating {t.name}", n, total)
                _resolve(conn, schema, t)
                _refuse_conflicts(conn, schema, t)
                counts[t.name] = _upsert(conn, schema, t)
            for t in reversed(tables):
                counts[t.name]["deleted"] = _delete_gone(conn, schema, t)
            _publish_history(conn, schema)
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


def _prefer_lz4(conn: psycopg.Connection) -> None:
    """lz4 where the server was built with it; otherwise the default compression, as before."""
    try:
        with conn.transaction():   # a savepoint: a server without lz4 refuses the setting, not the publish
            conn.execute("SET LOCAL default_toast_compression = 'lz4'")
    except psycopg.Error:
        pass


def _need_roles(conn: psycopg.Connection, roles: list[str]) -> None:
    if not roles:
        return
    have = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (roles,))}
    absent = [r for r in roles if r not in have]
    if absent:
        raise ServerError(f"no role {absent[0]!r} on the server: create it first (CREATE ROLE … LOGIN)")


def _ident(prefix: str, t: Table) -> sql.Identifier:
    return sql.Identifier(f"atlas_{prefix}_{t.name}")


def _wire(t: Table) -> list[tuple[str, str, str]]:
    """Each column as sent: (column, SQLite expression, staging type). A foreign key travels as
    what identifies its row in every copy: the parent's uuid, or a unit's "<layer uuid>/<code>"."""
    out = []
    for c in t.data_columns:
        parent = t.parents.get(c)
        if parent == "boundary_units":
            out.append((c, f"(SELECT l.uuid || '/' || u.code FROM boundary_units u JOIN boundary_layers l "
                           f"ON l.id = u.layer_id WHERE u.fid = t.{c})", "text"))
        elif parent:
            key = "fid" if parent == "areas" else "id"
            out.append((c, f"(SELECT uuid FROM {parent} WHERE {key} = t.{c})", "text"))
        elif c in t.geometry:   # sent as EWKB bytes (binary COPY: no hex, no text parsing)
            out.append((c, f"t.{c}", "bytea"))
        else:
            out.append((c, f"t.{c}", t.types[c]))
    return out


def _stage(conn: psycopg.Connection, store: Store, t: Table) -> None:
    """The catalogue's rows of one table, COPYed (binary) into a temporary table."""
    wire = _wire(t)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c, _, _ in wire)
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
        _ident("stage", t), sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(kind))
                                               for c, _, kind in wire)))
    geometry = [i for i, (c, _, _) in enumerate(wire) if c in t.geometry]
    for i in geometry:   # staged outlines are read once and dropped: not worth compressing
        conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET STORAGE EXTERNAL").format(
            _ident("stage", t), sql.Identifier(wire[i][0])))
    rows = store.conn.execute(f"SELECT {', '.join(e for _, e, _ in wire)} FROM {t.name} t")
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(_ident("stage", t), cols)
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types([kind for _, _, kind in wire])
        for row in rows:
            if geometry:
                row = list(row)
                for i in geometry:
                    row[i] = ewkb(row[i])
            copy.write_row(row)


def _resolve(conn: psycopg.Connection, schema: str, t: Table) -> None:
    """The staged rows with the server's own ids for their references (parents are upserted
    first), each beside the server's row it matches: atlas_new_<table> holds the rows to
    write, with `_cur` (the server's key, NULL for a new row) and `_differs` (content differs)."""
    S = sql.Identifier(schema)
    exprs, joins = [], []
    for i, (c, _, _) in enumerate(_wire(t)):
        parent, col, ref = t.parents.get(c), sql.Identifier(c), sql.Identifier(f"r{i}")
        if parent == "boundary_units":   # "<layer uuid>/<code>" -> the unit's fid, by a hash join
            joins.append(sql.SQL("LEFT JOIN (SELECT u.fid AS id, l.uuid || '/' || u.code AS k FROM {S}.boundary_units u "
                                 "JOIN {S}.boundary_layers l ON l.id = u.layer_id) {r} ON {r}.k = n.{c}").format(
                S=S, r=ref, c=col))
            exprs.append(sql.SQL("{}.id").format(ref))
        elif parent:
            key = sql.Identifier("fid" if parent == "areas" else "id")
            joins.append(sql.SQL("LEFT JOIN {S}.{p} {r} ON {r}.uuid = n.{c}").format(
                S=S, p=sql.Identifier(parent), r=ref, c=col))
            exprs.append(sql.SQL("{}.{}").format(ref, key))
        else:   # geometry stays EWKB here: parsed once, on insert or update, and only then
            exprs.append(sql.SQL("n.{}").format(col))
        exprs[-1] = sql.SQL("{} AS {}").format(exprs[-1], col)
    N = _ident("new", t)
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} n {}").format(
        N, sql.SQL(", ").join(exprs), _ident("stage", t), sql.SQL(" ").join(joins)))
    # One comparison per row, used by the conflict check, the upsert and the bookkeeping.
    conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN _cur bigint, ADD COLUMN _differs boolean").format(N))
    conn.execute(sql.SQL("UPDATE {N} new SET _cur = cur.{K}, _differs = {d} FROM {S}.{T} cur WHERE {same}").format(
        N=N, K=sql.Identifier(t.key), d=_differs(t), S=S, T=sql.Identifier(t.name),
        same=_same_row(t)))
    conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(N, sql.SQL(", ").join(map(sql.Identifier, t.natural))))
    conn.execute(sql.SQL("ANALYZE {}").format(N))


def _same_row(t: Table) -> sql.Composable:
    return sql.SQL(" AND ").join(sql.SQL("new.{0} = cur.{0}").format(sql.Identifier(c)) for c in t.natural)


def _differs(t: Table) -> sql.Composable:
    """Whether the server's row `cur` and the staged `new` differ in content. Who last stamped a
    row is not a difference (a merge re-stamps what it brings home, and the stamps travel with
    any real change); geometry is compared as EWKB bytes, as it was sent."""
    cols = [c for c in t.data_columns if c not in ("changed_at", "changed_by")]
    return sql.SQL("({}) IS DISTINCT FROM ({})").format(
        sql.SQL(", ").join((sql.SQL("ST_AsEWKB(cur.{})") if c in t.geometry else sql.SQL("cur.{}")).format(
            sql.Identifier(c)) for c in cols),
        sql.SQL(", ").join(sql.SQL("new.{}").format(sql.Identifier(c)) for c in cols))


def _value(t: Table, c: str) -> sql.Composable:
    """A staged column as the server stores it."""
    return (sql.SQL("ST_GeomFromEWKB(new.{})") if c in t.geometry else sql.SQL("new.{}")).format(sql.Identifier(c))


def _refuse_conflicts(conn: psycopg.Connection, schema: str, t: Table) -> None:
    """Rows changed on the server since the last publish that this publish would overwrite or
    delete: refused, so nobody's change is lost."""
    S, T, N, K = sql.Identifier(schema), sql.Identifier(t.name), _ident("new", t), sql.Identifier(t.key)
    label = sql.Identifier(t.label)
    changed = sql.SQL("cur.row_version IS DISTINCT FROM cur.published_version")
    found = conn.execute(sql.SQL(
        "SELECT cur.{L}::text, cur.owner_role FROM {S}.{T} cur JOIN {N} new ON new._cur = cur.{K} "
        "WHERE new._differs AND {c} "
        "UNION ALL "
        "SELECT cur.{L}::text, cur.owner_role FROM {S}.{T} cur WHERE {c} AND cur.owner_role = current_user "
        "AND cur.published_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {N} new WHERE new._cur = cur.{K}) "
        "LIMIT 3").format(L=label, S=S, T=T, N=N, K=K, c=changed)).fetchall()
    if found:
        rows = ", ".join(f"{t.name} {name!r} (last changed by {who})" for name, who in found)
        raise ServerError(f"conflict: changed on the server since your last publish: {rows}; "
                          f"pull first, then publish again")


def _upsert(conn: psycopg.Connection, schema: str, t: Table) -> dict[str, int]:
    S, T, N, K = sql.Identifier(schema), sql.Identifier(t.name), _ident("new", t), sql.Identifier(t.key)
    cols = sql.SQL(", ").join(map(sql.Identifier, t.data_columns))
    values = sql.SQL(", ").join(_value(t, c) for c in t.data_columns)
    added = conn.execute(sql.SQL("INSERT INTO {S}.{T} ({cols}, published_version) SELECT {values}, 1 FROM {N} new "
                                 "WHERE _cur IS NULL").format(S=S, T=T, N=N, cols=cols, values=values)).rowcount
    sets = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), _value(t, c)) for c in t.data_columns)
    changed = conn.execute(sql.SQL(
        "UPDATE {S}.{T} cur SET {sets}, row_version = cur.row_version + 1, published_version = cur.row_version + 1 "
        "FROM {N} new WHERE new._cur = cur.{K} AND new._differs").format(S=S, T=T, N=N, K=K, sets=sets)).rowcount
    # Rows changed on the server that now hold what the catalogue holds (a pull brought the
    # change home): this publish agrees with them, so they count as published.
    conn.execute(sql.SQL(
        "UPDATE {S}.{T} cur SET published_version = cur.row_version FROM {N} new "
        "WHERE new._cur = cur.{K} AND NOT new._differs "
        "AND cur.published_version IS DISTINCT FROM cur.row_version").format(S=S, T=T, N=N, K=K))
    return {"added": added, "changed": changed, "deleted": 0}


def _delete_gone(conn: psycopg.Connection, schema: str, t: Table) -> int:
    """Rows this role published and the catalogue no longer holds (never rows added on the server)."""
    S, T, N = sql.Identifier(schema), sql.Identifier(t.name), _ident("new", t)
    return conn.execute(sql.SQL(
        "DELETE FROM {S}.{T} cur WHERE cur.owner_role = current_user AND cur.published_version IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM {N} new WHERE {same})").format(
        S=S, T=T, N=N, same=_same_row(t))).rowcount


_HISTORY = ("uuid", "at", "author", "name", "kind", "detail")
_CHANGES = ("history_uuid", "tbl", "row_uuid", "op", "old", "new")


def _stage_history(conn: psycopg.Connection, store: Store) -> None:
    """The catalogue's history entries and their changes, in order, to be published as data."""
    conn.execute("CREATE TEMP TABLE atlas_stage_history (seq bigint, uuid text, at text, author text, "
                 "name text, kind text, detail text) ON COMMIT DROP")
    conn.execute("CREATE TEMP TABLE atlas_stage_changes (seq bigint, history_uuid text, tbl text, row_uuid text, "
                 "op text, old text, new text) ON COMMIT DROP")
    with conn.cursor() as cur:
        with cur.copy("COPY atlas_stage_history FROM STDIN") as copy:
            for row in store.conn.execute(f"SELECT id, {', '.join(_HISTORY)} FROM history ORDER BY id"):
                copy.write_row(row)
        with cur.copy("COPY atlas_stage_changes FROM STDIN") as copy:
            for row in store.conn.execute("SELECT c.rowid, h.uuid, c.tbl, c.row_uuid, c.op, c.old, c.new "
                                          "FROM history_changes c JOIN history h ON h.id = c.history_id"):
                copy.write_row(row)


def _publish_history(conn: psycopg.Connection, schema: str) -> None:
    """Entries the server lacks, with their changes; entries are never changed once there."""
    S = sql.Identifier(schema)
    conn.execute(sql.SQL(
        "WITH added AS (INSERT INTO {S}.history (uuid, at, author, name, kind, detail) "
        "  SELECT uuid, at, author, name, kind, detail FROM atlas_stage_history h "
        "  WHERE NOT EXISTS (SELECT 1 FROM {S}.history x WHERE x.uuid = h.uuid) ORDER BY seq RETURNING id, uuid) "
        "INSERT INTO {S}.history_changes (history_id, tbl, row_uuid, op, old, new) "
        "SELECT a.id, c.tbl, c.row_uuid, c.op, c.old, c.new FROM added a "
        "JOIN atlas_stage_changes c ON c.history_uuid = a.uuid ORDER BY c.seq").format(S=S))
