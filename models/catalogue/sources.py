"""Sources (documents) and citations (a source cited for one record)."""
from __future__ import annotations

import json
import re
from dataclasses import replace

from models.catalogue import dates
from models.catalogue.records import MEMBERSHIP_FIELDS, PARTNERSHIP_FIELDS, SOURCE_TYPES, Citation, Source
from models.errors import CatalogueError
from models.storage.store import Revert, Store

_S_COLUMNS = "id, title, publisher, year, url, authors, type, doi, accessed"
_C_COLUMNS = "id, source_id, page, quote, partnership_id, membership_id, organisation_id, area_id, field"
_TARGETS = ("partnership_id", "membership_id", "organisation_id", "area_id")
_FIELDS = {"partnership_id": PARTNERSHIP_FIELDS, "membership_id": MEMBERSHIP_FIELDS}
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")

# When a partnership's field holds something (SQL on partnerships p): a fact that needs a source.
FILLED_SQL = {
    "dates": "(p.start_date IS NOT NULL OR p.end_date IS NOT NULL)",
    "status": "1",
    "policy_areas": "p.policy_areas NOT IN ('', '[]')",
    "lead": "p.lead_id IS NOT NULL",
    "governance": "p.governance != ''",
    "funding": "p.funding != ''",
    "savings": "(p.savings_amount IS NOT NULL OR p.savings_text != '')",
}
# Partnerships with at least one such fact no citation of that field supports (a citation of
# the whole record says where the partnership is described, not which fact the source gives).
UNSOURCED_SQL = "(" + " OR ".join(
    f"({filled} AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.partnership_id = p.id "
    f"AND c.field = '{name}'))" for name, filled in FILLED_SQL.items()) + ")"


def _source(row) -> Source:
    return Source(id=row[0], title=row[1], publisher=row[2], year=row[3], url=row[4],
                  authors=tuple(json.loads(row[5] or "[]")), type=row[6], doi=row[7], accessed=row[8])


def _citation(row) -> Citation:
    return Citation(id=row[0], source_id=row[1], page=row[2], quote=row[3], partnership_id=row[4],
                    membership_id=row[5], organisation_id=row[6], area_id=row[7], field=row[8])


def normal_doi(doi: str) -> str:
    """A DOI as reference managers compare it: no resolver prefix, lower case."""
    return _bare_doi(doi).lower()


def _bare_doi(doi: str) -> str:
    """The DOI as written, without a resolver's prefix (https://doi.org/, doi:)."""
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.IGNORECASE)


def checked_source(s: Source) -> Source:
    title = " ".join(s.title.split())
    if not title:
        raise CatalogueError("a source needs a title")
    try:
        year = None if s.year in (None, "") else int(s.year)
    except (TypeError, ValueError):
        raise CatalogueError(f"'{s.year}' is not a year") from None
    if year is not None and not 1000 <= year <= 2999:
        raise CatalogueError(f"'{s.year}' is not a year")
    if s.type not in SOURCE_TYPES:
        raise CatalogueError(f"'{s.type}' is not a type of source ({', '.join(SOURCE_TYPES)})")
    doi = _bare_doi(s.doi) if s.doi else ""
    if doi and not _DOI.match(doi):
        raise CatalogueError(f"'{s.doi}' is not a DOI (10.xxxx/…)")
    try:
        accessed = dates.parse(s.accessed or "")
    except ValueError as e:
        raise CatalogueError(f"accessed: {e}") from None
    authors = tuple(a for a in (" ".join(a.split()) for a in s.authors) if a)
    return replace(s, title=title, year=year, publisher=s.publisher.strip(), url=s.url.strip(), doi=doi,
                   accessed=accessed, authors=authors)


