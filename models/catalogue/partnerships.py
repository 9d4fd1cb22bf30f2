"""Partnerships and their memberships."""
from __future__ import annotations

import json
from dataclasses import replace

from models.catalogue import dates
from models.catalogue.areas import Areas
from models.catalogue.organisations import Organisations
from models.catalogue.records import (
    PARTNERSHIP_KINDS,
    ROLES,
    SAVINGS_PERIODS,
    STATUSES,
    Membership,
    Organisation,
    Partnership,
)
from models.errors import CatalogueError
from models.storage.store import Revert, Store

_P_COLUMNS = ("id, name, kind, status, start_date, end_date, policy_areas, governance, lead_id, "
              "funding, savings_amount, savings_period, savings_text, description, notes, tags, first_seen, last_seen")
_M_COLUMNS = "id, partnership_id, organisation_id, role, joined, left_date, first_seen, last_seen"


def _partnership(row) -> Partnership:
    return Partnership(
        id=row[0], name=row[1], kind=row[2], status=row[3], start=row[4], end=row[5],
        policy_areas=tuple(json.loads(row[6])), governance=row[7], lead_id=row[8],
        funding=row[9], savings_amount=row[10], savings_period=row[11], savings_text=row[12],
        description=row[13], notes=row[14], tags=tuple(json.loads(row[15])), first_seen=row[16],
        last_seen=row[17])


def _membership(row) -> Membership:
    return Membership(id=row[0], partnership_id=row[1], organisation_id=row[2], role=row[3],
                      joined=row[4], left=row[5], first_seen=row[6], last_seen=row[7])


def _date(text, what):
    try:
        return dates.parse(text)
    except ValueError as e:
        raise CatalogueError(f"{what}: {e}") from None


def _seen(record) -> tuple[str | None, str | None]:
    first, last = _date(record.first_seen, "first seen"), _date(record.last_seen, "last seen")
    if dates.before(last, first):
        raise CatalogueError(f"last seen {last} is before first seen {first}")
    return first, last


def _clean_list(values) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        v = str(v).strip()
        if v:
            seen.setdefault(v, None)
    return tuple(seen)


def check_partnership(p: Partnership) -> Partnership:
    """The partnership as it will be stored, or CatalogueError saying what is wrong."""
    name = p.name.strip()
    if not name:
        raise CatalogueError("a partnership needs a name")
    if p.kind not in PARTNERSHIP_KINDS:
        raise CatalogueError(f"unknown partnership kind '{p.kind}'")
    if p.status not in STATUSES:
        raise CatalogueError(f"unknown status '{p.status}' (use {', '.join(STATUSES)})")
    if p.savings_period not in (None, *SAVINGS_PERIODS):
        raise CatalogueError(f"savings period must be 'per year' or 'total', not '{p.savings_period}'")
    if p.savings_amount is not None and not p.savings_amount >= 0:
        raise CatalogueError("savings must be a positive amount in £")
    start, end = _date(p.start, "start"), _date(p.end, "end")
    if dates.before(end, start):
        raise CatalogueError(f"end {end} is before start {start}")
    first, last = _seen(p)
    return replace(p, name=name, start=start, end=end, policy_areas=_clean_list(p.policy_areas),
                   tags=_clean_list(p.tags), first_seen=first, last_seen=last)


def check_membership(m: Membership) -> Membership:
    if m.role not in ROLES:
        raise CatalogueError(f"unknown role '{m.role}' (use {', '.join(ROLES)})")
    joined, left = _date(m.joined, "joined"), _date(m.left, "left")
    if dates.before(left, joined):
        raise CatalogueError(f"left {left} is before joined {joined}")
    first, last = _seen(m)
    return replace(m, joined=joined, left=left, first_seen=first, last_seen=last)


def _p_values(p: Partnership) -> tuple:
    return (p.name, p.kind, p.status, p.start, p.end, json.dumps(list(p.policy_areas)),
            p.governance, p.lead_id, p.funding, p.savings_amount, p.savings_period,
            p.savings_text, p.description, p.notes, json.dumps(list(p.tags)), p.first_seen, p.last_seen)


