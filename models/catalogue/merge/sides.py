"""One side of a merge: a catalogue's identified rows (foreign keys as uuids), its history,
and the other file opened read-only (or upgraded in a temporary copy)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import CatalogueError
from models.storage import sqlite_file
from models.storage.store import Store

# Parents before children: inserts go in this order, deletes in the reverse.
TABLES = ("boundary_layers", "organisations", "partnerships", "sources", "memberships", "areas", "citations")
KEY = {"areas": "fid"}   # the integer primary key, where it is not `id`
FKS = {
    "partnerships": {"lead_id": "organisations"},
    "memberships": {"partnership_id": "partnerships", "organisation_id": "organisations"},
    "areas": {"partnership_id": "partnerships", "layer_id": "boundary_layers"},
    "citations": {"source_id": "sources", "partnership_id": "partnerships", "membership_id": "memberships",
                  "organisation_id": "organisations", "area_id": "areas"},
}
NOT_NULL_FKS = {("memberships", "partnership_id"), ("memberships", "organisation_id"),
                 ("citations", "source_id")}
# Not compared: keys, stamps, and an area's outline (derived from its wards and drawing).
SKIP = {"id", "fid", "uuid", "changed_at", "changed_by", "geom"}
UNITS = "units"            # an area's wards, as a pseudo-field: the sorted GSS codes


@dataclass
class Side:
    rows: dict            # table -> uuid -> {column: value} (foreign keys as uuids)
    ids: dict             # table -> integer id -> uuid (current rows and any in the history)
    history: list         # [(id, uuid, at, author, name, kind, detail)] in order
    changes: dict         # history id -> [(tbl, row_uuid, op, old, new)]
    stamps: dict          # (table, uuid) -> (changed_by, changed_at)
    cancelled: set = field(default_factory=set)   # undone merges and their undo/redo entries


def decode(value):
    if isinstance(value, dict) and set(value) == {"$blob"}:
        return bytes.fromhex(value["$blob"])
    return value


def read_side(conn) -> Side:
    """Every identified row (foreign keys as uuids, looked up by SQLite) and the history's entries;
    the entries' changes are read by read_changes, for the entries not shared only."""
    rows: dict[str, dict] = {}
    ids: dict[str, dict[int, str]] = {}
    stamps = {}
    for table in TABLES:
        key = KEY.get(table, "id")
        fks = FKS.get(table, {})
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in SKIP]
        exprs = [f"(SELECT uuid FROM {fks[c]} WHERE {KEY.get(fks[c], 'id')} = t.{c})" if c in fks else f"t.{c}"
                 for c in cols]
        found = rows[table] = {}
        for r in conn.execute(f"SELECT t.uuid, t.changed_by, t.changed_at, {', '.join(exprs)} FROM {table} t"):
            found[r[0]] = dict(zip(cols, r[3:]))
            stamps[(table, r[0])] = (r[1], r[2])
        if table in ("boundary_layers",):
            ids[table] = dict(conn.execute(f"SELECT {key}, uuid FROM {table}").fetchall())
    # An area's wards: GSS codes of its layer's units (a derived area's follow its members).
    units: dict[str, list[str]] = defaultdict(list)
    for area, code in conn.execute("SELECT a.uuid, u.code FROM area_units au JOIN areas a ON a.fid = au.area_id "
                                   "JOIN boundary_units u ON u.fid = au.unit_id"):
        units[area].append(code)
    for u, r in rows["areas"].items():
        r[UNITS] = tuple(sorted(units.get(u, ())))
    history = conn.execute("SELECT id, uuid, at, author, name, kind, detail FROM history ORDER BY id").fetchall()
    return Side(rows, ids, history, {}, stamps)


def read_changes(conn, side: Side, shared: set[str]) -> None:
    """The changes of the side's entries not shared: all a three-way needs (and a merge copies)."""
    own = [h[0] for h in side.history if h[1] not in shared]
    changes: dict[int, list] = defaultdict(list)
    for start in range(0, len(own), 500):
        chunk = own[start:start + 500]
        for hid, tbl, row_uuid, op, old, new in conn.execute(
                "SELECT history_id, tbl, row_uuid, op, old, new FROM history_changes WHERE history_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk):
            changes[hid].append((tbl, row_uuid, op, json.loads(old) if old else None,
                                 json.loads(new) if new else None))
    side.changes = changes


def open_other(cat, other_path) -> Store:
    other_path = Path(other_path)
    if not other_path.exists():
        raise CatalogueError(f"{other_path.name} does not exist")
    mine = cat.store.path
    if other_path.resolve() == mine.resolve() or (mine.exists() and os.path.samefile(other_path, mine)):
        raise CatalogueError(f"{other_path.name} is this catalogue itself; choose another copy to merge")
    had_wal = sqlite_file.wal_path(other_path).exists()
    try:
        return Store.open(other_path, read_only=True)   # refuses a non-catalogue, a newer or damaged one
    except CatalogueError as e:
        if not str(e).endswith("needs upgrading; open it for writing first"):
            raise
    return _upgraded_copy(other_path, had_wal)


def _upgraded_copy(path: Path, had_wal: bool) -> Store:
    """A copy made by an older version: upgraded in a temporary copy (the file itself is only
    read), which goes when the store closes. Its rows get the uuids this copy's rows got when
    it was upgraded (see migration_row_identity), so they still match by uuid."""
    folder = Path(tempfile.mkdtemp(prefix="atlas-merge-"))
    target = folder / path.name
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA trusted_schema=OFF")
            copy = sqlite3.connect(target)
            source.backup(copy)   # the WAL's committed pages included
            copy.close()
        finally:
            source.close()
            if not had_wal:
                sqlite_file.tidy_after_reading(path)   # looking leaves no files behind
        store = Store.open(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    close = store.close

    def close_and_remove() -> None:
        close()
        shutil.rmtree(folder, ignore_errors=True)
    store.close = close_and_remove
    return store


