"""Carrying a merge plan out: one transaction, one undo step, one history entry."""
from __future__ import annotations

import json

from models.catalogue.merge.plan import ROW, Change, MergePlan
from models.catalogue.merge.sides import FKS, KEY, NOT_NULL_FKS, TABLES, UNITS
from models.errors import CatalogueError
from models.storage.store import Revert, Store


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
            key = KEY.get(table, "id")
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
                    if (table, col) in NOT_NULL_FKS or (table == "citations"):
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
            key = KEY.get(table, "id")
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


