"""Re-basing areas from one vintage of boundary units onto another.

    plans = plan_rebase(cat, to="London wards 2022", rule="majority")   # reads only
    apply_rebase(cat, plans)                                             # one undo step

A new unit joins an area by the share of it that lies in the area (of its people
where the old units have a population, else of its m²), computed from a crosswalk of
shared area (models.geo.crosswalk). The rules:
    majority   share >= threshold (default 50 %)
    any        share above the sliver tolerance
    within     share >= 1 - tolerance
The tolerance (default 3 %) absorbs slivers: two vintages are generalised differently,
so a ward wholly inside an area on one vintage shows a few per cent outside on the
other. A unit whose code exists in both vintages was not redrawn: it carries over as
it is, whatever its generalised outline says. Shares near the rule's cut point are
listed for review.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from models.analysis.footprints import Footprints
from models.catalogue.layers import UnitTable
from models.catalogue.records import BoundaryLayer
from models.errors import CatalogueError
from models.geo.crosswalk import Crosswalk, crosswalk

RULES = ("majority", "any", "within")
THRESHOLD = 0.5
TOLERANCE = 0.03
REVIEW_MARGIN = 0.15     # shares this close to the cut point are listed for a decision
MIN_COVER = 0.9          # an area must lie at least this much within the new units


@dataclass
class RebasePlan:
    area_id: int
    area: str
    from_layer: str
    to_layer: str
    rule: str
    codes_before: list[str]
    codes_after: list[str]
    units_after: list[int]             # ids of the new units
    km2_before: float
    km2_after: float
    people_before: float | None
    people_after: float | None
    covered_share: float               # of the old area, the part the new one covers
    review: list[str]                  # codes of new units near the cut point
    carried: int                       # units kept by their unchanged code
    shares: dict[int, float] = field(default_factory=dict, repr=False)  # new row -> share
    provenance: dict = field(default_factory=dict, repr=False)

    def row(self) -> dict:
        """The CLI's JSON object."""
        return {"area": self.area, "from_layer": self.from_layer, "to_layer": self.to_layer,
                "rule": self.rule, "units_before": len(self.codes_before),
                "units_after": len(self.codes_after), "km2_before": round(self.km2_before, 3),
                "km2_after": round(self.km2_after, 3), "covered_share": round(self.covered_share, 4),
                "review": self.review}


class Rebaser:
    """A crosswalk between two unit tables, ready to re-base any number of areas."""

    def __init__(self, old: UnitTable, new: UnitTable, cw: Crosswalk | None = None):
        self.old, self.new = old, new
        self.cw = cw if cw is not None else crosswalk(old.geometries, new.geometries, old.population)
        cw = self.cw
        # Pairs sorted by old row, so an area's pairs are a few contiguous slices.
        order = np.argsort(cw.old, kind="stable")
        self._p_new = cw.new[order]
        self._p_w = cw.weights[order]
        self._p_shared = cw.shared[order]
        self._start = np.searchsorted(cw.old[order], np.arange(len(old) + 1))
        self._total = cw.new_totals()
        self._covered = cw.covered()
        old_rows = {c: k for k, c in enumerate(old.codes)}
        self._same = np.array([old_rows.get(c, -1) for c in new.codes], dtype=np.int64)
        self._same_rows = np.flatnonzero(self._same >= 0)
        self._same_old = self._same[self._same_rows]
        self._new_pop = new.population
        # The new units' people estimated from the old units' (spread by area), for a new
        # layer without populations of its own.
        self._estimated = (None if cw.people is None else
                           np.bincount(cw.new, weights=np.nan_to_num(cw.people), minlength=len(new)))

    def plan(self, rows: np.ndarray, rule: str = "majority", threshold: float = THRESHOLD,
             tolerance: float = TOLERANCE) -> dict:
        """The new rows of an area made of these old rows, with shares and figures."""
        if rule not in RULES:
            raise CatalogueError(f"unknown rule '{rule}' (use {', '.join(RULES)})")
        rows = np.asarray(rows, dtype=np.int64)
        # The pairs of these rows: their contiguous slices, gathered without a Python loop.
        starts, lengths = self._start[rows], self._start[rows + 1] - self._start[rows]
        offsets = np.cumsum(lengths) - lengths
        idx = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        new_rows, inverse = np.unique(self._p_new[idx], return_inverse=True)
        got = np.bincount(inverse, weights=self._p_w[idx], minlength=len(new_rows))
        total = self._total[new_rows]
        share = np.where(total > 0, got / np.where(total > 0, total, 1), 0.0)
        cut = {"majority": threshold, "any": tolerance, "within": 1 - tolerance}[rule]
        passes = share > cut if rule == "any" else share >= cut
        # Unchanged codes carry over by code: in the area exactly when their old unit was.
        same = self._same[new_rows]
        by_code = same >= 0
        in_old = np.zeros(len(self.old), dtype=bool)
        in_old[rows] = True
        passes = np.where(by_code, in_old[np.maximum(same, 0)], passes)
        carried = self._same_rows[in_old[self._same_old]]
        review = (~by_code) & (np.abs(share - cut) < REVIEW_MARGIN)
        in_new = np.zeros(len(self.new), dtype=bool)
        in_new[new_rows[passes]] = True
        in_new[carried] = True
        if not in_new.any() and len(new_rows):
            # Every new unit is mostly elsewhere (a small area on redrawn wards): the one
            # holding most of it is the best fit, and a decision for the researcher.
            best = int(np.argmax(got))
            in_new[new_rows[best]] = True
            review[best] = True
        after_rows = np.flatnonzero(in_new)
        both = in_new[self._p_new[idx]]
        km2_before = float(self.cw.old_area[rows].sum()) / 1e6
        return {"rows": after_rows, "new_rows": new_rows, "share": share,
                "review": new_rows[review], "carried": int(len(carried)),
                "km2_before": km2_before,
                "km2_after": float(self.cw.new_area[after_rows].sum()) / 1e6,
                "covered": float(self._p_shared[idx][both].sum()) / 1e6 / km2_before if km2_before else 0.0,
                "within_new": float(self._covered[rows].sum()) / 1e6 / km2_before if km2_before else 0.0,
                "people_before": _people(self.old.population[rows]),
                "people_after": self._people_after(after_rows)}

    def _people_after(self, after_rows: np.ndarray) -> float | None:
        known = _people(self._new_pop[after_rows])
        if known is not None or self._estimated is None:
            return known
        return float(self._estimated[after_rows].sum())


