"""Membership against footprint: does each partnership's area agree with its members?

    found = consistency(cat, as_of="2015")     # [Problem(partnership, area, problem, organisation, detail)]

For every area linked to a partnership (active as of the date, if one is given),
with the memberships active then and the area's wards then (a derived area's
are its members', see models.analysis.footprints):
- "member outside area": a member with a territory on the area's layer (wards
  whose parent code is its GSS code) none of whose wards are in the area;
- "borough without member": a borough with wards in the area that is no member
  (only for partnerships with at least one member that has a territory there:
  a partnership of health bodies has no boroughs to compare with);
- "vintage not in force": the area's layer was not in force during the
  partnership's dates (see vintage_problems: it finds nothing until boundary
  layers record the dates they were in force).
A drawn polygon is not compared (only whole wards are).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from models.analysis.evidence import Evidence
from models.analysis.footprints import Footprints
from models.analysis.timeline import as_of_text, partnership_active
from models.catalogue import dates
from models.catalogue.records import Area, Partnership

PROBLEMS = ("member outside area", "borough without member", "vintage not in force")


@dataclass(frozen=True)
class Problem:
    partnership: str
    area: str
    problem: str
    organisation: str | None
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        who = f" — {self.organisation}" if self.organisation else ""
        return f"{self.partnership} / {self.area}: {self.problem}{who} ({self.detail})"


def consistency(cat, as_of=None, area_ids=None, areas: list[Area] | None = None) -> list[Problem]:
    """Every disagreement between members and footprint as of `as_of` (None: at any time),
    for all linked areas, those of `area_ids`, or the `areas` given (as stored: a derived
    one's wards as of the date are worked out here); sorted by partnership, area, problem."""
    when = as_of_text(as_of)
    areas = cat.areas.all(outlines=False) if areas is None else areas
    areas = [a for a in areas if a.partnership_id is not None and (area_ids is None or a.id in area_ids)]
    partnerships = {p.id: p for p in cat.partnerships.all()}
    orgs = {o.id: o for o in cat.organisations.all()}
    feet = Footprints(cat, areas)
    evidence = Evidence.load(cat) if when else None
    borough_names = _borough_names(cat, orgs)
    parent = _parents(cat, {a.layer_id for a in areas if a.layer_id is not None})
    found: list[Problem] = []
    for area in areas:
        p = partnerships.get(area.partnership_id)
        # Only what was over by then is left out: a partnership with no evidence either way
        # (unknown) may still have members whose territory the area should hold.
        if p is None or not partnership_active(p, when, include_unknown=True, evidence=evidence):
            continue
        found += vintage_problems(cat, p, area)
        if area.layer_id is None:
            continue
        units = feet.units(area, when)
        members = feet.members(p.id, when)
        territorial = [(m, feet.territory_of(m.organisation_id, area.layer_id)) for m in members]
        territorial = [(m, t) for m, t in territorial if t]
        if not territorial:
            continue
        for m, wards in territorial:
            if not wards & units:
                found.append(Problem(p.name, area.name, "member outside area", orgs[m.organisation_id].name,
                                     f"none of its {len(wards)} wards is in the area"))
        member_codes = {feet.codes[m.organisation_id] for m, _ in territorial}
        covered: dict[str, int] = {}
        for u in units:
            code = parent.get(u)
            if code:
                covered[code] = covered.get(code, 0) + 1
        for code in sorted(set(covered) - member_codes):
            total = len(feet.territory.get(area.layer_id, {}).get(code, ()))
            found.append(Problem(p.name, area.name, "borough without member", borough_names.get(code, code),
                                 f"the area holds {covered[code]} of its {total} wards; {code} is no member"))
    found.sort(key=lambda f: (f.partnership.casefold(), f.area.casefold(), PROBLEMS.index(f.problem),
                              f.organisation or ""))
    return found


def _borough_names(cat, orgs) -> dict[str, str]:
    return {o.gss_code.upper(): o.name for o in orgs.values() if o.gss_code}


def _parents(cat, layer_ids) -> dict[int, str]:
    out: dict[int, str] = {}
    for layer_id in layer_ids:
        for fid, code in cat.store.conn.execute(
                "SELECT fid, upper(parent_code) FROM boundary_units WHERE layer_id=?", (layer_id,)):
            out[fid] = code
    return out


# -- vintages ---------------------------------------------------------------
# The columns a boundary layer's dates in force are read from. Boundary layers do not
# record them yet: until they do, layer_dates finds none and this problem is never reported.
IN_FORCE_COLUMNS = ("in_force_from", "in_force_to")


def layer_dates(cat) -> dict[int, tuple[str | None, str | None]]:
    """Each layer's dates in force (from, to), where the catalogue records them."""
    conn = cat.store.conn
    columns = {r[1] for r in conn.execute("PRAGMA table_info(boundary_layers)")}
    if not set(IN_FORCE_COLUMNS) <= columns:
        return {}
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        f"SELECT id, {', '.join(IN_FORCE_COLUMNS)} FROM boundary_layers")
            if r[1] or r[2]}


def vintage_problems(cat, p: Partnership, area: Area, in_force=None) -> list[Problem]:
    """The area's layer was not in force at any time of the partnership's dates.
    `in_force`: {layer id: (from, to)}, default layer_dates(cat)."""
    in_force = layer_dates(cat) if in_force is None else in_force
    span = in_force.get(area.layer_id)
    if span is None or not (p.start or p.end):
        return []
    start, end = span
    # Two spans meet unless one ends before the other starts (open ends meet everything).
    apart = (p.end and start and dates.before(p.end, start)) or (end and p.start and dates.before(end, p.start))
    if not apart:
        return []
    return [Problem(p.name, area.name, "vintage not in force", None,
                    f"its wards were in force {start or '…'} to {end or '…'}; "
                    f"the partnership ran {p.start or '…'} to {p.end or '…'}")]
