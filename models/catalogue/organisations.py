"""Organisations: the public bodies (and others) that partnerships are made of."""
from __future__ import annotations

from dataclasses import replace

from models.catalogue.areas import Areas
from models.catalogue.records import ORGANISATION_KINDS, Organisation
from models.errors import CatalogueError
from models.storage.store import Revert, Store

_COLUMNS = "id, name, kind, gss_code, notes"


def _record(row) -> Organisation:
    return Organisation(id=row[0], name=row[1], kind=row[2], gss_code=row[3], notes=row[4])


def _checked(org: Organisation) -> Organisation:
    name = org.name.strip()
    if not name:
        raise CatalogueError("an organisation needs a name")
    if org.kind not in ORGANISATION_KINDS:
        raise CatalogueError(f"unknown organisation kind '{org.kind}'")
    code = (org.gss_code or "").strip().upper() or None
    return replace(org, name=name, gss_code=code)


class Organisations:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    # -- reading ---------------------------------------------------------
    def all(self) -> list[Organisation]:
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM organisations ORDER BY name COLLATE NOCASE")
        return [_record(r) for r in rows]

    def get(self, org_id: int) -> Organisation:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM organisations WHERE id=?", (org_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no organisation with id {org_id}")
        return _record(row)

    def find(self, name_or_code: str) -> Organisation | None:
        """By GSS code, else by exact name (case-insensitive)."""
        key = name_or_code.strip()
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM organisations WHERE gss_code=? COLLATE NOCASE "
            "OR name=? COLLATE NOCASE ORDER BY gss_code IS NULL LIMIT 1", (key, key)).fetchone()
        return _record(row) if row else None

    def partnership_counts(self) -> dict[int, int]:
        """organisation id -> number of partnerships it belongs to (absent: none)."""
        return dict(self._conn.execute(
            "SELECT organisation_id, count(DISTINCT partnership_id) FROM memberships GROUP BY organisation_id"))

    # -- editing ---------------------------------------------------------
    def add(self, org: Organisation) -> Revert:
        org = _checked(org)
        self._unique_code(org)
        with self._store.edit() as revert:
            cur = self._conn.execute(
                "INSERT INTO organisations(name, kind, gss_code, notes) VALUES (?,?,?,?)",
                (org.name, org.kind, org.gss_code, org.notes))
            revert.id = cur.lastrowid
        return revert

    def update(self, org: Organisation) -> Revert:
        org = _checked(org)
        self.get(org.id)
        self._unique_code(org)
        with self._store.edit() as revert:
            self._conn.execute(
                "UPDATE organisations SET name=?, kind=?, gss_code=?, notes=? WHERE id=?",
                (org.name, org.kind, org.gss_code, org.notes, org.id))
            revert.id = org.id
            # A new GSS code moves the body's territory: areas that follow it move too.
            self._rederive([org.id])
        return revert

    def delete(self, org_id: int) -> Revert:
        """Deletes the organisation with its memberships and citations (all undoable)."""
        self.get(org_id)
        with self._store.edit() as revert:
            partnerships = self._partnerships_of([org_id])
            self._conn.execute("DELETE FROM organisations WHERE id=?", (org_id,))
            Areas(self._store).rederive(partnerships)
        return revert

    def merge(self, keep_id: int, drop_id: int) -> Revert:
        """Two records of one body: memberships, citations and leads move to `keep`."""
        if keep_id == drop_id:
            raise CatalogueError("cannot merge an organisation with itself")
        keep, drop = self.get(keep_id), self.get(drop_id)
        with self._store.edit() as revert:
            c = self._conn
            c.execute("UPDATE memberships SET organisation_id=? WHERE organisation_id=?", (keep_id, drop_id))
            c.execute("UPDATE citations SET organisation_id=? WHERE organisation_id=?", (keep_id, drop_id))
            c.execute("UPDATE partnerships SET lead_id=? WHERE lead_id=?", (keep_id, drop_id))
            notes = "\n".join(n for n in (keep.notes, drop.notes) if n)
            c.execute("DELETE FROM organisations WHERE id=?", (drop_id,))
            c.execute("UPDATE organisations SET notes=?, gss_code=? WHERE id=?",
                      (notes, keep.gss_code or drop.gss_code, keep_id))
            revert.id = keep_id
            self._rederive([keep_id])
        return revert

    def _partnerships_of(self, org_ids: list[int]) -> list[int]:
        return [r[0] for r in self._conn.execute(
            f"SELECT DISTINCT partnership_id FROM memberships WHERE organisation_id IN ({','.join('?' * len(org_ids))})",
            org_ids)]

    def _rederive(self, org_ids: list[int]) -> None:
        Areas(self._store).rederive(self._partnerships_of(org_ids))

    def _unique_code(self, org: Organisation) -> None:
        if org.gss_code is None:
            return
        row = self._conn.execute("SELECT name FROM organisations WHERE gss_code=? AND id IS NOT ?",
                                 (org.gss_code, org.id)).fetchone()
        if row:
            raise CatalogueError(f"GSS code {org.gss_code} already belongs to {row[0]}")
