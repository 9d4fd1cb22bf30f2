"""Sources in and out as reference managers hold them: CSL-JSON (models.formats.csl) or BibTeX
(models.formats.bibtex), chosen by the file's name.

An import adds the sources the catalogue does not hold yet (same DOI, URL, or title and year,
normalised: see models.catalogue.sources.source_key) as one edit; a file with anything
malformed adds nothing and says which entry and field.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from models.catalogue.records import SOURCE_TYPES, Source
from models.catalogue.sources import checked_source
from models.errors import CatalogueError, plural
from models.storage.store import Revert

SUFFIXES = (".csl.json", ".json", ".bib")
FILTER = "CSL-JSON (*.json);;BibTeX (*.bib)"


def entry_error(where: str, field: str, problem: str) -> CatalogueError:
    return CatalogueError(f"{where}, field '{field}': {problem}")


def source_from(where: str, values: dict) -> Source:
    """A Source from one entry's fields, each checked with the entry and field named."""
    title = " ".join(str(values.get("title") or "").split())
    if not title:
        raise entry_error(where, "title", "a source needs a title")
    year = values.get("year")
    if year not in (None, ""):
        text = str(year).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise entry_error(where, "year", f"'{text}' is not a year")
        year = int(text)
    else:
        year = None
    if values.get("type", "report") not in SOURCE_TYPES:
        raise entry_error(where, "type", f"'{values['type']}' is not a type of source")
    s = Source(title=title, publisher=str(values.get("publisher") or ""), year=year,
               url=str(values.get("url") or ""), authors=tuple(values.get("authors") or ()),
               type=values.get("type", "report"), doi=str(values.get("doi") or ""),
               accessed=values.get("accessed") or None)
    try:
        return checked_source(s)
    except CatalogueError as e:   # the DOI or accessed date: say which
        field = "doi" if "DOI" in str(e) else "accessed" if str(e).startswith("accessed") else "source"
        raise entry_error(where, field, str(e).removeprefix("accessed: ")) from None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def citation_keys(sources: list[Source]) -> list[str]:
    """A key per source as reference managers make them (first author or title word, and
    year), unique within the list: westlondonalliance2009, westlondonalliance2009a…"""
    keys, seen = [], set()
    for s in sources:
        who = s.authors[0].split(",")[0] if s.authors else s.publisher or s.title
        words = re.findall(r"[a-z0-9]+", _ascii(who).lower())
        if not s.authors and not s.publisher:
            words = words[:1]
        base = ("".join(words)[:30] or "source") + (str(s.year) if s.year else "")
        key, n = base, 0
        while key in seen:
            key = base + chr(ord("a") + n % 26) + (str(n // 26) if n >= 26 else "")
            n += 1
        seen.add(key)
        keys.append(key)
    return keys


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".bib"):
        return "bibtex"
    if name.endswith(".json"):
        return "csl"
    raise CatalogueError(f"'{path.name}' is neither CSL-JSON (.csl.json, .json) nor BibTeX (.bib)")


def dumps(sources: list[Source], kind: str, uuids: list[str | None] | None = None) -> str:
    from models.formats import bibtex, csl
    return csl.dumps(sources, uuids) if kind == "csl" else bibtex.dumps(sources)


def read_sources(path: str | os.PathLike) -> list[Source]:
    return [s for s, _ in read_sources_with_ids(path)]


def read_sources_with_ids(path: str | os.PathLike) -> list[tuple[Source, str | None]]:
    """The sources of a file, each with the identifier it carries (a CSL-JSON item's id, if
    that is a uuid; BibTeX keys are not)."""
    from models.catalogue.identity import parse_uuid
    from models.formats import bibtex, csl
    path = Path(path)
    kind = _kind(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise CatalogueError(f"{path.name} is not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise CatalogueError(f"could not read {path.name}: {e.strerror}") from None
    try:
        sources = (csl if kind == "csl" else bibtex).loads(text)
    except CatalogueError as e:
        raise CatalogueError(f"{path.name}: {e}") from None
    ids = [parse_uuid(i) if i else None for i in csl.ids(text)] if kind == "csl" else [None] * len(sources)
    return list(zip(sources, ids))


def export_sources(cat, out: str | os.PathLike, partnership_ids: list[int] | None = None) -> str:
    """Write the sources of these partnerships (their own, their memberships' and areas'
    citations), or every source, to `out`; returns a one-line summary."""
    out = Path(out)
    kind = _kind(out)
    sources = cat.sources.all() if partnership_ids is None else cat.sources.of_partnerships(partnership_ids)
    held = {i: u for u, i in cat.identity.uuids("sources").items()}
    try:
        out.write_text(dumps(sources, kind, [held.get(s.id) for s in sources]), encoding="utf-8")
    except OSError as e:
        raise CatalogueError(f"could not write {out.name}: {e.strerror}") from None
    return f"wrote {out.name}: {plural(len(sources), 'source')}"


@dataclass
class Imported:
    revert: Revert
    added: list[Source]
    known: int           # in the file, but already in the catalogue (or twice in the file)

    def summary(self, name: str) -> str:
        return (f"imported {plural(len(self.added), 'source')} from {name}"
                + (f"; {self.known} already in the catalogue" if self.known else ""))


def import_sources(cat, path: str | os.PathLike) -> Imported:
    """Read the whole file first (nothing is added if any entry is wrong), then add the new
    sources as one edit."""
    entries = read_sources_with_ids(path)
    held = cat.identity.uuids("sources")
    # A source carrying a uuid this catalogue holds is its own, come back: recognised, not added.
    new = [(s, u) for s, u in entries if u not in held]
    added: list[Source] = []
    with cat.store.edit() as revert:
        if any(u for _, u in new):   # one at a time, so each added source keeps its identifier
            for s, u in new:
                _, one = cat.sources.add_many([s])
                if one and u and cat.identity.find("sources", u) is None:
                    cat.identity.assign("sources", one[0].id, u)
                added += one
        else:
            added = cat.sources.add_many([s for s, _ in new])[1]
    return Imported(revert, added, len(entries) - len(added))
