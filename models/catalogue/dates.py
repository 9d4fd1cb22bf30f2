"""Partial dates: a year, a year-month or a full date, kept as ISO text.

Reports often say only "since 2006" or "from April 2008"; the catalogue keeps
exactly what is known instead of inventing a day.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

# ASCII digits only: \d would also take "２００８" and store a date no comparison can order.
_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)


def parse(text: str | None) -> str | None:
    """Normalise a partial date; None/'' gives None; anything else invalid raises ValueError."""
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    if day is not None:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"'{text}' is not a day of the calendar") from None
    return text


def earliest(text: str) -> str:
    """The first day a partial date can mean: '2008' -> '2008-01-01'."""
    parts = text.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def latest(text: str) -> str:
    """The last day a partial date can mean: '2008-02' -> '2008-02-29'."""
    parts = text.split("-")
    if len(parts) == 1:
        return f"{text}-12-31"
    if len(parts) == 2:
        y, m = int(parts[0]), int(parts[1])
        return f"{text}-{calendar.monthrange(y, m)[1]:02d}"
    return text


def active_in(start: str | None, end: str | None, when: str) -> bool:
    """Whether a span [start, end] (open ends allowed) touches the partial date `when`."""
    if start and earliest(start) > latest(when):
        return False
    if end and latest(end) < earliest(when):
        return False
    return True


def before(a: str | None, b: str | None) -> bool:
    """True only when a certainly ends before b begins (for 'left before joined' checks)."""
    return bool(a and b and latest(a) < earliest(b))
