"""Dates from evidence: for a date, is a partnership (or a membership) active, attested,
inactive or unknown?

- active: its dated span (start/end, joined/left) covers the date.
- attested: no span covers it, but there is evidence from then: a cited source of that
  year, or a date between the researcher's "first seen" and "last seen".
- inactive: a dated span that excludes the date. Evidence alone never makes a record
  inactive: a report of 2008 says nothing about 1990.
- unknown: no evidence either way.

Partial evidence:
- A span with only a start reaches forward as far as the latest evidence (the last
  seen date, the newest cited source); beyond it the state is unknown, except for a
  partnership whose status is "active", which the catalogue says is still running.
  A span with only an end reaches back as far as the earliest evidence.
- A span beats a citation: a source of 2015 cited on a partnership that ended in 2012
  does not make it attested in 2015 (the report may describe its legacy).
- A membership's evidence is the sources cited on it, or when none are, those cited
  on its partnership; its first/last seen count too. A membership is never more than
  its partnership: when the partnership is inactive so is the membership. Where the
  membership's own dates leave a side open (no joined, no left, or neither), that side
  follows the partnership's span: a member with no dates is active while the partnership
  is, one who left in 2007 was a member since the partnership began.
- With no date asked for ("at any time"), every record counts.

Every place that asks "as of" (list, map, Overlaps, CLI) goes through this module.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.catalogue import dates
from models.catalogue.records import Membership, Partnership

ACTIVE, ATTESTED, INACTIVE, UNKNOWN = "active", "attested", "inactive", "unknown"
STATES = (ACTIVE, ATTESTED, INACTIVE, UNKNOWN)


def counts(state: str, include_unknown: bool = False) -> bool:
    """Whether a record in this state is shown "as of" the date: active and attested
    always, unknown only when asked for, inactive never."""
    return state in (ACTIVE, ATTESTED) or (include_unknown and state == UNKNOWN)


def seen_spans(first_seen: str | None, last_seen: str | None,
               years: Iterable[int] = ()) -> list[tuple[str, str]]:
    """The evidence as closed partial-date spans: first..last seen (one of them alone is
    a single date), and each cited source's year."""
    spans = []
    if first_seen or last_seen:
        spans.append((first_seen or last_seen, last_seen or first_seen))
    spans += [(f"{int(y):04d}", f"{int(y):04d}") for y in sorted(set(years))]
    return spans


def state(start: str | None, end: str | None, when: str, first_seen: str | None = None,
          last_seen: str | None = None, years: Iterable[int] = (), running: bool = False) -> str:
    """The state of one record at the partial date `when` (see the module's rules).
    `running`: an open end is active (a partnership whose status says it still runs)."""
    seen = seen_spans(first_seen, last_seen, years)
    if start or end:
        if start and dates.earliest(start) > dates.latest(when):
            return INACTIVE
        if end and dates.latest(end) < dates.earliest(when):
            return INACTIVE
        if start and end:
            return ACTIVE
        if start:   # open end: as far as the latest evidence, or on if it is still running
            if running or any(dates.latest(b) >= dates.earliest(when) for _, b in seen):
                return ACTIVE
            return UNKNOWN
        # open start: back as far as the earliest evidence
        if any(dates.earliest(a) <= dates.latest(when) for a, _ in seen):
            return ACTIVE
        return UNKNOWN
    if any(dates.active_in(a, b, when) for a, b in seen):
        return ATTESTED
    return UNKNOWN


def partnership_state(p: Partnership, when: str, years: Iterable[int] = ()) -> str:
    return state(p.start, p.end, when, p.first_seen, p.last_seen, years, running=p.status == "active")


def membership_state(m: Membership, when: str, partnership: str | None = None,
                     years: Iterable[int] = ()) -> str:
    """`partnership`: the partnership's state at `when` (None: not known to the caller,
    the membership is judged on its own dates; an undated one is then unknown).
    `years`: the membership's cited years, or its partnership's when it has none."""
    own = state(m.joined, m.left, when, m.first_seen, m.last_seen, years,
                running=partnership in (None, ACTIVE))
    if partnership == INACTIVE or own == INACTIVE:
        return INACTIVE
    if own == UNKNOWN and partnership == ACTIVE:
        return ACTIVE   # its open sides follow the partnership's span
    return own


@dataclass
class Evidence:
    """The cited years of every partnership and membership, read once, to answer many dates."""
    partnership_years: dict[int, frozenset[int]] = field(default_factory=dict)
    membership_years: dict[int, frozenset[int]] = field(default_factory=dict)
    partnerships: dict[int, Partnership] = field(default_factory=dict)

    @classmethod
    def load(cls, cat) -> Evidence:
        by_p, by_m = cat.sources.cited_years()
        return cls({k: frozenset(v) for k, v in by_p.items()}, {k: frozenset(v) for k, v in by_m.items()},
                   {p.id: p for p in cat.partnerships.all()})

    def years_of(self, p: Partnership) -> frozenset[int]:
        return self.partnership_years.get(p.id, frozenset())

    def partnership(self, p: Partnership, when: str) -> str:
        return partnership_state(p, when, self.years_of(p))

    def membership(self, m: Membership, when: str) -> str:
        p = self.partnerships.get(m.partnership_id)
        p_state = self.partnership(p, when) if p is not None else None
        years = self.membership_years.get(m.id) or self.partnership_years.get(m.partnership_id, frozenset())
        return membership_state(m, when, p_state, years)