class Partnerships:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    # -- reading ---------------------------------------------------------
    def all(self) -> list[Partnership]:
        rows = self._conn.execute(f"SELECT {_P_COLUMNS} FROM partnerships ORDER BY name COLLATE NOCASE")
        return [_partnership(r) for r in rows]

    def get(self, partnership_id: int) -> Partnership:
        row = self._conn.execute(f"SELECT {_P_COLUMNS} FROM partnerships WHERE id=?",
                                 (partnership_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no partnership with id {partnership_id}")
        return _partnership(row)

    def find(self, name: str) -> Partnership | None:
        row = self._conn.execute(f"SELECT {_P_COLUMNS} FROM partnerships WHERE name=? COLLATE NOCASE",
                                 (name.strip(),)).fetchone()
        return _partnership(row) if row else None

    def memberships(self, partnership_id: int | None = None) -> list[Membership]:
        sql = f"SELECT {_M_COLUMNS} FROM memberships"
        if partnership_id is None:
            return [_membership(r) for r in self._conn.execute(sql + " ORDER BY id")]
        return [_membership(r) for r in
                self._conn.execute(sql + " WHERE partnership_id=? ORDER BY id", (partnership_id,))]

    def names(self) -> dict[int, str]:
        return dict(self._conn.execute("SELECT id, name FROM partnerships"))

    def memberships_of(self, organisation_id: int) -> list[Membership]:
        return [_membership(r) for r in self._conn.execute(
            f"SELECT {_M_COLUMNS} FROM memberships WHERE organisation_id=? ORDER BY id",
            (organisation_id,))]

    # -- editing ---------------------------------------------------------
    def add(self, p: Partnership, members: list[Membership] = ()) -> Revert:
        """A new partnership, with members given as Memberships whose partnership_id is ignored."""
        p = check_partnership(p)
        members = [check_membership(m) for m in members]
        with self._store.edit() as revert:
            cur = self._conn.execute(
                "INSERT INTO partnerships(name, kind, status, start_date, end_date, policy_areas, "
                "governance, lead_id, funding, savings_amount, savings_period, savings_text, "
                "description, notes, tags, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _p_values(p))
            revert.id = cur.lastrowid
            for m in members:
                self._insert_membership(replace(m, partnership_id=revert.id))
        return revert

    def update(self, p: Partnership) -> Revert:
        p = check_partnership(p)
        self.get(p.id)
        with self._store.edit() as revert:
            self._conn.execute(
                "UPDATE partnerships SET name=?, kind=?, status=?, start_date=?, end_date=?, "
                "policy_areas=?, governance=?, lead_id=?, funding=?, savings_amount=?, "
                "savings_period=?, savings_text=?, description=?, notes=?, tags=?, first_seen=?, last_seen=? "
                "WHERE id=?",
                (*_p_values(p), p.id))
            revert.id = p.id
        return revert

    def delete(self, partnership_id: int) -> Revert:
        """Deletes it with its memberships and citations; its areas are kept, unlinked."""
        self.get(partnership_id)
        with self._store.edit() as revert:
            # Its derived areas, unlinked, have no members left to follow: they keep their wards.
            self._conn.execute("UPDATE areas SET kind='drawn' WHERE partnership_id=?", (partnership_id,))
            self._conn.execute("DELETE FROM partnerships WHERE id=?", (partnership_id,))
        return revert

    def delete_many(self, partnership_ids: list[int]) -> Revert:
        """Several partnerships deleted as one edit (one undo step), as delete() does each."""
        for pid in partnership_ids:
            self.get(pid)
        with self._store.edit() as revert:
            self._conn.executemany("UPDATE areas SET kind='drawn' WHERE partnership_id=?",
                                   ((pid,) for pid in partnership_ids))
            self._conn.executemany("DELETE FROM partnerships WHERE id=?", ((pid,) for pid in partnership_ids))
        return revert

    def add_member(self, m: Membership) -> Revert:
        m = check_membership(m)
        self.get(m.partnership_id)
        with self._store.edit() as revert:
            revert.id = self._insert_membership(m)
            self._rederive([m.partnership_id])
        return revert

    def update_member(self, m: Membership) -> Revert:
        m = check_membership(m)
        was = self._conn.execute("SELECT partnership_id FROM memberships WHERE id=?", (m.id,)).fetchone()
        with self._store.edit() as revert:
            cur = self._conn.execute(
                "UPDATE memberships SET partnership_id=?, organisation_id=?, role=?, joined=?, "
                "left_date=?, first_seen=?, last_seen=? WHERE id=?",
                (m.partnership_id, m.organisation_id, m.role, m.joined, m.left, m.first_seen, m.last_seen,
                 m.id))
            if cur.rowcount != 1:
                raise CatalogueError(f"no membership with id {m.id}")
            revert.id = m.id
            self._rederive([m.partnership_id, *(was or ())])
        return revert

    def add_member_new_organisation(self, org: Organisation, m: Membership) -> Revert:
        """Create an organisation and make it a member, as one edit (typed in the members table)."""
        m = check_membership(m)
        self.get(m.partnership_id)
        with self._store.edit() as revert:
            org_id = Organisations(self._store).add(org).id
            revert.id = self._insert_membership(replace(m, organisation_id=org_id))
            self._rederive([m.partnership_id])
        return revert

    def remove_member(self, membership_id: int) -> Revert:
        return self.remove_members([membership_id])

    def remove_members(self, membership_ids: list[int]) -> Revert:
        """Several members removed as one edit (one undo step)."""
        with self._store.edit() as revert:
            partnerships = set()
            for mid in membership_ids:
                row = self._conn.execute("DELETE FROM memberships WHERE id=? RETURNING partnership_id",
                                         (mid,)).fetchone()
                if row is None:
                    raise CatalogueError(f"no membership with id {mid}")
                partnerships.add(row[0])
            self._rederive(partnerships)
        return revert

    def _rederive(self, partnership_ids) -> None:
        """The derived areas of these partnerships follow the membership edit just made,
        in its transaction (one undo step for both)."""
        Areas(self._store).rederive(partnership_ids)

    def _insert_membership(self, m: Membership) -> int:
        return self._conn.execute(
            "INSERT INTO memberships(partnership_id, organisation_id, role, joined, left_date, "
            "first_seen, last_seen) VALUES (?,?,?,?,?,?,?)",
            (m.partnership_id, m.organisation_id, m.role, m.joined, m.left, m.first_seen,
             m.last_seen)).lastrowid
