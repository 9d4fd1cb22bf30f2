"""The server's tables, generated from the catalogue's own (so a new migration's column
reaches the server on the next publish), and what the server adds to each row.

Same table and column names as the catalogue; geometry columns become
`geometry(MultiPolygon,27700)` with a GiST index, so QGIS and `ogrinfo PG:…` see layers in
British National Grid. Every foreign key is real, and NO ACTION (deferred to commit): the
server never deletes a row in cascade, so a publish that would drop a row someone added on
the server (a membership of a partnership deleted locally) is refused instead.

Rows are matched by what identifies them in every copy, never by integer id (ids differ
between copies): the uuid of the identified tables, a boundary unit by (layer, GSS code), an
area's ward by (area, unit). The server numbers its own rows (`id`/`fid`), and its foreign
keys are those numbers, as QGIS expects.

Each row also carries
  owner_role         who may change or delete it (row-level security; the adder by default)
  row_version        bumped by every change; an edit naming the version it read is refused
                     if someone changed the row since (optimistic locking, see server.sql)
  published_version  row_version as the last publish left it: a publish refuses to
                     overwrite a row changed on the server since (pull first)
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from psycopg import sql

from models.storage import schema

_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea",
          "MULTIPOLYGON": "geometry(MultiPolygon,27700)"}
SERVER_COLUMNS = ("owner_role", "row_version", "published_version")


@dataclass
class Table:
    name: str
    key: str                                   # the integer primary key (id or fid)
    columns: list[str]                         # the catalogue's columns, key first
    types: dict[str, str]                      # column -> server type
    not_null: set[str] = field(default_factory=set)
    defaults: dict[str, str] = field(default_factory=dict)   # column -> SQL literal
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (column, table, column)
    unique: list[list[str]] = field(default_factory=list)
    geometry: list[str] = field(default_factory=list)
    natural: list[str] = field(default_factory=list)   # what matches a row across copies
    stamped: bool = False                       # has changed_at / changed_by

    @property
    def data_columns(self) -> list[str]:
        return [c for c in self.columns if c != self.key]

    @property
    def parents(self) -> dict[str, str]:
        return {col: parent for col, parent, _ in self.references}

    @property
    def label(self) -> str:
        """The column that names a row in messages."""
        return next((c for c in ("name", "title", "code", "uuid") if c in self.columns), self.key)


def _order(tables: dict[str, Table]) -> list[Table]:
    """Parents before children (a catalogue's references have no cycles)."""
    done: list[Table] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for _, parent, _ in tables[name].references:
            if parent in tables:
                visit(parent)
        done.append(tables[name])

    for name in tables:
        visit(name)
    return done


# Reference geographies carry no uuid yet (see models/storage/journal.py): a server could not
# tell one copy's from another's, so they stay in the file until they do.
NOT_PUBLISHED = ("reference_geographies", "reference_areas")


def catalogue_tables(conn: sqlite3.Connection) -> list[Table]:
    """The catalogue's content tables as the server will hold them, parents first."""
    tables: dict[str, Table] = {}
    for name in schema.CONTENT_TABLES:
        if name in NOT_PUBLISHED:
            continue
        info = conn.execute(f"PRAGMA table_info({name})").fetchall()
        key = next(r[1] for r in info if r[5] == 1)
        t = Table(name, key, [key] + [r[1] for r in info if r[1] != key], {})
        for _, col, decl, notnull, default, pk in info:
            t.types[col] = _TYPES.get(decl.upper(), "text")
            if notnull and not pk:
                t.not_null.add(col)
            if default is not None and (default.startswith("'") or default.replace(".", "").isdigit()):
                t.defaults[col] = default          # literals only: '' '[]' 'drawn' 0
            if decl.upper() == "MULTIPOLYGON":
                t.geometry.append(col)
        t.references = [(r[3], r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({name})")]
        for index in conn.execute(f"PRAGMA index_list({name})").fetchall():
            if index[2] and index[3] == "u":
                t.unique.append([r[2] for r in conn.execute(f"PRAGMA index_info({index[1]})")])
        if "uuid" in t.columns:
            t.natural = ["uuid"]
            t.not_null.add("uuid")
        else:   # boundary_units (layer_id, code), area_units (area_id, unit_id): their UNIQUE
            t.natural = next(u for u in t.unique)
        t.unique = [u for u in t.unique if u != t.natural]
        t.stamped = "changed_by" in t.columns
        tables[name] = t
    return _order(tables)


def create_statements(s: str, t: Table) -> list[sql.Composable]:
    """CREATE TABLE (if absent) with keys, references and the server's columns; ALTER TABLE
    for catalogue columns a newer catalogue has and the server table lacks."""
    S, T = sql.Identifier(s), sql.Identifier(t.name)
    cols = [sql.SQL("{} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY").format(sql.Identifier(t.key))]
    cols += [_column(t, c) for c in t.data_columns]
    cols += [sql.SQL("owner_role text NOT NULL DEFAULT current_user"),
             sql.SQL("row_version bigint NOT NULL DEFAULT 1"),
             sql.SQL("published_version bigint")]
    for col, parent, pcol in t.references:
        cols.append(sql.SQL("FOREIGN KEY ({}) REFERENCES {}.{} ({}) DEFERRABLE INITIALLY DEFERRED").format(
            sql.Identifier(col), S, sql.Identifier(parent), sql.Identifier(pcol)))
    # The natural key decides ON CONFLICT, which needs it checked at once (not deferrable).
    cols.append(sql.SQL("UNIQUE ({})").format(sql.SQL(", ").join(map(sql.Identifier, t.natural))))
    for unique in t.unique:
        cols.append(sql.SQL("UNIQUE ({}) DEFERRABLE INITIALLY DEFERRED").format(
            sql.SQL(", ").join(map(sql.Identifier, unique))))
    out = [sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({})").format(S, T, sql.SQL(", ").join(cols))]
    out += [sql.SQL("ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS {}").format(S, T, _column(t, c, adding=True))
            for c in t.data_columns]
    for col in t.geometry:
        out.append(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING gist ({})").format(
            sql.Identifier(f"{t.name}_{col}_gist"), S, T, sql.Identifier(col)))
    for col, _, _ in t.references:   # deleting a parent checks its children through these
        out.append(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} ({})").format(
            sql.Identifier(f"{t.name}_{col}_idx"), S, T, sql.Identifier(col)))
    return out


def _column(t: Table, c: str, adding: bool = False) -> sql.Composable:
    text = sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t.types[c]))
    if c == "uuid":   # rows added on the server (psql, QGIS) get one of their own
        text = sql.SQL("{} DEFAULT gen_random_uuid()::text").format(text)
    elif c in t.defaults:
        text = sql.SQL("{} DEFAULT {}").format(text, sql.SQL(t.defaults[c]))
    # A column added to a table that already has rows can only be NOT NULL with a default.
    if c in t.not_null and (not adding or c in t.defaults):
        text = sql.SQL("{} NOT NULL").format(text)
    return text
