"""Merging another copy of the catalogue into this one.

Two researchers take copies of one catalogue and edit them apart. `plan` reads the other
file (read-only) and says, record by record and field by field, what merging it would
add, change and delete, and where both copies changed the same thing differently
(a conflict); `apply` carries the plan out as one edit (one transaction, one undo step,
one history entry of kind 'merge').

Rows are the same record when they share a uuid; rows made independently in each copy
are matched by what identifies them outside the file (an organisation's GSS code, a
source's DOI, URL or title and year, a partnership's name, start year and members), and
each match says why. A matched pair keeps the smaller of its two uuids, so merging A into
B and B into A give the same rows with the same uuids.

Three-way: the common ancestor of a field is what it held when the copies parted. Both
files keep their history (models/catalogue/history.py); entries present in both (by uuid)
are shared, and the first change to a field in an entry only one side has tells its value
before that side's own edits (its `old`). A field a side never changed since is that side's
ancestor as it stands. So a side "changed" a field when it has a change of its own to it
and its value differs from that change's `old`; one side changed: take it; both changed to
different values (or neither did yet they differ: no ancestor is known): a conflict.
Applying a merge also copies the other side's history entries into this file, so what was
merged (and how its conflicts were resolved) counts as shared the next time.

Foreign keys are compared and written by uuid, never by integer id: ids differ between copies.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from models.catalogue.records import Source
from models.catalogue.sources import source_key
from models.errors import CatalogueError
from models.storage import sqlite_file
from models.storage.store import Revert, Store

# Parents before children: inserts go in this order, deletes in the reverse.
TABLES = ("boundary_layers", "organisations", "partnerships", "sources", "memberships", "areas", "citations")
_KEY = {"areas": "fid"}   # the integer primary key, where it is not `id`
FKS = {
    "partnerships": {"lead_id": "organisations"},
    "memberships": {"partnership_id": "partnerships", "organisation_id": "organisations"},
    "areas": {"partnership_id": "partnerships", "layer_id": "boundary_layers"},
    "citations": {"source_id": "sources", "partnership_id": "partnerships", "membership_id": "memberships",
                  "organisation_id": "organisations", "area_id": "areas"},
}
_NOT_NULL_FKS = {("memberships", "partnership_id"), ("memberships", "organisation_id"),
                 ("citations", "source_id")}
# Not compared: keys, stamps, and an area's outline (derived from its wards and drawing).
_SKIP = {"id", "fid", "uuid", "changed_at", "changed_by", "geom"}
UNITS = "units"            # an area's wards, as a pseudo-field: the sorted GSS codes
ROW = "(record)"           # the field of a deleted-against-edited conflict
_NAME = {"boundary_layers": "name", "organisations": "name", "partnerships": "name",
         "sources": "title", "areas": "name"}
_SIMILAR_MEMBERS = 0.5
_NEEDS_PARENT = {"memberships", "citations"}   # rows that cannot be without the records they point to     # Jaccard of two partnerships' member sets to count as the same


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass
class Match:
    table: str
    mine: str       # uuids
    theirs: str
    by: str         # 'uuid' is not listed: only rows made independently are


@dataclass
class Conflict:
    table: str
    id: str         # the record's uuid (after matching)
    field: str
    mine: object
    theirs: object
    record: str = ""             # the record's name, for people
    mine_author: str | None = None
    mine_at: str | None = None
    theirs_author: str | None = None
    theirs_at: str | None = None
    resolved: str | None = None  # 'mine' | 'theirs' | 'edit', None until chosen
    # A record this copy edited and the other deleted: what the deletion did to the records that
    # hang on it there (their deletion, an area unlinked), done only if the deletion wins.
    follows: list = field(default_factory=list, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table, self.id, self.field)


@dataclass
class Change:
    """One record's change: 'add' (values: the whole row), 'update' (values: field -> theirs,
    old: field -> mine) or 'delete'."""
    table: str
    id: str
    op: str
    record: str = ""
    values: dict = field(default_factory=dict)
    old: dict = field(default_factory=dict)


@dataclass
class MergePlan:
    other_path: Path
    changes: list[Change]
    conflicts: list[Conflict]
    matched: list[Match]
    # Internals apply() needs: the rows of both sides (by table, uuid), uuids to rename in
    # this file (mine -> the pair's smaller), the other side's history and new layers' units.
    _mine: dict = field(default_factory=dict, repr=False)
    _theirs: dict = field(default_factory=dict, repr=False)
    _renames: dict = field(default_factory=dict, repr=False)
    _history: list = field(default_factory=list, repr=False)
    _layer_units: dict = field(default_factory=dict, repr=False)
    _names: dict = field(default_factory=dict, repr=False)

    @property
    def other_name(self) -> str:
        return self.other_path.name

    def is_empty(self) -> bool:
        return not self.changes and not self.conflicts and not self._renames

    def display(self, table: str, column: str, value):
        """A value as people read it: a referenced record by its name, a blob by its size."""
        if value is MISSING:
            return None
        target = FKS.get(table, {}).get(column)
        if target and value is not None:
            return self._names.get(value, value)
        if isinstance(value, bytes):
            return f"<{len(value)} bytes>"
        if column == UNITS and value is not None:
            return list(value)
        return value

    def report(self, resolutions: dict | None = None) -> dict:
        """The JSON report: {"added": {table: n}, "changed": {table: n}, "conflicts": [...],
        "matched": [...]} (a deletion counts as a change of its table)."""
        resolutions = resolutions or {}
        added: dict[str, int] = defaultdict(int)
        changed: dict[str, int] = defaultdict(int)
        for c in self.changes:
            (added if c.op == "add" else changed)[c.table] += 1
        conflicts = []
        for c in self.conflicts:
            chosen = resolutions.get(c.key, c.resolved)
            chosen = chosen[0] if isinstance(chosen, tuple) else chosen
            conflicts.append({"table": c.table, "id": c.id, "field": c.field,
                              "mine": self.display(c.table, c.field, c.mine),
                              "theirs": self.display(c.table, c.field, c.theirs), "resolved": chosen})
        return {"added": dict(added), "changed": dict(changed), "conflicts": conflicts,
                "matched": [{"table": m.table, "mine": m.mine, "theirs": m.theirs, "by": m.by}
                            for m in self.matched]}


# -- reading one side --------------------------------------------------------------------

@dataclass
class _Side:
    rows: dict            # table -> uuid -> {column: value} (foreign keys as uuids)
    ids: dict             # table -> integer id -> uuid (current rows and any in the history)
    history: list         # [(id, uuid, at, author, name, kind, detail)] in order
    changes: dict         # history id -> [(tbl, row_uuid, op, old, new)]
    stamps: dict          # (table, uuid) -> (changed_by, changed_at)
    cancelled: set = field(default_factory=set)   # undone merges and their undo/redo entries


def _decode(value):
    if isinstance(value, dict) and set(value) == {"$blob"}:
        return bytes.fromhex(value["$blob"])
    return value


def _read_side(conn) -> _Side:
    """Every identified row (foreign keys as uuids, looked up by SQLite) and the history's entries;
    the entries' changes are read by _read_changes, for the entries not shared only."""
    rows: dict[str, dict] = {}
    ids: dict[str, dict[int, str]] = {}
    stamps = {}
    for table in TABLES:
        key = _KEY.get(table, "id")
        fks = FKS.get(table, {})
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in _SKIP]
        exprs = [f"(SELECT uuid FROM {fks[c]} WHERE {_KEY.get(fks[c], 'id')} = t.{c})" if c in fks else f"t.{c}"
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
    return _Side(rows, ids, history, {}, stamps)


def _read_changes(conn, side: _Side, shared: set[str]) -> None:
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


def _open_other(cat, other_path) -> Store:
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


# -- the plan ---------------------------------------------------------------------------

def _own_changes(side: _Side, shared: set[str]):
    """What a side did since the copies parted: (table, uuid) -> {field: first old value},
    and (table, uuid) -> the ops ('I', 'U', 'D') it made on the row."""
    first_old: dict = defaultdict(dict)
    ops: dict = defaultdict(set)
    for hid, huuid, *_ in side.history:
        if huuid in shared or huuid in side.cancelled:
            continue
        for tbl, row_uuid, op, old, new in side.changes.get(hid, ()):
            if tbl == "area_units":          # written under its area's uuid: the area's wards changed
                first_old[("areas", row_uuid)].setdefault(UNITS, MISSING)
                ops[("areas", row_uuid)].add("U")
                continue
            if tbl not in side.rows:
                continue
            ops[(tbl, row_uuid)].add(op)
            if op != "U" or not old:
                continue
            seen = first_old[(tbl, row_uuid)]
            for col, before in old.items():
                if col in seen or col in ("id", "fid", "uuid", "changed_at", "changed_by"):
                    continue
                after = new.get(col) if new else MISSING
                if after == before:
                    continue
                seen[col] = _decode(before)   # foreign keys are uuids in the history already
    return first_old, ops


def _standing(side: _Side) -> set[str]:
    """The side's history entries that count as its past: all of them, except those a merge
    copied in when that merge has since been undone (its changes are gone, so the other side's
    edits it brought are not shared any more)."""
    root: dict[str, str] = {}       # an undo/redo entry -> the entry it first undid
    undone: dict[str, bool] = {}
    copied: dict[str, list[str]] = {}
    for _, huuid, _, _, _, kind, detail in side.history:
        try:
            info = json.loads(detail) if detail else {}
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            continue
        if kind == "merge":
            copied[huuid] = info.get("copied", [])
        elif kind in ("undo", "redo") and info.get("of"):
            first = root.get(info["of"], info["of"])
            root[huuid] = first
            undone[first] = kind == "undo"
    gone = {u for m, uuids in copied.items() if undone.get(m) for u in uuids}
    # The undone merge and its undo/redo entries cancel out: neither is this side's own change.
    cancelled = {m for m in copied if undone.get(m)}
    cancelled |= {e for e, first in root.items() if first in cancelled}
    side.cancelled = cancelled
    return {h[1] for h in side.history} - gone


def _member_sets(side_rows, canon) -> dict[str, frozenset]:
    members = defaultdict(set)
    for m in side_rows["memberships"].values():
        members[canon(m["partnership_id"])].add(canon(m["organisation_id"]))
    return {p: frozenset(s) for p, s in members.items()}


def _year(date) -> str:
    return (date or "")[:4]


def _norm(text) -> str:
    return re.sub(r"[^\w]+", " ", (text or "").casefold()).strip()


def _match(mine: _Side, theirs: _Side) -> tuple[list[Match], dict[str, str]]:
    """Rows made independently in each copy that are the same record, and why; returns the
    matches and, for every uuid of either side in a pair, the pair's uuid (the smaller)."""
    matches: list[Match] = []
    alias: dict[str, str] = {}

    def canon(u):
        return alias.get(u, u)

    def pair(table, m, t, by):
        matches.append(Match(table, m, t, by))
        alias[m] = alias[t] = min(m, t)

    for table in TABLES:
        mine_only = {u: r for u, r in mine.rows[table].items() if u not in theirs.rows[table]}
        theirs_only = {u: r for u, r in theirs.rows[table].items() if u not in mine.rows[table]}
        if not mine_only or not theirs_only:
            continue
        index: dict = {}
        if table == "boundary_layers":
            keys = {u: [("name", r["name"].casefold())] for u, r in mine_only.items()}
            theirs_keys = {u: [("name", r["name"].casefold())] for u, r in theirs_only.items()}
        elif table == "organisations":
            # By GSS code; one without a code (a trust, a charity) by its name and kind.
            def okeys(r):
                return [("gss_code", r["gss_code"])] if r["gss_code"] else [("name", (_norm(r["name"]), r["kind"]))]
            keys = {u: okeys(r) for u, r in mine_only.items()}
            theirs_keys = {u: okeys(r) for u, r in theirs_only.items()}
        elif table == "sources":
            def skeys(r):
                s = Source(title=r["title"], year=r["year"], url=r["url"] or "", doi=r.get("doi") or "")
                return [(k.split(":", 1)[0].replace("title", "title+year"), k) for k in source_key(s)]
            keys = {u: skeys(r) for u, r in mine_only.items()}
            theirs_keys = {u: skeys(r) for u, r in theirs_only.items()}
        elif table == "partnerships":
            m_members, t_members = _member_sets(mine.rows, canon), _member_sets(theirs.rows, canon)
            by_name = defaultdict(list)
            for u, r in mine_only.items():
                by_name[(_norm(r["name"]), _year(r["start_date"]))].append(u)
            for u, r in theirs_only.items():
                for m in by_name.get((_norm(r["name"]), _year(r["start_date"])), ()):
                    if m in alias:
                        continue
                    a, b = m_members.get(m, frozenset()), t_members.get(u, frozenset())
                    if (not a and not b) or (a and b and len(a & b) / len(a | b) >= _SIMILAR_MEMBERS):
                        pair(table, m, u, "name+start+members")
                        break
            continue
        elif table == "memberships":
            keys = {u: [("partnership+organisation", (canon(r["partnership_id"]), canon(r["organisation_id"]),
                                                     r["role"], r["joined"]))] for u, r in mine_only.items()}
            theirs_keys = {u: [("partnership+organisation", (canon(r["partnership_id"]),
                                                             canon(r["organisation_id"]), r["role"], r["joined"]))]
                           for u, r in theirs_only.items()}
        elif table == "areas":
            keys = {u: [("name+partnership", (r["name"].casefold(), canon(r["partnership_id"])))]
                    for u, r in mine_only.items()}
            theirs_keys = {u: [("name+partnership", (r["name"].casefold(), canon(r["partnership_id"])))]
                           for u, r in theirs_only.items()}
        else:   # citations
            def ckeys(r):
                return [("source+record", tuple(canon(r[c]) if c in FKS["citations"] else r[c]
                                               for c in ("source_id", "partnership_id", "membership_id",
                                                         "organisation_id", "area_id", "field", "page")))]
            keys = {u: ckeys(r) for u, r in mine_only.items()}
            theirs_keys = {u: ckeys(r) for u, r in theirs_only.items()}
        for u, ks in keys.items():
            for k in ks:
                index.setdefault(k, []).append(u)
        for u, ks in theirs_keys.items():
            m = next((m for k in ks for m in index.get(k, ()) if m not in alias), None)
            if m is not None:
                pair(table, m, u, next(k[0] for k in ks if m in index.get(k, ())))
    return matches, alias


def plan(cat, other_path, prefer: str | None = None) -> MergePlan:
    """What merging the catalogue at other_path into `cat` would do; reads, never writes.

    prefer: 'mine' or 'theirs' resolves every conflict that way (None leaves them open)."""
    if prefer not in (None, "mine", "theirs"):
        raise CatalogueError(f"prefer must be 'mine' or 'theirs', not '{prefer}'")
    other_path = Path(other_path)
    store = _open_other(cat, other_path)
    try:
        theirs = _read_side(store.conn)
        mine = _read_side(cat.store.conn)
        shared = _standing(mine) & _standing(theirs)
        _read_changes(store.conn, theirs, shared)
        _read_changes(cat.store.conn, mine, shared)
        new_layers = [u for u in theirs.rows["boundary_layers"] if u not in mine.rows["boundary_layers"]]
        return _plan(mine, theirs, shared, other_path, prefer, store.conn, new_layers)
    finally:
        store.close()


def _canonical(side: _Side, alias: dict) -> dict:
    """The side's rows with every uuid (own and referenced) replaced by its pair's."""
    if not alias:
        return side.rows
    out = {}
    for table, rows in side.rows.items():
        fks = FKS.get(table, {})
        out[table] = {alias.get(u, u): ({c: alias.get(v, v) if c in fks else v for c, v in r.items()}
                                        if fks else r) for u, r in rows.items()}
    return out


def _plan(mine: _Side, theirs: _Side, shared: set[str], other_path: Path, prefer, other_conn,
          new_layers) -> MergePlan:
    matched, alias = _match(mine, theirs)
    m_old, m_ops = _own_changes(mine, shared)
    t_old, t_ops = _own_changes(theirs, shared)
    if alias:   # own changes by the pair's uuid
        m_old = {(t, alias.get(u, u)): v for (t, u), v in m_old.items()}
        m_ops = {(t, alias.get(u, u)): v for (t, u), v in m_ops.items()}
        t_old = {(t, alias.get(u, u)): v for (t, u), v in t_old.items()}
        t_ops = {(t, alias.get(u, u)): v for (t, u), v in t_ops.items()}
        for old in (*m_old.values(), *t_old.values()):
            for c, v in old.items():
                if isinstance(v, str) and v in alias:
                    old[c] = alias[v]
    m_rows, t_rows = _canonical(mine, alias), _canonical(theirs, alias)
    names = {}
    for rows in (t_rows, m_rows):
        for table, col in _NAME.items():
            for u, r in rows[table].items():
                names[u] = r[col]

    def stamps(side, table, u):
        return side.stamps.get((table, u)) or next(
            (side.stamps[(table, o)] for o, c in alias.items() if c == u and (table, o) in side.stamps), (None, None))

    # Rows a side has edited since parting, with their parents: deleting them would lose that edit.
    def edited(rows, ops):
        touched = {key for key, o in ops.items() if o & {"U", "I"}}
        for table in reversed(TABLES):
            for u, r in rows[table].items():
                if (table, u) in touched:
                    for col, parent in FKS.get(table, {}).items():
                        if r.get(col) is not None:
                            touched.add((parent, r[col]))
        return touched
    m_edited, t_edited = edited(m_rows, m_ops), edited(t_rows, t_ops)

    changes: list[Change] = []
    conflicts: list[Conflict] = []

    contested: dict[tuple[str, str], Conflict] = {}   # kept here, deleted there: and what hangs on them
    restorable: dict[tuple[str, str], Conflict] = {}  # deleted here, edited there
    absent: set[tuple[str, str]] = set()                 # the other's rows this copy deleted (or hang on one)

    def conflict(table, u, col, mv, tv):
        mb, ma = stamps(mine, table, u)
        tb, ta = stamps(theirs, table, u)
        conflicts.append(Conflict(table, u, col, mv, tv, record=_record_name(table, u, m_rows, t_rows, names),
                                  mine_author=mb, mine_at=ma, theirs_author=tb, theirs_at=ta, resolved=prefer))
        return conflicts[-1]

    def hangs_on(table, row, only_unlinked=None):
        """The contested record this row points to (in this copy), if any."""
        for col, parent in FKS.get(table, {}).items():
            if only_unlinked is not None and only_unlinked.get(col, MISSING) is not None:
                continue
            found = contested.get((parent, row.get(col)))
            if found is not None:
                return found
        return None

    for table in TABLES:
        mine_t, theirs_t = m_rows[table], t_rows[table]
        for u, tr in theirs_t.items():
            mr = mine_t.get(u)
            if mr is None:
                if "D" in m_ops.get((table, u), ()):       # this copy deleted it
                    absent.add((table, u))
                    if (table, u) in t_edited:
                        restorable[(table, u)] = conflict(table, u, ROW, "deleted", "edited")
                    continue
                add = Change(table, u, "add", _record_name(table, u, m_rows, t_rows, names), dict(tr))
                parents = [(p, tr[c]) for c, p in FKS.get(table, {}).items() if (p, tr.get(c)) in absent]
                if parents and table in _NEEDS_PARENT:   # it cannot be without a record this copy deleted
                    absent.add((table, u))
                    back = next((restorable[p] for p in parents if p in restorable), None)
                    if back is not None:                 # unless that record comes back
                        back.follows.append(add)
                        restorable[(table, u)] = back
                    continue
                changes.append(add)
                continue
            if mr == tr:
                continue
            update, old, kept = {}, {}, {}
            both_derived = table == "areas" and mr.get("kind") == tr.get("kind") == "derived"
            for col in tr.keys() | mr.keys():
                mv, tv = mr.get(col, MISSING), tr.get(col, MISSING)
                if mv == tv or tv is MISSING or (col == UNITS and both_derived):   # derived: re-derived
                    continue
                ma = m_old.get((table, u), {}).get(col, MISSING)
                ta = t_old.get((table, u), {}).get(col, MISSING)
                # A row a side inserted since parting (a merge, a restore) is that side's as a whole.
                mine_changed = ("I" in m_ops.get((table, u), ()) or (table, u) in m_old
                                and col in m_old[(table, u)] and (col == UNITS or ma != mv))
                theirs_changed = ("I" in t_ops.get((table, u), ()) or (table, u) in t_old
                                  and col in t_old[(table, u)] and (col == UNITS or ta != tv))
                if theirs_changed and not mine_changed:
                    update[col], old[col] = tv, mv
                elif mine_changed and not theirs_changed:
                    kept[col] = tv
                    continue
                else:
                    conflict(table, u, col, mv, tv)
            if update:
                change = Change(table, u, "update", _record_name(table, u, m_rows, t_rows, names), update, old)
                follows = hangs_on(table, mr, only_unlinked=update)
                (follows.follows if follows else changes).append(change)
            # This copy unlinked the row when it deleted a record the other edited: if that record
            # comes back, the row comes back to it as the other copy has it.
            back = next((restorable[(FKS[table][c], kept[c])] for c in kept
                         if c in FKS.get(table, {}) and mr.get(c) is None and (FKS[table][c], kept[c]) in restorable),
                        None)
            if back is not None:
                back.follows.append(Change(table, u, "update", _record_name(table, u, m_rows, t_rows, names),
                                           dict(kept), {c: mr.get(c) for c in kept}))
        for u in mine_t.keys() - theirs_t.keys():
            if "D" in t_ops.get((table, u), ()):            # the other copy deleted it
                follows = hangs_on(table, mine_t[u])
                if follows is not None:                      # with a record this copy keeps edited
                    follows.follows.append(Change(table, u, "delete", _record_name(table, u, m_rows, t_rows, names)))
                    contested[(table, u)] = follows
                elif (table, u) in m_edited:
                    contested[(table, u)] = conflict(table, u, ROW, "edited", "deleted")
                else:
                    changes.append(Change(table, u, "delete", _record_name(table, u, m_rows, t_rows, names)))
    # Units of the layers this file lacks, to copy with them.
    layer_units = {}
    for u in new_layers:
        layer_id = next(i for i, x in theirs.ids["boundary_layers"].items() if x == u)
        if alias.get(u, u) in m_rows["boundary_layers"]:
            continue
        cur = other_conn.execute("SELECT * FROM boundary_units WHERE layer_id=?", (layer_id,))
        cols = [d[0] for d in cur.description]
        units = [dict(zip(cols, r)) for r in cur]
        levels = other_conn.execute("SELECT tolerance, data FROM boundary_levels WHERE layer_id=?",
                                    (layer_id,)).fetchall()
        layer_units[alias.get(u, u)] = (units, levels)
    renames = {u: c for u, c in alias.items() if c != u and any(u in mine.rows[t] for t in TABLES)}
    history = [(h, theirs.changes.get(h[0], [])) for h in theirs.history if h[1] not in shared]
    return MergePlan(other_path, changes, conflicts, matched, m_rows, t_rows, renames, history, layer_units, names)


def _record_name(table, u, m_rows, t_rows, names) -> str:
    r = m_rows[table].get(u) or t_rows[table].get(u) or {}
    if table in _NAME:
        return str(r.get(_NAME[table]) or "")
    if table == "memberships":
        return f"{names.get(r.get('partnership_id'), '?')} – {names.get(r.get('organisation_id'), '?')}"
    if table == "citations":
        target = next((r[c] for c in ("partnership_id", "membership_id", "organisation_id", "area_id")
                       if r.get(c)), None)
        return f"{names.get(r.get('source_id'), '?')} → {names.get(target, target or '?')}"
    return u


# -- applying ---------------------------------------------------------------------------

def _resolve(plan: MergePlan, resolutions: dict | None) -> dict:
    """(table, uuid, field) -> ('mine'|'theirs', None) or ('edit', value); every conflict needs one."""
    resolutions = dict(resolutions or {})
    out = {}
    for c in plan.conflicts:
        choice = resolutions.get(c.key, c.resolved)
        if choice is None:
            raise CatalogueError(f"conflict not resolved: {c.table} '{c.record}' {c.field} "
                                 "(choose mine or theirs, or use --prefer)")
        if isinstance(choice, tuple):
            kind, value = choice
        else:
            kind, value = choice, None
        if kind not in ("mine", "theirs", "edit"):
            raise CatalogueError(f"'{kind}' is not a resolution (mine, theirs or edit)")
        if kind == "edit" and c.field == ROW:
            raise CatalogueError(f"{c.table} '{c.record}': a deleted record is kept or not (mine or theirs)")
        out[c.key] = (kind, value)
    return out


def apply(cat, plan: MergePlan, resolutions: dict | None = None, name: str | None = None) -> Revert:
    """Carry the plan out as one edit: one transaction, one undo step, one history entry.

    resolutions: (table, uuid, field) -> 'mine' | 'theirs' | ('edit', value), for conflicts the
    plan left open (prefer=None); those it resolved may be overridden here."""
    chosen = _resolve(plan, resolutions)
    store: Store = cat.store
    report = plan.report({k: v[0] for k, v in chosen.items()})
    detail = json.dumps({"other": plan.other_name, "added": report["added"], "changed": report["changed"],
                         "conflicts": len(report["conflicts"]), "copied": [h[0][1] for h in plan._history]},
                        ensure_ascii=False)
    with store.edit(name=name or f"Merge {plan.other_name}", kind="merge", detail=detail) as revert:
        _Writer(cat, plan, chosen).run()
    return revert


class _Writer:
    def __init__(self, cat, plan: MergePlan, chosen: dict):
        self.cat, self.plan, self.chosen = cat, plan, chosen
        self.conn = cat.store.conn
        self.ids: dict[str, dict[str, int]] = {}   # table -> uuid -> id in this file

    def _load_ids(self):
        for table in TABLES:
            key = _KEY.get(table, "id")
            self.ids[table] = {u: i for i, u in self.conn.execute(f"SELECT {key}, uuid FROM {table}")}

    def _fk(self, table, col, value):
        if value is None:
            return None
        target = FKS[table][col]
        return self.ids[target].get(value)

    def run(self) -> None:
        plan, conn = self.plan, self.conn
        conn.execute("PRAGMA defer_foreign_keys=ON")
        for old, new in plan._renames.items():        # matched rows take the pair's uuid
            for table in TABLES:
                conn.execute(f"UPDATE {table} SET uuid=? WHERE uuid=?", (new, old))
        self._load_ids()
        deletes, upserts, restores = [], [], set()
        for c in plan.changes:
            (deletes if c.op == "delete" else upserts).append(c)
        units_changed: set[str] = set()
        for c in plan.conflicts:
            kind, value = self.chosen[c.key]
            if c.field == ROW:
                if kind == "theirs" and c.mine == "deleted":      # bring theirs' record back
                    restores.add((c.table, c.id))
                    upserts.append(Change(c.table, c.id, "add", c.record, dict(plan._theirs[c.table][c.id])))
                    upserts += c.follows
                elif kind == "theirs":                              # they deleted it: so do we
                    deletes.append(Change(c.table, c.id, "delete", c.record))
                    for f in c.follows:
                        (deletes if f.op == "delete" else upserts).append(f)
                continue
            if kind == "mine":
                continue
            upserts.append(Change(c.table, c.id, "update", c.record,
                                  {c.field: c.theirs if kind == "theirs" else _typed(c.mine, value)}))
        # Children of a restored record that this copy lost with it come back too.
        if restores:
            for table in TABLES:
                for u, r in plan._theirs[table].items():
                    if u in plan._mine[table] or (table, u) in restores:
                        continue
                    if any((FKS[table][col], r.get(col)) in restores for col in FKS.get(table, {})):
                        restores.add((table, u))
                        upserts.append(Change(table, u, "add", "", dict(r)))
        order = {t: i for i, t in enumerate(TABLES)}
        for c in sorted(deletes, key=lambda c: -order[c.table]):
            conn.execute(f"DELETE FROM {c.table} WHERE uuid=?", (c.id,))
            self.ids[c.table].pop(c.id, None)
        seen = set()
        for c in sorted(upserts, key=lambda c: order[c.table]):
            if c.op == "add":
                if (c.table, c.id) in seen:
                    continue
                seen.add((c.table, c.id))
                if self._insert(c.table, c.id, c.values) and c.table == "areas":
                    units_changed.add(c.id)
            else:
                if self._update(c.table, c.id, c.values) and c.table == "areas":
                    units_changed.add(c.id)
        self._finish_areas(units_changed)
        self._copy_history()

    def _row_values(self, table, values) -> dict | None:
        out = {}
        for col, v in values.items():
            if col == UNITS:
                continue
            if col in FKS.get(table, {}):
                mapped = self._fk(table, col, v)
                if v is not None and mapped is None:
                    if (table, col) in _NOT_NULL_FKS or (table == "citations"):
                        return None          # its parent is not in the result (a conflict kept it out)
                v = mapped
            out[col] = v
        return out

    def _insert(self, table, u, values) -> bool:
        row = self._row_values(table, values)
        if row is None:
            return False
        if table == "citations" and not any(row.get(c) for c in ("partnership_id", "membership_id",
                                                                  "organisation_id", "area_id")):
            return False
        row["uuid"] = u
        cols = [c for c in row if c in self.cat.store.columns[table]]
        cur = self.conn.execute(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                [row[c] for c in cols])
        self.ids[table][u] = cur.lastrowid
        if table == "boundary_layers":
            self._copy_units(u, cur.lastrowid)
        if table == "areas":
            self._set_units(u, values.get(UNITS))
        return True

    def _update(self, table, u, values) -> bool:
        if u not in self.ids[table]:
            return False
        row = self._row_values(table, {c: v for c, v in values.items() if c != UNITS})
        if row is None:
            return False
        cols = [c for c in row if c in self.cat.store.columns[table]]
        if cols:
            key = _KEY.get(table, "id")
            self.conn.execute(f"UPDATE {table} SET {', '.join(c + '=?' for c in cols)} WHERE {key}=?",
                              [row[c] for c in cols] + [self.ids[table][u]])
        if table == "areas" and UNITS in values:
            self._set_units(u, values[UNITS])
        return table == "areas"

    def _set_units(self, u, codes) -> None:
        if codes is None:       # a derived area: re-derived below from its partnership's members
            return
        area_id = self.ids["areas"][u]
        layer_id = self.conn.execute("SELECT layer_id FROM areas WHERE fid=?", (area_id,)).fetchone()[0]
        self.conn.execute("DELETE FROM area_units WHERE area_id=?", (area_id,))
        if layer_id is None or not codes:
            return
        marks = ",".join("?" * len(codes))
        self.conn.execute(
            f"INSERT INTO area_units(area_id, unit_id) SELECT ?, fid FROM boundary_units "
            f"WHERE layer_id=? AND code IN ({marks})", (area_id, layer_id, *codes))

    def _copy_units(self, layer_uuid, layer_id) -> None:
        units, levels = self.plan._layer_units.get(layer_uuid, ([], []))
        if not units:
            return
        cols = [c for c in units[0] if c != "fid"]
        self.conn.executemany(
            f"INSERT INTO boundary_units({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [[layer_id if c == "layer_id" else r[c] for c in cols] for r in units])
        self.conn.executemany("INSERT INTO boundary_levels(layer_id, tolerance, data) VALUES (?,?,?)",
                              [(layer_id, t, d) for t, d in levels])

    def _finish_areas(self, area_uuids: set[str]) -> None:
        """Outlines follow the merged wards and drawings; derived areas follow merged members."""
        areas = self.cat.areas
        for u in area_uuids:
            if u in self.ids["areas"]:
                areas._refresh_outline(self.ids["areas"][u])
        partnerships = {r[0] for r in self.conn.execute(
            "SELECT DISTINCT partnership_id FROM areas WHERE kind='derived' AND partnership_id IS NOT NULL")}
        if partnerships:
            areas.rederive(partnerships)

    def _copy_history(self) -> None:
        """The other side's own history entries, so that what was merged counts as shared next time."""
        conn = self.conn
        for (hid, huuid, at, author, name, kind, detail), changes in self.plan._history:
            cur = conn.execute("INSERT OR IGNORE INTO history(uuid, at, author, name, kind, detail) "
                               "VALUES (?,?,?,?,?,?)", (huuid, at, author, name, kind, detail))
            if cur.rowcount:
                conn.executemany(
                    "INSERT INTO history_changes(history_id, tbl, row_uuid, op, old, new) VALUES (?,?,?,?,?,?)",
                    [(cur.lastrowid, tbl, ru, op, json.dumps(old) if old is not None else None,
                      json.dumps(new) if new is not None else None) for tbl, ru, op, old, new in changes])


def _typed(like, value):
    """A value typed in for an 'edit' resolution, as the type of the field's value."""
    if value is None or like is None or isinstance(value, type(like)):
        return value
    try:
        return type(like)(value)
    except (TypeError, ValueError):
        raise CatalogueError(f"'{value}' is not a {type(like).__name__}") from None


def footprints(cat, plan: MergePlan, area_uuid: str):
    """An area's outline in this copy and in the other (either None where it has none), drawn
    from the wards each copy gives it on this file's units and its drawing: for the review."""
    import shapely

    from models.storage import gpkg

    conn = cat.store.conn
    out = []
    for rows in (plan._mine, plan._theirs):
        area = rows["areas"].get(area_uuid)
        if area is None:
            out.append(None)
            continue
        parts = []
        codes = area.get(UNITS)
        if codes and area.get("layer_id"):
            marks = ",".join("?" * len(codes))
            blobs = [b for b, in conn.execute(
                f"SELECT u.geom FROM boundary_units u JOIN boundary_layers l ON l.id = u.layer_id "
                f"WHERE l.uuid = ? AND u.code IN ({marks})", (area["layer_id"], *codes))]
            if not blobs:   # a layer only the other copy has: its units come with the plan
                units, _ = plan._layer_units.get(area["layer_id"], ([], []))
                blobs = [u["geom"] for u in units if u["code"] in codes]
            if blobs:
                parts.append(shapely.coverage_union_all(gpkg.from_blobs(blobs)))
        if area.get("drawn"):
            parts.append(gpkg.from_blob(area["drawn"]))
        out.append(shapely.union_all(parts) if parts else None)
    return tuple(out)
