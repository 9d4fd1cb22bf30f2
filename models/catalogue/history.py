"""The catalogue's own history: every edit, undo and redo, with what it changed.

    for entry in cat.history.entries(record=partnership_uuid, limit=20):
        print(entry.at, entry.author, entry.kind, entry.name)
        for change in entry.changes:
            print(change.tbl, change.op, change.old, change.new)

Written by models.storage.journal in the same transaction as each edit; kept across
restarts and copied with the file, so two copies of a catalogue share every entry up to
the moment they were copied (the common ancestor a three-way merge needs).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from models.storage.store import Store

# Where a record's name lives, for finding a record by name ("what happened to the WLA").
NAME_COLUMNS = {"partnerships": "name", "organisations": "name", "sources": "title",
                "areas": "name", "boundary_layers": "name"}


@dataclass(frozen=True)
class Change:
    tbl: str
    row_uuid: str
    op: str                 # I (added), U (changed), D (removed)
    old: dict | None        # the row's values before (U: only the changed columns); None for I
    new: dict | None        # after; None for D

    @property
    def fields(self) -> list[str]:
        """The columns a change concerns: those changed, or every column of a row added/removed."""
        return list((self.new if self.op != "D" else self.old) or {})

    @property
    def record_name(self) -> str | None:
        values = self.new or self.old or {}
        column = NAME_COLUMNS.get(self.tbl)
        if column and column in values:
            return values[column]
        return None


_SINGULAR = {"partnerships": "partnership", "organisations": "organisation", "memberships": "membership",
             "sources": "source", "citations": "citation", "boundary_layers": "boundary layer",
             "areas": "area", "area_units": "area ward"}
_STAMPS = {"changed_at", "changed_by"}


def describe(change: Change, names: dict[str, str] | None = None) -> str:
    """One line for a person: the record (by its name then, else now) and the fields changed."""
    what = _SINGULAR.get(change.tbl, change.tbl)
    name = change.record_name or (names or {}).get(change.row_uuid)
    if change.tbl == "area_units":
        unit = (change.new or change.old or {}).get("unit_id") or ""
        return f"{'added' if change.op == 'I' else 'removed'} ward {unit.rsplit('/', 1)[-1]} of an area"
    label = f"{what} '{name}'" if name else what
    if change.op == "I":
        return f"added {label}"
    if change.op == "D":
        return f"removed {label}"
    fields = [f for f in change.fields if f not in _STAMPS]
    return f"changed {label}: {', '.join(fields) or 'stamps'}"


def concerns(change: Change, record: str) -> bool:
    """Whether a change is to the record (by uuid) or to a row pointing to it."""
    return change.row_uuid == record or record in (change.new or {}).values() or \
        record in (change.old or {}).values()


def summary(entry: Entry, names: dict[str, str] | None = None, most: int = 3, record: str | None = None) -> str:
    """What an entry changed, in a line: the first few changes (those concerning `record`
    first) and how many more."""
    changes = sorted(entry.changes, key=lambda c: not concerns(c, record)) if record else entry.changes
    lines = [describe(c, names) for c in changes if c.tbl != "area_units"]
    wards = sum(1 for c in entry.changes if c.tbl == "area_units")
    if wards:
        lines.append(f"{wards} area ward{'s' if wards != 1 else ''} added or removed")
    more = len(lines) - most
    return "; ".join(lines[:most]) + (f"; and {more} more" if more > 0 else "") if lines else "nothing changed"


@dataclass(frozen=True)
class Entry:
    id: int
    uuid: str
    at: str                 # UTC, ISO-8601 with 'Z'
    author: str | None
    name: str
    kind: str               # edit | undo | redo | import | merge | publish | pull
    detail: str | None
    changes: list[Change] = field(default_factory=list)


class History:
    def __init__(self, store: Store):
        self._store = store

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._store.conn

    def entries(self, record: str | None = None, limit: int | None = None,
                text: str | None = None) -> list[Entry]:
        """Newest first. record: a row's uuid; only the entries that changed that row or a row
        pointing to it (a partnership's memberships, citations and areas). text: only entries
        whose name, author or changed values contain it (case-insensitive)."""
        where, args = [], []
        if record:
            where.append("id IN (SELECT history_id FROM history_changes WHERE row_uuid=?1 "
                         "OR instr(new, ?1) OR instr(old, ?1))")
            args.append(record)
        if text:
            n = len(args) + 1
            where.append(f"(instr(lower(name), ?{n}) OR instr(lower(coalesce(author, '')), ?{n}) OR id IN "
                         f"(SELECT history_id FROM history_changes WHERE instr(lower(coalesce(new, old)), ?{n})))")
            args.append(text.lower())
        sql = "SELECT id, uuid, at, author, name, kind, detail FROM history"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._conn.execute(sql, args).fetchall()
        changes: dict[int, list[Change]] = {r[0]: [] for r in rows}
        ids = list(changes)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for hid, tbl, row_uuid, op, old, new in self._conn.execute(
                    "SELECT history_id, tbl, row_uuid, op, old, new FROM history_changes WHERE history_id IN "
                    f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk):
                changes[hid].append(Change(tbl, row_uuid, op, json.loads(old) if old else None,
                                           json.loads(new) if new else None))
        return [Entry(*r, changes=changes[r[0]]) for r in rows]

    def names(self) -> dict[str, str]:
        """uuid -> name of every named record now (to say which record a change concerns)."""
        out: dict[str, str] = {}
        for table, column in NAME_COLUMNS.items():
            out.update(self._conn.execute(f"SELECT uuid, {column} FROM {table} WHERE uuid IS NOT NULL"))
        return out

    def uuids(self) -> list[str]:
        """Every entry's uuid, oldest first: two copies share a prefix of this list."""
        return [u for u, in self._conn.execute("SELECT uuid FROM history ORDER BY id")]

    def find_record(self, name_or_uuid: str) -> list[tuple[str, str, str]]:
        """(table, uuid, name) of the records a name or uuid means: an exact uuid, else rows whose
        name is this (case-insensitive), now or in the history (a record since removed)."""
        conn = self._conn
        found: dict[str, tuple[str, str, str]] = {}
        for table, column in NAME_COLUMNS.items():
            for u, name in conn.execute(f"SELECT uuid, {column} FROM {table} WHERE uuid=?1 OR "
                                        f"lower({column})=lower(?1)", (name_or_uuid,)):
                found[u] = (table, u, name)
        if not found:
            for tbl, u, values in conn.execute(
                    "SELECT tbl, row_uuid, coalesce(old, new) FROM history_changes WHERE row_uuid=?1 OR "
                    "(op != 'U' AND instr(lower(coalesce(old, new)), lower(?1)))", (name_or_uuid,)):
                column = NAME_COLUMNS.get(tbl)
                name = json.loads(values).get(column) if column else None
                if u == name_or_uuid or (name and name.lower() == name_or_uuid.lower()):
                    found.setdefault(u, (tbl, u, name or u))
        return list(found.values())
