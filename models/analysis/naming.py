"""Finding the one thing a researcher's name means: a partnership, area, organisation, place,
kind or policy area, named in full (an exact name always wins), by GSS code, or by a part of
its name only one holds; else one line naming the closest. The CLI's questions and the
report both resolve names here, so a name means the same thing to each.
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from models.errors import CatalogueError

CLOSEST = 3   # how many near names an error offers


@dataclass(frozen=True)
class Named:
    """One thing a name may mean: its name, its GSS code if any, and the thing itself."""
    name: str
    code: str | None
    value: object

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


def resolve(what: str, text: str, candidates: Sequence[Named], tiers: Sequence[Sequence[Named]] = ()):
    """The one candidate `text` names: an exact name (case-sensitive first, then not), then
    a GSS code, then a unique case-insensitive part of a name. `tiers` are groups tried in
    order for an exact name (a borough before the wards that share its name); candidates
    with the same code count as one (a ward in two vintages)."""
    key = text.strip()
    if not key:
        raise CatalogueError(f"name a {what}")
    folded = key.casefold()
    for group in (*tiers, candidates):
        for same in (lambda c: c.name == key, lambda c: c.name.casefold() == folded):
            found = _distinct([c for c in group if same(c)])
            if len(found) == 1:
                return found[0].value
            if found:
                raise _ambiguous(what, key, found)
    found = _distinct([c for c in candidates if c.code and c.code.casefold() == folded])
    if found:
        return found[0].value
    found = _distinct([c for c in candidates if folded in c.name.casefold()])
    if tiers:   # a name an earlier tier has is that one (a ward of the first vintage, not a later one)
        named = set()
        for group in tiers:
            hits = [c for c in group if c in found]
            found = [c for c in found if c not in hits or c.name.casefold() not in named]
            named |= {c.name.casefold() for c in hits}
    if len(found) == 1:
        return found[0].value
    if found:
        raise _ambiguous(what, key, found)
    names = {c.name.casefold(): c.name for c in candidates}
    near = difflib.get_close_matches(folded, list(names), n=CLOSEST, cutoff=0.5)
    if not near:   # nothing alike: the names that share most of the typed letters
        near = sorted(names, key=lambda n: -difflib.SequenceMatcher(None, folded, n).ratio())[:CLOSEST]
    hint = f"; closest: {', '.join(names[n] for n in near)}" if near else f"; the catalogue has no {what}"
    raise CatalogueError(f"no {what} '{key}'{hint}")


def _distinct(found: list[Named]) -> list[Named]:
    seen, out = set(), []
    for c in found:
        k = c.code or id(c.value)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _ambiguous(what: str, key: str, found: list[Named]) -> CatalogueError:
    shown = ", ".join(c.label for c in found[:CLOSEST]) + (f" and {len(found) - CLOSEST} more"
                                                           if len(found) > CLOSEST else "")
    return CatalogueError(f"'{key}' could be {len(found)} {what}s: {shown}; give more of the name"
                          + (" or its code" if any(c.code for c in found) else ""))
