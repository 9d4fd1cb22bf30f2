"""Finding partnerships: full-text search (SQLite FTS5) and filters, for lists that update as you type.

The index lives in the connection's TEMP schema, so the catalogue file stays a
clean GeoPackage that QGIS and GDAL see unchanged. TEMP triggers record which
partnerships an edit touched (their own row, members, organisation names,
citations, source titles); the next query re-indexes just those. A rolled-back
edit rolls its marks back with it.

    search = Search(cat)
    rows = search.rows(Filters(text="west lond", status="active", year=2009))
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from models.catalogue.sources import UNSOURCED_SQL

# One document per partnership; rowid = partnership id.
_DOCUMENT_SQL = """
SELECT p.id, p.name,
  p.kind || ' ' || p.description || ' ' || p.notes || ' ' || p.governance || ' ' || p.funding
    || ' ' || p.savings_text || ' ' || p.policy_areas || ' ' || p.tags,
  (SELECT group_concat(o.name || ' ' || coalesce(o.gss_code, ''), ' ')
     FROM main.memberships m JOIN main.organisations o ON o.id = m.organisation_id
    WHERE m.partnership_id = p.id),
  (SELECT group_concat(s.title || ' ' || s.publisher || ' ' || c.page || ' ' || c.quote, ' ')
     FROM main.citations c JOIN main.sources s ON s.id = c.source_id
    WHERE c.partnership_id = p.id)
FROM main.partnerships p"""

# What marks a partnership as needing re-indexing: (trigger suffix, event, table, SELECT of ids).
_MARKS = (
    ("p_i", "INSERT", "partnerships", "SELECT NEW.id"),
    ("p_u", "UPDATE", "partnerships", "SELECT NEW.id"),
    ("p_d", "DELETE", "partnerships", "SELECT OLD.id"),
    ("m_i", "INSERT", "memberships", "SELECT NEW.partnership_id"),
    ("m_u", "UPDATE", "memberships", "SELECT NEW.partnership_id UNION SELECT OLD.partnership_id"),
    ("m_d", "DELETE", "memberships", "SELECT OLD.partnership_id"),
    ("o_u", "UPDATE", "organisations",
     "SELECT partnership_id FROM main.memberships WHERE organisation_id = NEW.id"),
    ("c_i", "INSERT", "citations", "SELECT NEW.partnership_id WHERE NEW.partnership_id IS NOT NULL"),
    ("c_u", "UPDATE", "citations", "SELECT NEW.partnership_id WHERE NEW.partnership_id IS NOT NULL "
                                   "UNION SELECT OLD.partnership_id WHERE OLD.partnership_id IS NOT NULL"),
    ("c_d", "DELETE", "citations", "SELECT OLD.partnership_id WHERE OLD.partnership_id IS NOT NULL"),
    ("s_u", "UPDATE", "sources",
     "SELECT partnership_id FROM main.citations WHERE source_id = NEW.id AND partnership_id IS NOT NULL"),
)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    """What the list shows; None/'' means "any"."""
    text: str = ""
    kind: str | None = None
    status: str | None = None
    policy_area: str | None = None
    organisation_id: int | None = None   # a member organisation
    borough: str | None = None           # GSS code: a member with it, or a linked area with wards in it
    # Not excluded by a dated span in that calendar year. Whether there is evidence for the
    # year (active, attested or unknown) is models.analysis.evidence's to say: the list refines.
    year: int | None = None
    include_unknown: bool = False        # with a year: keep those with no evidence either way
    unsourced: bool = False              # only those with a filled field no citation supports


class PartnershipRow(NamedTuple):
    """One line of the partnership list (a tuple: thousands are built per keystroke)."""
    id: int
    name: str
    kind: str
    status: str
    start: str | None
    end: str | None
    members: int

    @property
    def years(self) -> str:
        if not self.start and not self.end:
            return ""
        return f"{(self.start or '?')[:4]}–{(self.end or '')[:4]}"


@dataclass(frozen=True)
class AreaRow:
    id: int
    name: str
    colour: str
    units: int


def match_expression(text: str) -> str | None:
    """Search-as-you-type: every word must occur, the last one (still being typed) as a prefix.

    Every word is quoted, so FTS5 operators typed by the user (AND, NEAR, "-") are plain text.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


