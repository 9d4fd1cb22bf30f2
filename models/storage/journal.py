"""From the undo journal of one edit to the file's own record of it, in the same transaction.

Store.edit hands over what its undo journal logged (table, op, rowid, old row); here

- every identified row the edit inserted or updated is stamped with the time and author
  (and a new row without a uuid gets a uuid4: redo re-inserts the row it saved, so it
  comes back with the same one);
- one `history` row names the edit, and one `history_changes` row per row it changed says
  how (I/U/D) with the row's values before and after as JSON. A row changed twice in one
  edit is one change. Foreign keys are written as the uuid of the row they point to, since
  integer ids differ between copies of a catalogue; a boundary unit is written as
  "<layer uuid>/<GSS code>". Boundary units themselves are not written (an import is one
  change: its layer row), nor the areas' cached outline (derived from units or drawing).
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone

from models.storage.schema import IDENTIFIED_TABLES

NOT_WRITTEN_TABLES = {"boundary_units"}
NOT_WRITTEN_COLUMNS = {"areas": {"geom"}}
_CHUNK = 500
# An edit that changed nothing leaves no entry; a merge, publish or pull is recorded anyway
# (a publish changes no row here, and "merged X: nothing new" is worth knowing).
UNRECORDED_WHEN_EMPTY = ("edit", "import", "undo", "redo")


def utc_now() -> str:
    """UTC as ISO-8601 with milliseconds and 'Z', as history.at and changed_at hold it."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


# A version-4 uuid made by SQLite (randomblob is its own CSPRNG), so stamping is one UPDATE.
NEW_UUID = ("lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) "
            "|| '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' "
            "|| hex(randomblob(6)))")


def stamp(conn: sqlite3.Connection, at: str, author: str | None, upto: int) -> None:
    """Give new identified rows a uuid and stamp every row the edit inserted or updated (the
    journal's entries up to seq `upto`; the stamps' own entries come after it)."""
    tables = [t for t, in conn.execute("SELECT DISTINCT tbl FROM temp.undo_log WHERE op != 'D' AND seq <= ?",
                                       (upto,)) if t in IDENTIFIED_TABLES]
    for table in tables:
        conn.execute(f"UPDATE {table} SET uuid=coalesce(uuid, {NEW_UUID}), changed_at=?, changed_by=? "
                     "WHERE rowid IN (SELECT rid FROM temp.undo_log WHERE tbl=? AND op != 'D' AND seq <= ?)",
                     (at, author, table, upto))


def _json_sql(table: str, columns: list[str], foreign_keys: dict[str, str]) -> str:
    """SQL building a row's JSON as record() writes it, for rows still in the table (inserted ones)."""
    parts = []
    for c in columns:
        if c in NOT_WRITTEN_COLUMNS.get(table, ()):
            continue
        ref = foreign_keys.get(c)
        if ref == "boundary_units":
            value = (f"(SELECT l.uuid || '/' || u.code FROM boundary_units u JOIN boundary_layers l "
                     f"ON l.id = u.layer_id WHERE u.fid = {table}.{c})")
        elif ref:
            value = f"(SELECT uuid FROM {ref} WHERE rowid = {table}.{c})"
        else:
            value = f"CASE WHEN typeof({c}) = 'blob' THEN json_object('$blob', lower(hex({c}))) ELSE {c} END"
        parts.append(f"'{c}', {value}")
    return f"json_object({', '.join(parts)})"


class _Refs:
    """uuid of a row by table and rowid: the file as it is now, else rows this edit deleted."""

    def __init__(self, conn: sqlite3.Connection, columns: dict[str, list[str]], entries: list):
        self.conn = conn
        self.cache: dict[tuple[str, int], str | None] = {}
        self.gone: dict[tuple[str, int], str] = {}     # rows as the journal saved them
        self.units: dict[int, tuple[int, str]] = {}   # units the same: fid -> (layer id, code)
        for table, op, rid, old in entries:
            if old is None or table not in columns:
                continue
            row = dict(zip(columns[table], old))
            if table == "boundary_units":
                self.units.setdefault(rid, (row["layer_id"], row["code"]))
            elif row.get("uuid"):
                self.gone.setdefault((table, rid), row["uuid"])

    def uuid(self, table: str, rid: int | None) -> str | None:
        if rid is None:
            return None
        key = (table, rid)
        if key not in self.cache:
            if table == "boundary_units":
                unit = self.conn.execute(
                    "SELECT layer_id, code FROM boundary_units WHERE fid=?", (rid,)).fetchone() or self.units.get(rid)
                self.cache[key] = f"{self.uuid('boundary_layers', unit[0])}/{unit[1]}" if unit else None
            else:
                found = self.conn.execute(f"SELECT uuid FROM {table} WHERE rowid=?", (rid,)).fetchone()
                self.cache[key] = found[0] if found else self.gone.get(key)
        return self.cache[key]


