"""Overlaps through time: what was active "as of" a year or date, and the timeline.

Whether a record counts at a date is decided in models.analysis.evidence (active,
attested, inactive or unknown); reports often give only a year, models.catalogue.dates
keeps partial dates, and a partial date is covered if any day of it is.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from models.analysis import evidence as ev
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


def partnership_active(p: Partnership, when: str | None, include_unknown: bool = False,
                       evidence: ev.Evidence | None = None) -> bool:
    """Active or attested at `when` (unknown too if asked); without `evidence` only the
    partnership's own dates and first/last seen count, not its citations."""
    if not when:
        return True
    s = evidence.partnership(p, when) if evidence is not None else ev.partnership_state(p, when)
    return ev.counts(s, include_unknown)


def membership_active(m: Membership, when: str | None, include_unknown: bool = True,
                      evidence: ev.Evidence | None = None) -> bool:
    """Active or attested at `when`; unknown counts unless `include_unknown` is False.
    With `evidence` the partnership's state and the citations count as well; without, only
    the membership's own dates (an undated membership is then unknown)."""
    if not when:
        return True
    s = evidence.membership(m, when) if evidence is not None else ev.membership_state(m, when)
    return ev.counts(s, include_unknown)


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
    """One partnership's bar: start/end are None where the catalogue gives no date; its
    evidence: the cited sources' years and the researcher's first/last seen."""
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
    state: str | None = None             # as of the chosen date; None when none is chosen
    cited_years: tuple[int, ...] = ()
    seen: tuple[float, float] | None = None   # first seen .. last seen on the year axis
    seen_text: tuple[str | None, str | None] = (None, None)


def timeline(cat, as_of=None, only_active: bool = False, partnership_ids=None,
             include_unknown: bool = False) -> list[TimelineRow]:
    """Partnerships in order of start (then of first evidence, undated last), each with its
    membership changes and evidence. only_active: only those active or attested `as_of`
    (and those of unknown state if include_unknown)."""
    when = as_of_text(as_of)
    evidence = ev.Evidence.load(cat)
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
        state = evidence.partnership(p, when) if when else None
        active = state is None or ev.counts(state, include_unknown)
        if only_active and not active:
            continue
        first, last = p.first_seen or p.last_seen, p.last_seen or p.first_seen
        rows.append(TimelineRow(
            p.id, p.name, p.kind, p.status,
            decimal_year(p.start) if p.start else None,
            decimal_year(p.end, end=True) if p.end else None,
            p.start, p.end, active, tuple(sorted(events.get(p.id, ()), key=lambda e: e.year)),
            state, tuple(sorted(evidence.years_of(p))),
            (decimal_year(first), decimal_year(last, end=True)) if first else None,
            (p.first_seen, p.last_seen)))
    rows.sort(key=lambda r: (r.start is None, r.start or _first_evidence(r), r.name.casefold()))
    return rows


def _first_evidence(r: TimelineRow) -> float:
    years = [float(y) for y in r.cited_years] + ([r.seen[0]] if r.seen else [])
    return min(years, default=float("inf"))


def year_span(cat, default: tuple[int, int] = (2000, 2025)) -> tuple[int, int]:
    """First and last year any partnership or membership date mentions."""
    years = [int(t[:4]) for p in cat.partnerships.all() for t in (p.start, p.end) if t]
    years += [int(t[:4]) for m in cat.partnerships.memberships() for t in (m.joined, m.left) if t]
    # The evidence too: an undated catalogue's axis runs over its sources' years.
    years += [int(t[:4]) for p in cat.partnerships.all() for t in (p.first_seen, p.last_seen) if t]
    by_p, _ = cat.sources.cited_years()
    years += [y for ys in by_p.values() for y in ys]
    if not years:
        return default
    return min(years), max(max(years), min(years) + 1)