class Search:
    def __init__(self, cat):
        self._conn = cat.store.conn
        c = self._conn
        c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.partnership_fts USING fts5("
                  "name, body, members, sources, tokenize='unicode61 remove_diacritics 2')")
        c.execute("CREATE TABLE IF NOT EXISTS temp.search_dirty (id INTEGER PRIMARY KEY)")
        for suffix, event, table, ids in _MARKS:
            c.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS search_mark_{suffix} AFTER {event} ON "
                      f"main.{table} BEGIN INSERT OR IGNORE INTO search_dirty(id) {ids}; END")
        self._rebuild()

    def _rebuild(self) -> None:
        c = self._conn
        with _transaction(c):
            c.execute("DELETE FROM temp.partnership_fts")
            c.execute("DELETE FROM temp.search_dirty")
            c.execute("INSERT INTO temp.partnership_fts(rowid, name, body, members, sources) " + _DOCUMENT_SQL)

    def _sync(self) -> None:
        """Re-index the partnerships edits touched since the last query."""
        c = self._conn
        if c.execute("SELECT 1 FROM temp.search_dirty LIMIT 1").fetchone() is None:
            return
        with _transaction(c):
            c.execute("DELETE FROM temp.partnership_fts WHERE rowid IN (SELECT id FROM temp.search_dirty)")
            c.execute("INSERT INTO temp.partnership_fts(rowid, name, body, members, sources) "
                      + _DOCUMENT_SQL + " WHERE p.id IN (SELECT id FROM temp.search_dirty)")
            c.execute("DELETE FROM temp.search_dirty")

    # -- queries ---------------------------------------------------------
    def rows(self, f: Filters = Filters()) -> list[PartnershipRow]:
        where, args = [], []
        expression = match_expression(f.text)
        if expression:
            self._sync()
            where.append("p.id IN (SELECT rowid FROM temp.partnership_fts WHERE partnership_fts MATCH ?)")
            args.append(expression)
        if f.kind:
            where.append("p.kind = ?")
            args.append(f.kind)
        if f.status:
            where.append("p.status = ?")
            args.append(f.status)
        if f.policy_area:
            where.append("EXISTS (SELECT 1 FROM json_each(p.policy_areas) WHERE value = ? COLLATE NOCASE)")
            args.append(f.policy_area)
        if f.organisation_id is not None:
            where.append("p.id IN (SELECT partnership_id FROM memberships WHERE organisation_id = ?)")
            args.append(f.organisation_id)
        if f.borough:
            where.append(
                "p.id IN (SELECT m.partnership_id FROM memberships m JOIN organisations o "
                "ON o.id = m.organisation_id WHERE o.gss_code = ? COLLATE NOCASE "
                "UNION SELECT a.partnership_id FROM areas a JOIN area_units au ON au.area_id = a.fid "
                "JOIN boundary_units u ON u.fid = au.unit_id WHERE u.parent_code = ? COLLATE NOCASE)")
            args += [f.borough.strip(), f.borough.strip()]
        if f.year is not None:
            # Partial ISO dates compare as text: '2008' and '2008-04' both sort before '2008-12-31'.
            year = f"{int(f.year):04d}"
            where.append("(p.start_date IS NULL OR p.start_date <= ?) "
                         "AND (p.end_date IS NULL OR substr(p.end_date, 1, 4) >= ?)")
            args += [f"{year}-12-31", year]
        if f.unsourced:
            where.append(UNSOURCED_SQL)
        # Counting members per row through the index beats grouping every membership when few rows match.
        sql = ("SELECT p.id, p.name, p.kind, p.status, p.start_date, p.end_date, "
               "(SELECT count(*) FROM memberships m WHERE m.partnership_id = p.id) FROM partnerships p")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY p.name COLLATE NOCASE, p.id"
        return list(map(PartnershipRow._make, self._conn.execute(sql, args)))

    def snippets(self, text: str) -> list[tuple[str, str]]:
        """(name, snippet) of every partnership rows(Filters(text)) finds, in the list's order:
        the words found marked [like this] in the part of the record that matched best."""
        expression = match_expression(text)
        if not expression:
            return []
        self._sync()
        return self._conn.execute(
            "SELECT p.name, snippet(partnership_fts, -1, '[', ']', '…', 12) FROM temp.partnership_fts f "
            "JOIN partnerships p ON p.id = f.rowid WHERE partnership_fts MATCH ? "
            "ORDER BY p.name COLLATE NOCASE, p.id", (expression,)).fetchall()

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM partnerships").fetchone()[0]

    def policy_areas_in_use(self) -> list[str]:
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT j.value FROM partnerships p, json_each(p.policy_areas) j "
            "ORDER BY j.value COLLATE NOCASE")]

    def linked_areas(self, partnership_id: int) -> list[AreaRow]:
        """The areas drawn for a partnership, without loading their geometry."""
        return [AreaRow(*r) for r in self._conn.execute(
            "SELECT a.fid, a.name, a.colour, (SELECT count(*) FROM area_units WHERE area_id = a.fid) "
            "FROM areas a WHERE a.partnership_id = ? ORDER BY a.name COLLATE NOCASE", (partnership_id,))]

    def duplicate_names(self, name: str, exclude_id: int | None = None) -> int:
        """How many other partnerships already carry this name (case-insensitive)."""
        return self._conn.execute(
            "SELECT count(*) FROM partnerships WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
            (name.strip(), exclude_id)).fetchone()[0]


class _transaction:
    """A short transaction for the TEMP index, or a savepoint inside an edit already running."""

    def __init__(self, conn):
        self._conn = conn

    def __enter__(self):
        self._nested = self._conn.in_transaction
        self._conn.execute("SAVEPOINT search_index" if self._nested else "BEGIN")

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._conn.execute("RELEASE search_index" if self._nested else "COMMIT")
        elif self._nested:
            self._conn.execute("ROLLBACK TO search_index")
            self._conn.execute("RELEASE search_index")
        else:
            self._conn.execute("ROLLBACK")
        return False