def _people(values: np.ndarray) -> float | None:
    return float(np.nansum(values)) if len(values) and np.isfinite(values).any() else None


def _layer(cat, name: str) -> BoundaryLayer:
    layer = cat.layers.find(name)
    if layer is None:
        names = ", ".join(f"'{l.name}'" for l in cat.layers.all()) or "none"
        raise CatalogueError(f"no boundary layer called '{name}' (layers: {names})")
    return layer


def _source_layer(cat, target: BoundaryLayer, areas) -> BoundaryLayer:
    counts: dict[int, int] = {}
    for a in areas:
        if a.layer_id is not None and a.layer_id != target.id:
            counts[a.layer_id] = counts.get(a.layer_id, 0) + 1
    layers = [cat.layers.get(i) for i in counts]
    same = [l for l in layers if l.level == target.level]
    if len(same) == 1:
        return same[0]
    if len(layers) == 1:     # of another level: said as such by the caller
        return layers[0]
    if not layers:
        raise CatalogueError(f"no area is on a layer other than '{target.name}': nothing to re-base")
    raise CatalogueError(f"areas are on several layers ({', '.join(repr(l.name) for l in layers)}): "
                         "name one with --from")


def plan_rebase(cat, to: str, from_: str | None = None, names: list[str] | None = None,
                rule: str = "majority", threshold: float = THRESHOLD, tolerance: float = TOLERANCE,
                rebaser: Rebaser | None = None) -> tuple[list[RebasePlan], Rebaser]:
    """One plan for each area on the source layer (or each named one); writes nothing.
    Bad input (another level, no overlap, an unknown area, an area the new units do
    not cover) raises CatalogueError with one line."""
    if rule not in RULES:
        raise CatalogueError(f"unknown rule '{rule}' (use {', '.join(RULES)})")
    if not 0 < threshold <= 1 or not 0 <= tolerance < 0.5:
        raise CatalogueError("the threshold must be in (0, 1] and the tolerance in [0, 0.5)")
    target = _layer(cat, to)
    areas = cat.areas.all(outlines=False)
    source = _layer(cat, from_) if from_ else _source_layer(cat, target, areas)
    if source.id == target.id:
        raise CatalogueError(f"the areas are already on '{target.name}'")
    if source.level != target.level:
        raise CatalogueError(f"cannot re-base from a {source.level} layer ('{source.name}') onto a "
                             f"{target.level} layer ('{target.name}')")
    on_source = [a for a in areas if a.layer_id == source.id]
    if names:
        by_name = {a.name: a for a in on_source}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise CatalogueError(f"no area called '{unknown[0]}' on '{source.name}'")
        on_source = [by_name[n] for n in dict.fromkeys(names)]
    # Areas derived from membership are re-derived on the new layer (their members'
    # territories there), not carried through the crosswalk.
    derived = [a for a in on_source if a.kind == "derived" and a.partnership_id is not None]
    on_source = [a for a in on_source if a not in derived]
    if rebaser is None or rebaser.old.layer_id != source.id or rebaser.new.layer_id != target.id:
        rebaser = Rebaser(cat.layers.table(source.id), cat.layers.table(target.id))
    if len(rebaser.cw) == 0:
        raise CatalogueError(f"'{target.name}' does not overlap '{source.name}' at all")
    row_of = rebaser.old.index_of()
    plans = []
    for a in on_source:
        rows = np.array(sorted(row_of[u] for u in a.unit_ids if u in row_of), dtype=np.int64)
        plans.append(_plan(rebaser, a, rows, source, target, rule, threshold, tolerance))
    if derived:
        feet = Footprints(cat, derived)
        plans += [_derived_plan(rebaser, feet, a, source, target) for a in derived]
        plans.sort(key=lambda p: p.area.lower())
    return plans, rebaser


