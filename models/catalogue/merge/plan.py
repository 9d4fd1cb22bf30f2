"""What merging would do: matching rows made apart, three-way per field, conflicts; the
plan and its report (see the package's docstring)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from models.catalogue.merge.sides import FKS, TABLES, UNITS, Side, decode, open_other, read_changes, read_side
from models.catalogue.records import Source
from models.catalogue.sources import source_key
from models.errors import CatalogueError

ROW = "(record)"           # the field of a deleted-against-edited conflict
_NAME = {"boundary_layers": "name", "organisations": "name", "partnerships": "name",
         "sources": "title", "areas": "name"}
_SIMILAR_MEMBERS = 0.5   # Jaccard of two partnerships' member sets to count as the same
_NEEDS_PARENT = {"memberships", "citations"}   # rows that cannot be without the records they point to


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



# -- the plan ---------------------------------------------------------------------------

def _own_changes(side: Side, shared: set[str]):
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
                seen[col] = decode(before)   # foreign keys are uuids in the history already
    return first_old, ops


def _standing(side: Side) -> set[str]:
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


def _match(mine: Side, theirs: Side) -> tuple[list[Match], dict[str, str]]:
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
    store = open_other(cat, other_path)
    try:
        theirs = read_side(store.conn)
        mine = read_side(cat.store.conn)
        shared = _standing(mine) & _standing(theirs)
        read_changes(store.conn, theirs, shared)
        read_changes(cat.store.conn, mine, shared)
        new_layers = [u for u in theirs.rows["boundary_layers"] if u not in mine.rows["boundary_layers"]]
        return _plan(mine, theirs, shared, other_path, prefer, store.conn, new_layers)
    finally:
        store.close()


def _canonical(side: Side, alias: dict) -> dict:
    """The side's rows with every uuid (own and referenced) replaced by its pair's."""
    if not alias:
        return side.rows
    out = {}
    for table, rows in side.rows.items():
        fks = FKS.get(table, {})
        out[table] = {alias.get(u, u): ({c: alias.get(v, v) if c in fks else v for c, v in r.items()}
                                        if fks else r) for u, r in rows.items()}
    return out


def _plan(mine: Side, theirs: Side, shared: set[str], other_path: Path, prefer, other_conn,
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
