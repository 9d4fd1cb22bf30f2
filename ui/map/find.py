"""Finding one's way: a ward, borough or area by name, or a GSS code.

    places = gazetteer(layer, areas)      # what the find box completes and finds
    found = find(places, "Holland")       # a Place, or raises NotFound with a one-line reason

Everything here reads what the map already holds in memory (the layer's units
and borough names, the areas listed); nothing asks the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("area", "borough", "ward")   # the order a name shared by several kinds is resolved in


class NotFound(ValueError):
    """The text names nothing on the map, or too many things; the message says which."""


@dataclass(frozen=True)
class Place:
    kind: str                 # "ward", "borough" or "area"
    name: str
    code: str = ""            # GSS code of a ward or borough
    label: str = ""           # what the completion list shows
    rows: tuple[int, ...] = field(default=(), compare=False)   # layer rows (wards, boroughs)
    area_id: int | None = None


def gazetteer(layer, areas) -> list[Place]:
    """The wards and boroughs of the layer shown, then the areas listed."""
    return unit_places(layer) + area_places(areas)


def unit_places(layer) -> list[Place]:
    """The layer's wards, then its boroughs (by parent code)."""
    out: list[Place] = []
    if not layer.loaded:
        return out
    t = layer.table
    members: dict[str, list[int]] = {}
    for i, (name, code) in enumerate(zip(t.names, t.codes)):
        borough = layer.borough_name(i)
        where = f", {borough}" if borough else ""
        out.append(Place("ward", name, code, f"{name} ({code}) — ward{where}", (i,)))
        if t.parent_codes[i]:
            members.setdefault(t.parent_codes[i], []).append(i)
    for code, rows in sorted(members.items()):
        name = layer.borough_names.get(code, code)
        out.append(Place("borough", name, code, f"{name} ({code}) — borough", tuple(rows)))
    return out


def area_places(areas) -> list[Place]:
    return [Place("area", a.name, "", f"{a.name} — area", area_id=a.id) for a in areas]


def find(places: list[Place], text: str) -> Place:
    """The place `text` names: a completion label, a GSS code, a name, or a unique part of one."""
    want = " ".join(text.split()).casefold()
    if not want:
        raise NotFound("Type a ward, borough or area name, or a GSS code")
    for test in (lambda p: p.label.casefold() == want, lambda p: p.code.casefold() == want,
                 lambda p: p.name.casefold() == want, lambda p: want in p.name.casefold()):
        hits = [p for p in places if test(p)]
        if not hits:
            continue
        best = min(KINDS.index(p.kind) for p in hits)
        hits = [p for p in hits if KINDS.index(p.kind) == best]
        if len(hits) == 1:
            return hits[0]
        kind = hits[0].kind
        raise NotFound(f"{len(hits)} {kind}s match “{text.strip()}”: pick one from the list")
    raise NotFound(f"No ward, borough or area on the map matches “{text.strip()}”")