def _plain(value):
    return {"$blob": bytes(value).hex()} if isinstance(value, (bytes, memoryview)) else value


def record(conn: sqlite3.Connection, columns: dict[str, list[str]], foreign_keys: dict[str, dict[str, str]],
           entries: list, name: str, kind: str, detail: str | None, at: str,
           author: str | None) -> str | None:
    """Append the history entry of one edit; returns its uuid (None if it changed nothing)."""
    first: dict[tuple[str, int], tuple[str, tuple | None]] = {}
    for table, op, rid, old in entries:
        if table not in NOT_WRITTEN_TABLES and table in columns:
            first.setdefault((table, rid), (op, old))
    now: dict[tuple[str, int], tuple] = {}
    added: dict[tuple[str, int], tuple[str, str]] = {}   # inserted rows: (row uuid, JSON), made by SQLite
    by_table: dict[tuple[str, bool], list[int]] = {}
    for (table, rid), (op, _) in first.items():
        by_table.setdefault((table, op == "I"), []).append(rid)
    for (table, inserted), rids in by_table.items():
        if inserted:
            key = "(SELECT uuid FROM areas WHERE fid = area_units.area_id)" if table == "area_units" else (
                "uuid" if table in IDENTIFIED_TABLES else "NULL")
            sql = f"SELECT rowid, {key}, {_json_sql(table, columns[table], foreign_keys.get(table, {}))} FROM {table}"
        else:
            sql = f"SELECT rowid, * FROM {table}"
        for chunk in _chunks(rids):
            for row in conn.execute(f"{sql} WHERE rowid IN ({','.join('?' * len(chunk))})", chunk):
                if inserted:
                    added[(table, row[0])] = (row[1], row[2])
                else:
                    now[(table, row[0])] = tuple(row[1:])
    refs = _Refs(conn, columns, entries)

    def as_json(table: str, values: tuple, only: set[str] | None = None) -> dict:
        skip = NOT_WRITTEN_COLUMNS.get(table, set())
        fks = foreign_keys.get(table, {})
        out = {}
        for column, value in zip(columns[table], values):
            if column in skip or (only is not None and column not in only):
                continue
            out[column] = refs.uuid(fks[column], value) if column in fks else _plain(value)
        return out

    changes = []
    for (table, rid), (op, old) in first.items():
        if op == "I":
            if (table, rid) in added:   # else added and removed in the same edit
                row_uuid, new = added[(table, rid)]
                changes.append((table, row_uuid or refs.uuid(table, rid) or f"{table}/{rid}", "I", None, new))
            continue
        after = now.get((table, rid))
        if after is None:
            change = ("D", as_json(table, old), None)
        else:
            differ = {c for c, a, b in zip(columns[table], old, after) if a != b}
            differ -= NOT_WRITTEN_COLUMNS.get(table, set())
            if not differ:
                continue
            change = ("U", as_json(table, old, differ), as_json(table, after, differ))
        values = change[2] or change[1]
        row_uuid = values.get("uuid") if table in IDENTIFIED_TABLES else None
        if table == "area_units":   # known by its area (and its unit)
            row_uuid = values.get("area_id")
        if row_uuid is None:
            row_uuid = refs.uuid(table, rid) or f"{table}/{rid}"
        changes.append((table, row_uuid, change[0],
                        None if change[1] is None else json.dumps(change[1], ensure_ascii=False),
                        None if change[2] is None else json.dumps(change[2], ensure_ascii=False)))
    if not changes and kind in UNRECORDED_WHEN_EMPTY:
        return None
    entry_uuid = str(uuid.uuid4())
    cur = conn.execute("INSERT INTO history(uuid, at, author, name, kind, detail) VALUES (?,?,?,?,?,?)",
                       (entry_uuid, at, author, name, kind, detail))
    conn.executemany("INSERT INTO history_changes(history_id, tbl, row_uuid, op, old, new) "
                     "VALUES (?,?,?,?,?,?)", [(cur.lastrowid, *c) for c in changes])
    return entry_uuid
