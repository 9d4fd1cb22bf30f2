"""Sources as CSL-JSON (what Zotero, pandoc and citeproc read): a list of items.

Written: id, type, title, author, publisher, issued, URL, DOI, accessed (and genre "minutes"
for council minutes, which CSL has no type of its own for). Read: the same, plus the other
spellings reference managers use for the publisher (container-title, authority).
"""
from __future__ import annotations

import json
import re

from models.catalogue.records import Source
from models.errors import CatalogueError
from models.formats.references import citation_keys, entry_error, source_from

# Our types -> CSL's; minutes are a report with genre "minutes".
TO_CSL = {"report": "report", "minutes": "report", "web page": "webpage", "article": "article-journal",
          "book": "book", "chapter": "chapter", "dataset": "dataset", "other": "document"}
FROM_CSL = {"report": "report", "webpage": "web page", "post-weblog": "web page", "post": "web page",
            "article-journal": "article", "article": "article", "article-magazine": "article",
            "article-newspaper": "article", "book": "book", "chapter": "chapter", "dataset": "dataset",
            "document": "other", "legislation": "other", "manuscript": "other"}


def _name(author: str) -> dict:
    # "Family, Given" is a person; anything else (an authority, a partnership) is written as is.
    if "," in author:
        family, given = (part.strip() for part in author.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": author}


def _date(text: str) -> dict:
    return {"date-parts": [[int(part) for part in text.split("-")]]}


def item(s: Source, key: str, uuid: str | None = None) -> dict:
    """uuid: the source's identifier, written as the item's id so an import into another copy
    of the catalogue recognises it; the readable key then goes in citation-key (CSL 1.0.2)."""
    out = {"id": uuid or key, "type": TO_CSL[s.type], "title": s.title}
    if uuid:
        out["citation-key"] = key
    if s.type == "minutes":
        out["genre"] = "minutes"
    if s.authors:
        out["author"] = [_name(a) for a in s.authors]
    if s.publisher:
        out["publisher"] = s.publisher
    if s.year:
        out["issued"] = _date(str(s.year))
    if s.url:
        out["URL"] = s.url
    if s.doi:
        out["DOI"] = s.doi
    if s.accessed:
        out["accessed"] = _date(s.accessed)
    return out


def dumps(sources: list[Source], uuids: list[str | None] | None = None) -> str:
    keys = citation_keys(sources)
    uuids = uuids or [None] * len(sources)
    return json.dumps([item(s, k, u) for s, k, u in zip(sources, keys, uuids)],
                      indent=2, ensure_ascii=False) + "\n"


def ids(text: str) -> list[str | None]:
    """Each item's id, in the order loads() reads the items (call after loads() accepted the text)."""
    data = json.loads(text)
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    return [str(e["id"]) if e.get("id") not in (None, "") else None for e in data]


def _read_date(value, where: str, field: str) -> str | None:
    """A CSL date ({"date-parts": [[y, m, d]]} or {"raw": "…"}) as a partial ISO date."""
    if value in (None, "", {}):
        return None
    if isinstance(value, dict) and "date-parts" in value:
        parts = value["date-parts"]
        if (not isinstance(parts, list) or not parts or not isinstance(parts[0], list) or not parts[0]
                or len(parts[0]) > 3):
            raise entry_error(where, field, "date-parts is not [[year, month, day]]")
        try:
            numbers = [int(p) for p in parts[0]]
        except (TypeError, ValueError):
            raise entry_error(where, field, f"{parts[0]!r} is not a date") from None
        return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    if isinstance(value, dict) and isinstance(value.get("raw") or value.get("literal"), str):
        text = (value.get("raw") or value.get("literal")).strip()
        m = re.fullmatch(r"(\d{4})(-\d{1,2}(-\d{1,2})?)?", text)
        if not m:
            raise entry_error(where, field, f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return text
    raise entry_error(where, field, f"{json.dumps(value)[:40]} is not a CSL date")


def _read_authors(value, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise entry_error(where, "author", "is not a list of names")
    out = []
    for name in value:
        if not isinstance(name, dict):
            raise entry_error(where, "author", f"{json.dumps(name)[:40]} is not a name object")
        if name.get("literal"):
            out.append(str(name["literal"]))
        elif name.get("family"):
            family = " ".join(str(x) for x in (name.get("non-dropping-particle"), name["family"]) if x)
            out.append(f"{family}, {name['given']}" if name.get("given") else f"{family},")
        else:
            raise entry_error(where, "author", f"{json.dumps(name)[:40]} has neither family nor literal")
    return out


def loads(text: str) -> list[Source]:
    """The sources of a CSL-JSON text; anything malformed raises one line naming the entry and field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CatalogueError(f"not CSL-JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if isinstance(data, dict) and "items" in data:   # CSL-JSON as some exporters wrap it
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise CatalogueError("not CSL-JSON: expected a list of items")
    out = []
    for n, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            raise CatalogueError(f"entry {n}: is not an object")
        where = f"entry {n} ({entry['id']})" if entry.get("id") not in (None, "") else f"entry {n}"
        for field in ("title", "publisher", "container-title", "authority", "URL", "DOI", "genre", "type"):
            if field in entry and not isinstance(entry[field], (str, int)):
                raise entry_error(where, field, "is not text")
        csl_type = str(entry.get("type") or "document")
        if csl_type not in FROM_CSL:
            raise entry_error(where, "type", f"'{csl_type}' is not a CSL type this catalogue knows "
                                             f"({', '.join(sorted(FROM_CSL))})")
        kind = FROM_CSL[csl_type]
        if kind == "report" and str(entry.get("genre", "")).strip().lower() == "minutes":
            kind = "minutes"
        issued = _read_date(entry.get("issued"), where, "issued")
        out.append(source_from(where, {
            "title": str(entry.get("title", "")),
            "authors": _read_authors(entry.get("author"), where),
            "publisher": str(entry.get("publisher") or entry.get("authority") or
                             (entry.get("container-title") if kind == "article" else "") or ""),
            "year": issued[:4] if issued else None,
            "url": str(entry.get("URL", "")),
            "doi": str(entry.get("DOI", "")),
            "accessed": _read_date(entry.get("accessed"), where, "accessed"),
            "type": kind,
        }))
    return out
