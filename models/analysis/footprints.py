"""Areas as of a date: a derived area's wards are its members' as of then.

    feet = Footprints(cat)                 # reads memberships and territories once
    feet.units(area, "2015")               # the wards a derived area covers in 2015
    areas = feet.as_of(cat.areas.all(), "2015")   # the same areas, derived ones re-derived

A derived area stores its member boroughs' wards at any time (every membership
counts); as of a date only the memberships active then count
(models.analysis.timeline.membership_active decides what "active" means). Drawn
areas are the same at every date. One Footprints serves many dates: moving the
year slider asks it again without reading the catalogue.
"""
from __future__ import annotations

from dataclasses import replace

from models.analysis.timeline import as_of_text, membership_active
from models.catalogue.records import Area, Membership


class Footprints:
    def __init__(self, cat, areas: list[Area] | None = None):
        areas = cat.areas.all(outlines=False) if areas is None else areas
        # Every linked area's partnership and layer: the consistency check compares drawn ones too.
        derived = [a for a in areas if a.partnership_id is not None and a.layer_id is not None]
        wanted = {a.partnership_id for a in derived}
        self.memberships: dict[int, list[Membership]] = {}
        for m in cat.partnerships.memberships():
            if m.partnership_id in wanted:
                self.memberships.setdefault(m.partnership_id, []).append(m)
        self.codes = {o.id: o.gss_code.upper() for o in cat.organisations.all() if o.gss_code}
        # Per layer, read when first asked: the units of each parent (borough) code, the
        # territory of a body (a derived area can be derived on another vintage's layer).
        self._conn = cat.store.conn
        self.territory: dict[int, dict[str, frozenset[int]]] = {}
        self._cache: dict[tuple[int, int, str | None], frozenset[int]] = {}

    def _territories(self, layer_id: int) -> dict[str, frozenset[int]]:
        got = self.territory.get(layer_id)
        if got is None:
            by_code: dict[str, set[int]] = {}
            for fid, parent in self._conn.execute(
                    "SELECT fid, upper(parent_code) FROM boundary_units WHERE layer_id=? AND parent_code IS NOT NULL",
                    (layer_id,)):
                by_code.setdefault(parent, set()).add(fid)
            got = self.territory[layer_id] = {k: frozenset(v) for k, v in by_code.items()}
        return got

    def members(self, partnership_id: int, when: str | None) -> list[Membership]:
        return [m for m in self.memberships.get(partnership_id, ()) if membership_active(m, when)]

    def territory_of(self, organisation_id: int, layer_id: int) -> frozenset[int]:
        """The units of a layer whose parent code is the body's GSS code (none if it has none)."""
        code = self.codes.get(organisation_id)
        return self._territories(layer_id).get(code, frozenset()) if code else frozenset()

    def units(self, area: Area, when: str | None, layer_id: int | None = None) -> frozenset[int]:
        """The area's units as of `when` (a normalised date, see as_of_text; None: every
        membership), on its own layer or, for a derived area, on `layer_id`."""
        if area.kind != "derived" or area.partnership_id is None or area.layer_id is None:
            return area.unit_ids
        layer_id = area.layer_id if layer_id is None else layer_id
        key = (area.partnership_id, layer_id, when)
        got = self._cache.get(key)
        if got is None:
            got = frozenset().union(*(self.territory_of(m.organisation_id, layer_id)
                                      for m in self.members(area.partnership_id, when)))
            self._cache[key] = got
        return got

    def as_of(self, areas: list[Area], as_of) -> list[Area]:
        """The areas with each derived one's units as of `as_of` (a year or date; None: any
        time, what is stored). Its stored outline no longer fits it, so it is dropped."""
        when = as_of_text(as_of)
        if when is None:
            return list(areas)
        out = []
        for a in areas:
            units = self.units(a, when)
            out.append(a if units == a.unit_ids else replace(a, unit_ids=units, outline=None))
        return out


    def onto(self, areas: list[Area], layer_id: int, when: str | None, same_level: set[int]) -> list[Area]:
        """The areas with each derived one on `same_level` layers (another vintage of its
        wards) re-derived on `layer_id` as of `when`: it needs no re-basing to be shown there."""
        return [replace(a, layer_id=layer_id, unit_ids=self.units(a, when, layer_id), outline=None)
                if a.kind == "derived" and a.layer_id != layer_id and a.layer_id in same_level else a
                for a in areas]


def as_of(cat, areas: list[Area], when) -> list[Area]:
    """Footprints(cat, areas).as_of(areas, when), for a single date."""
    if as_of_text(when) is None or not any(a.kind == "derived" for a in areas):
        return list(areas)
    return Footprints(cat, areas).as_of(areas, when)