def source_key(s: Source) -> tuple[str, ...]:
    """The ways one document is recognised again: its DOI, its URL, its title and year (normalised)."""
    keys = []
    if s.doi:
        keys.append("doi:" + normal_doi(s.doi))
    if s.url:
        url = re.sub(r"^https?://(www\.)?", "", s.url.strip().lower()).rstrip("/")
        keys.append("url:" + url)
    title = re.sub(r"[^\w]+", " ", s.title.casefold()).strip()
    keys.append(f"title:{title}|{s.year or ''}")
    return tuple(keys)


class Sources:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    def all(self) -> list[Source]:
        return [_source(r) for r in self._conn.execute(
            f"SELECT {_S_COLUMNS} FROM sources ORDER BY title COLLATE NOCASE")]

    def get(self, source_id: int) -> Source:
        row = self._conn.execute(f"SELECT {_S_COLUMNS} FROM sources WHERE id=?", (source_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no source with id {source_id}")
        return _source(row)

    def citations(self, **target: int) -> list[Citation]:
        """Citations of one record: citations(partnership_id=3), or of a source: citations(source_id=1)."""
        (column, value), = target.items()
        if column not in (*_TARGETS, "source_id"):
            raise CatalogueError(f"cannot cite a {column}")
        return [_citation(r) for r in self._conn.execute(
            f"SELECT {_C_COLUMNS} FROM citations WHERE {column}=? ORDER BY id", (value,))]

    def cited(self, **target: int) -> list[tuple[Citation, Source]]:
        """A record's citations with their sources, as the GUI shows them."""
        sources: dict[int, Source] = {}
        rows = []
        for c in self.citations(**target):
            if c.source_id not in sources:
                sources[c.source_id] = self.get(c.source_id)
            rows.append((c, sources[c.source_id]))
        return rows

    def unsourced(self, partnership_id: int) -> list[str]:
        """The partnership's filled fields (FILLED_SQL) that no citation of that field supports."""
        return [name for name, filled in FILLED_SQL.items() if self._conn.execute(
            f"SELECT {filled} AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.partnership_id = p.id "
            "AND c.field = ?) FROM partnerships p WHERE p.id = ?", (name, partnership_id)).fetchone()[0]]

    def of_partnerships(self, partnership_ids) -> list[Source]:
        """The sources cited for these partnerships, their memberships or their areas."""
        ids = [int(i) for i in partnership_ids]
        marks = ",".join("?" * len(ids)) or "NULL"
        return [_source(r) for r in self._conn.execute(
            f"SELECT {_S_COLUMNS} FROM sources WHERE id IN (SELECT c.source_id FROM citations c "
            f"LEFT JOIN memberships m ON m.id = c.membership_id LEFT JOIN areas a ON a.fid = c.area_id "
            f"WHERE c.partnership_id IN ({marks}) OR m.partnership_id IN ({marks}) "
            f"OR a.partnership_id IN ({marks})) ORDER BY title COLLATE NOCASE", ids * 3)]

    def not_held(self, sources: list[Source]) -> list[Source]:
        """Those of `sources` the catalogue does not hold yet, each document once (checked)."""
        checked = [checked_source(s) for s in sources]
        known = {k for other in self.all() for k in source_key(other)}
        out = []
        for s in checked:
            keys = set(source_key(s))
            if not keys & known:
                known |= keys
                out.append(s)
        return out

    def add_many(self, sources: list[Source]) -> tuple[Revert, list[Source]]:
        """The sources not stored already (nor twice in the list), as one edit; returns those added."""
        new = self.not_held(sources)
        with self._store.edit() as revert:
            added = [replace(s, id=self._insert(s)) for s in new]
        return revert, added

    def cited_years(self) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
        """The years of the sources cited on each partnership and on each membership (the
        evidence that dates them where the catalogue has no dates)."""
        by_p: dict[int, set[int]] = {}
        by_m: dict[int, set[int]] = {}
        for pid, mid, year in self._conn.execute(
                "SELECT c.partnership_id, c.membership_id, s.year FROM citations c "
                "JOIN sources s ON s.id = c.source_id WHERE s.year IS NOT NULL "
                "AND (c.partnership_id IS NOT NULL OR c.membership_id IS NOT NULL)"):
            if pid is not None:
                by_p.setdefault(pid, set()).add(year)
            else:
                by_m.setdefault(mid, set()).add(year)
        return by_p, by_m

    def _insert(self, s: Source) -> int:
        return self._conn.execute(
            "INSERT INTO sources(title, publisher, year, url, authors, type, doi, accessed) "
            "VALUES (?,?,?,?,?,?,?,?)", (s.title, s.publisher, s.year, s.url,
                                         json.dumps(list(s.authors), ensure_ascii=False), s.type, s.doi,
                                         s.accessed)).lastrowid

    def add(self, s: Source) -> Revert:
        s = checked_source(s)
        with self._store.edit() as revert:
            revert.id = self._insert(s)
        return revert

    def update(self, s: Source) -> Revert:
        s = checked_source(s)
        self.get(s.id)
        with self._store.edit() as revert:
            self._conn.execute(
                "UPDATE sources SET title=?, publisher=?, year=?, url=?, authors=?, type=?, doi=?, accessed=? "
                "WHERE id=?", (s.title, s.publisher, s.year, s.url, json.dumps(list(s.authors), ensure_ascii=False),
                               s.type, s.doi, s.accessed, s.id))
            revert.id = s.id
        return revert

    def delete(self, source_id: int) -> Revert:
        """Deletes the source and every citation of it."""
        self.get(source_id)
        with self._store.edit() as revert:
            self._conn.execute("DELETE FROM sources WHERE id=?", (source_id,))
        return revert

    def cite(self, c: Citation) -> Revert:
        targets = [t for t in _TARGETS if getattr(c, t) is not None]
        if len(targets) != 1:
            raise CatalogueError("a citation belongs to exactly one record")
        if c.field is not None and c.field not in _FIELDS.get(targets[0], {}):
            what = targets[0].removesuffix("_id")
            fields = ", ".join(_FIELDS.get(targets[0], {})) or "none"
            article = "an" if what[0] in "aeiou" else "a"
            raise CatalogueError(f"{article} {what} has no field '{c.field}' to cite (its fields: {fields})")
        self.get(c.source_id)
        with self._store.edit() as revert:
            revert.id = self._conn.execute(
                "INSERT INTO citations(source_id, page, quote, partnership_id, membership_id, "
                "organisation_id, area_id, field) VALUES (?,?,?,?,?,?,?,?)",
                (c.source_id, c.page.strip(), c.quote.strip(), c.partnership_id, c.membership_id,
                 c.organisation_id, c.area_id, c.field)).lastrowid
        return revert

    def cite_new(self, s: Source, c: Citation) -> Revert:
        """A new source and its first citation, as one edit; revert.id is the citation's."""
        with self._store.edit() as revert:
            source_id = self.add(s).id
            revert.id = self.cite(replace(c, source_id=source_id)).id
        return revert

    def usage(self, source_id: int) -> int:
        """How many records cite this source (editing it changes all of them)."""
        return self._conn.execute("SELECT count(*) FROM citations WHERE source_id=?", (source_id,)).fetchone()[0]

    def update_citation(self, c: Citation) -> Revert:
        with self._store.edit() as revert:
            if self._conn.execute("UPDATE citations SET source_id=?, page=?, quote=? WHERE id=?",
                                  (c.source_id, c.page.strip(), c.quote.strip(), c.id)).rowcount != 1:
                raise CatalogueError(f"no citation with id {c.id}")
            revert.id = c.id
        return revert

    def uncite(self, citation_id: int) -> Revert:
        with self._store.edit() as revert:
            if self._conn.execute("DELETE FROM citations WHERE id=?", (citation_id,)).rowcount != 1:
                raise CatalogueError(f"no citation with id {citation_id}")
        return revert