def _derived_plan(rb: Rebaser, feet: Footprints, area, source, target) -> RebasePlan:
    """A derived area on the new layer: its members' wards there (every membership, as
    stored); the figures compare the two footprints."""
    old_rows = np.array(sorted(rb.old.index_of()[u] for u in area.unit_ids if u in rb.old.index_of()),
                        dtype=np.int64)
    new_ids = feet.units(area, None, layer_id=target.id)
    new_rows = np.array(sorted(rb.new.index_of()[u] for u in new_ids), dtype=np.int64)
    before = shapely.union_all(rb.old.geometries[old_rows]) if len(old_rows) else None
    after = shapely.union_all(rb.new.geometries[new_rows]) if len(new_rows) else None
    covered = (shapely.intersection(before, after).area / before.area
               if before is not None and after is not None and before.area else 0.0)
    if before is not None and covered < MIN_COVER:
        raise CatalogueError(f"the units of '{target.name}' cover only {covered:.0%} of "
                             f"'{area.name}': cannot re-base it onto them")

    def people(table, rows):
        values = table.population[rows]
        return None if len(rows) == 0 or np.isnan(values).all() else float(np.nansum(values))

    codes_before = [rb.old.codes[r] for r in old_rows]
    plan = RebasePlan(
        area_id=area.id, area=area.name, from_layer=source.name, to_layer=target.name, rule="derived",
        codes_before=codes_before, codes_after=[rb.new.codes[r] for r in new_rows],
        units_after=sorted(int(u) for u in new_ids),
        km2_before=before.area / 1e6 if before is not None else 0.0,
        km2_after=after.area / 1e6 if after is not None else 0.0,
        people_before=people(rb.old, old_rows), people_after=people(rb.new, new_rows),
        covered_share=covered, review=[],
        carried=len(set(codes_before) & {rb.new.codes[r] for r in new_rows}))
    plan.provenance = {"area": area.name, "area_id": area.id, "layer": source.name,
                       "vintage": source.vintage, "rule": "derived",
                       "covered_share": round(covered, 4), "codes_before": codes_before}
    return plan


def _plan(rb: Rebaser, area, rows, source, target, rule, threshold, tolerance) -> RebasePlan:
    p = rb.plan(rows, rule, threshold, tolerance) if len(rows) else None
    if p is not None and p["within_new"] < MIN_COVER:
        raise CatalogueError(f"the units of '{target.name}' cover only {p['within_new']:.0%} of "
                             f"'{area.name}': cannot re-base it onto them")
    codes_before = [rb.old.codes[r] for r in rows]
    after = p["rows"] if p else np.array([], dtype=np.int64)
    codes_after = [rb.new.codes[r] for r in after]
    plan = RebasePlan(
        area_id=area.id, area=area.name, from_layer=source.name, to_layer=target.name, rule=rule,
        codes_before=codes_before, codes_after=codes_after,
        units_after=[int(rb.new.ids[r]) for r in after],
        km2_before=p["km2_before"] if p else 0.0, km2_after=p["km2_after"] if p else 0.0,
        people_before=p["people_before"] if p else None, people_after=p["people_after"] if p else None,
        covered_share=p["covered"] if p else 0.0,
        review=[rb.new.codes[r] for r in p["review"]] if p else [],
        carried=p["carried"] if p else 0,
        shares=dict(zip(p["new_rows"].tolist(), p["share"].tolist())) if p else {})
    plan.provenance = {"area": area.name, "area_id": area.id, "layer": source.name,
                       "vintage": source.vintage, "rule": rule,
                       "threshold": threshold if rule == "majority" else None,
                       "tolerance": tolerance, "covered_share": round(plan.covered_share, 4),
                       "codes_before": codes_before}
    return plan


def apply_rebase(cat, plans: list[RebasePlan]):
    """Write the plans: each area moves onto the new layer with its new units and its
    provenance, all in one transaction (one undo step). Returns its Revert."""
    if not plans:
        raise CatalogueError("no area to re-base")
    target = cat.layers.find(plans[0].to_layer)
    return cat.areas.rebase([(p.area_id, target.id, p.units_after, p.provenance) for p in plans])
