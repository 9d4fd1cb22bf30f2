"""Sources (documents) and citations (a source cited for one record)."""
from __future__ import annotations

from dataclasses import replace

from models.catalogue.records import Citation, Source
from models.errors import CatalogueError
from models.storage.store import Revert, Store

_S_COLUMNS = "id, title, publisher, year, url"
_C_COLUMNS = "id, source_id, page, quote, partnership_id, membership_id, organisation_id, area_id"
_TARGETS = ("partnership_id", "membership_id", "organisation_id", "area_id")


def _source(row) -> Source:
    return Source(id=row[0], title=row[1], publisher=row[2], year=row[3], url=row[4])


def _citation(row) -> Citation:
    return Citation(id=row[0], source_id=row[1], page=row[2], quote=row[3], partnership_id=row[4],
                    membership_id=row[5], organisation_id=row[6], area_id=row[7])


def _checked(s: Source) -> Source:
    title = s.title.strip()
    if not title:
        raise CatalogueError("a source needs a title")
    if s.year is not None and not 1000 <= int(s.year) <= 2999:
        raise CatalogueError(f"'{s.year}' is not a year")
    return replace(s, title=title, year=None if s.year is None else int(s.year))


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

    def add(self, s: Source) -> Revert:
        s = _checked(s)
        with self._store.edit() as revert:
            revert.id = self._conn.execute(
                "INSERT INTO sources(title, publisher, year, url) VALUES (?,?,?,?)",
                (s.title, s.publisher, s.year, s.url)).lastrowid
        return revert

    def update(self, s: Source) -> Revert:
        s = _checked(s)
        self.get(s.id)
        with self._store.edit() as revert:
            self._conn.execute("UPDATE sources SET title=?, publisher=?, year=?, url=? WHERE id=?",
                               (s.title, s.publisher, s.year, s.url, s.id))
            revert.id = s.id
        return revert

    def delete(self, source_id: int) -> Revert:
        """Deletes the source and every citation of it."""
        self.get(source_id)
        with self._store.edit() as revert:
            self._conn.execute("DELETE FROM sources WHERE id=?", (source_id,))
        return revert

    def cite(self, c: Citation) -> Revert:
        if sum(getattr(c, t) is not None for t in _TARGETS) != 1:
            raise CatalogueError("a citation belongs to exactly one record")
        with self._store.edit() as revert:
            revert.id = self._conn.execute(
                "INSERT INTO citations(source_id, page, quote, partnership_id, membership_id, "
                "organisation_id, area_id) VALUES (?,?,?,?,?,?,?)",
                (c.source_id, c.page.strip(), c.quote.strip(), c.partnership_id, c.membership_id,
                 c.organisation_id, c.area_id)).lastrowid
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
