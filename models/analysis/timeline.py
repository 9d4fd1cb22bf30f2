"""Overlaps through time: what was active "as of" a year or date, and the timeline.

A span with no start (or no end) is open on that side: it counts as active at
any time before (or after). Reports often give only a year; models.catalogue.dates keeps
partial dates, and a partial date is active if any day of it is.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from models.catalogue import dates
from models.catalogue.records import Membership, Partnership
from models.errors import CatalogueError


def as_of_text(when) -> str | None:
    """A year (int or text) or a partial date, normalised; None/'' means 'at any time'."""
    if when is None or when == "":
        return None
    try:
        return dates.parse(str(when))
    except ValueError as e:
        raise CatalogueError(f"as of: {e}") from None


def partnership_active(p: Partnership, when: str | None) -> bool:
    return not when or dates.active_in(p.start, p.end, when)


def membership_active(m: Membership, when: str | None) -> bool:
    return not when or dates.active_in(m.joined, m.left, when)


def decimal_year(text: str, end: bool = False) -> float:
    """A partial date as a position on a year axis: '2008' starts at 2008.0 and, as
    an end, reaches 2009.0; '2008-03-31' as an end is just before 2008.25."""
    day = dates.latest(text) if end else dates.earliest(text)
    y, m, d = (int(x) for x in day.split("-"))
    days = 366 if calendar.isleap(y) else 365
    ordinal = (dt.date(y, m, d) - dt.date(y, 1, 1)).days + (1 if end else 0)
    return y + ordinal / days


@dataclass(frozen=True)
class TimelineEvent:
    year: float
    date: str
    organisation: str
    change: str  # "joined" or "left"


@dataclass(frozen=True)
class TimelineRow:
    """One partnership's bar: start/end are None where the catalogue gives no date."""
    partnership_id: int
    name: str
    kind: str
    status: str
    start: float | None
    end: float | None
    start_text: str | None
    end_text: str | None
    active: bool
    events: tuple[TimelineEvent, ...]


def timeline(cat, as_of=None, only_active: bool = False, partnership_ids=None) -> list[TimelineRow]:
    """Partnerships in order of start (undated last), each with its membership changes."""
    when = as_of_text(as_of)
    names = {o.id: o.name for o in cat.organisations.all()}
    events: dict[int, list[TimelineEvent]] = {}
    for m in cat.partnerships.memberships():
        for text, change, end in ((m.joined, "joined", False), (m.left, "left", True)):
            if text:
                events.setdefault(m.partnership_id, []).append(
                    TimelineEvent(decimal_year(text, end), text, names.get(m.organisation_id, "?"), change))
    rows = []
    wanted = None if partnership_ids is None else set(partnership_ids)
    for p in cat.partnerships.all():
        if wanted is not None and p.id not in wanted:
            continue
        active = partnership_active(p, when)
        if only_active and not active:
            continue
        rows.append(TimelineRow(
            p.id, p.name, p.kind, p.status,
            decimal_year(p.start) if p.start else None,
            decimal_year(p.end, end=True) if p.end else None,
            p.start, p.end, active, tuple(sorted(events.get(p.id, ()), key=lambda e: e.year))))
    rows.sort(key=lambda r: (r.start is None, r.start or 0.0, r.name.casefold()))
    return rows


def year_span(cat, default: tuple[int, int] = (2000, 2025)) -> tuple[int, int]:
    """First and last year any partnership or membership date mentions."""
    years = [int(t[:4]) for p in cat.partnerships.all() for t in (p.start, p.end) if t]
    years += [int(t[:4]) for m in cat.partnerships.memberships() for t in (m.joined, m.left) if t]
    if not years:
        return default
    return min(years), max(max(years), min(years) + 1)
