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
from scipy import sparse

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
        # The pairs as an old units x new units matrix: weight + 1j * m² (m² > 0 for every
        # pair, so none drops out of a product, even one of weight 0: no people).
        self._pairs = sparse.csr_matrix((cw.weights + 1j * cw.shared, (cw.old, cw.new)),
                                        shape=(len(old), len(new)))
        self._total = cw.new_totals()
        self._covered = cw.covered()
        old_rows = {c: k for k, c in enumerate(old.codes)}
        self._same = np.array([old_rows.get(c, -1) for c in new.codes], dtype=np.int64)
        # New units with an old unit of the same code, in the order of that unit's row.
        same_new = np.flatnonzero(self._same >= 0)
        order = np.argsort(self._same[same_new], kind="stable")
        self._same_new, self._same_old = same_new[order], self._same[same_new][order]
        self._new_pop = new.population
        # The new units' people estimated from the old units' (spread by area), for a new
        # layer without populations of its own.
        self._estimated = (None if cw.people is None else
                           np.bincount(cw.new, weights=np.nan_to_num(cw.people), minlength=len(new)))

    def plan(self, rows: np.ndarray, rule: str = "majority", threshold: float = THRESHOLD,
             tolerance: float = TOLERANCE) -> dict:
        """The new rows of an area made of these old rows, with shares and figures."""
        return self.plans([rows], rule, threshold, tolerance)[0]

    def plans(self, areas: list[np.ndarray], rule: str = "majority", threshold: float = THRESHOLD,
              tolerance: float = TOLERANCE) -> list[dict]:
        """plan() for each area (a list of old rows each), in a few array operations: the
        areas' weights on the new units are one sparse product, (areas x old units) @
        (old units x new units), so the cost is in the pairs, not in Python per area."""
        if rule not in RULES:
            raise CatalogueError(f"unknown rule '{rule}' (use {', '.join(RULES)})")
        n, n_old, n_new = len(areas), len(self.old), len(self.new)
        rows = [np.asarray(r, dtype=np.int64) for r in areas]
        sizes = np.array([len(r) for r in rows], dtype=np.int64)
        old_rows = np.concatenate(rows) if n else np.zeros(0, dtype=np.int64)
        old_area_of = np.repeat(np.arange(n), sizes)     # the area of each of old_rows
        member = sparse.csr_matrix((np.ones(len(old_rows)), old_rows, np.concatenate(([0], np.cumsum(sizes)))),
                                   shape=(n, n_old))
        # One entry per (area, new unit) that share a pair: weight summed over the area's
        # old units in their order (as plan() always summed), m² as the imaginary part.
        product = (member @ self._pairs).tocsr()
        product.sort_indices()
        ptr, new_rows = product.indptr, product.indices.astype(np.int64)
        got, m2 = product.data.real, product.data.imag
        area_of = np.repeat(np.arange(n), np.diff(ptr))
        total = self._total[new_rows]
        share = np.where(total > 0, got / np.where(total > 0, total, 1), 0.0)
        cut = {"majority": threshold, "any": tolerance, "within": 1 - tolerance}[rule]
        passes = share > cut if rule == "any" else share >= cut
        # Unchanged codes carry over by code: in the area exactly when their old unit was.
        same = self._same[new_rows]
        by_code = same >= 0
        if by_code.any():
            old_keys = np.sort(old_area_of * n_old + old_rows)
            passes = np.where(by_code, _isin_sorted(area_of * n_old + np.maximum(same, 0), old_keys), passes)
        review = (~by_code) & (np.abs(share - cut) < REVIEW_MARGIN)
        # ...wherever they are: every new unit whose same-code old unit is in the area.
        carried_keys, carried_n = np.zeros(0, dtype=np.int64), np.zeros(n, dtype=np.int64)
        if len(self._same_old):
            first = np.searchsorted(self._same_old, old_rows, side="left")
            count = np.searchsorted(self._same_old, old_rows, side="right") - first
            pick = np.repeat(first - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
            carried_keys = np.unique(np.repeat(old_area_of, count) * n_new + self._same_new[pick])
            carried_n = np.bincount(np.repeat(old_area_of, count), minlength=n)
        # Where every new unit is mostly elsewhere (a small area on redrawn wards), the
        # one holding most of it is the best fit, and a decision for the researcher.
        fits = np.bincount(area_of[passes], minlength=n) + carried_n > 0
        for a in np.flatnonzero(~fits & (np.diff(ptr) > 0)):
            best = ptr[a] + int(np.argmax(got[ptr[a]:ptr[a + 1]]))
            passes[best] = review[best] = True
        keys = area_of[passes] * n_new + new_rows[passes]     # sorted, as the product is
        in_after = passes
        if len(carried_keys):
            keys = np.union1d(keys, carried_keys)
            in_after = _isin_sorted(area_of * n_new + new_rows, keys)
        after_area = keys // n_new
        after = keys - after_area * n_new
        after_ptr = np.searchsorted(after_area, np.arange(n + 1))
        # Per-area sums as weighted counts over the areas' old and new rows.
        km2 = np.bincount(old_area_of, self.cw.old_area[old_rows], minlength=n) / 1e6
        km2_after = np.bincount(after_area, self.cw.new_area[after], minlength=n) / 1e6
        covered = np.bincount(area_of[in_after], m2[in_after], minlength=n) / 1e6
        within = np.bincount(old_area_of, self._covered[old_rows], minlength=n) / 1e6
        safe = np.where(km2 > 0, km2, 1.0)
        covered = np.where(km2 > 0, covered / safe, 0.0)
        within = np.where(km2 > 0, within / safe, 0.0)
        people = _people_sums(old_area_of, self.old.population[old_rows], n)
        known = _people_sums(after_area, self._new_pop[after], n)
        estimated = (None if self._estimated is None else
                     np.bincount(after_area, self._estimated[after], minlength=n))
        out = []
        for a in range(n):
            lo, hi = ptr[a], ptr[a + 1]
            people_after = known[a] if known[a] is not None or estimated is None else float(estimated[a])
            out.append({"rows": after[after_ptr[a]:after_ptr[a + 1]], "new_rows": new_rows[lo:hi],
                        "share": share[lo:hi], "review": new_rows[lo:hi][review[lo:hi]],
                        "carried": int(carried_n[a]), "km2_before": float(km2[a]),
                        "km2_after": float(km2_after[a]), "covered": float(covered[a]),
                        "within_new": float(within[a]), "people_before": people[a],
                        "people_after": people_after})
        return out


def _isin_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each value is one of sorted_keys."""
    at = np.minimum(np.searchsorted(sorted_keys, values), max(len(sorted_keys) - 1, 0))
    return sorted_keys[at] == values if len(sorted_keys) else np.zeros(len(values), dtype=bool)


def _people_sums(groups: np.ndarray, values: np.ndarray, n: int) -> list[float | None]:
    """People in each group (numbered 0..n-1): the sum of its known values, None if none is known."""
    sums = np.bincount(groups, np.nan_to_num(values), minlength=n)
    known = np.bincount(groups, np.isfinite(values), minlength=n) > 0
    return [float(v) if k else None for v, k in zip(sums, known)]


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
    rows = [np.array(sorted(row_of[u] for u in a.unit_ids if u in row_of), dtype=np.int64) for a in on_source]
    figures = rebaser.plans(rows, rule, threshold, tolerance)
    plans = [_plan(rebaser, a, r, p if len(r) else None, source, target, rule, threshold, tolerance)
             for a, r, p in zip(on_source, rows, figures)]
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


def _plan(rb: Rebaser, area, rows, p, source, target, rule, threshold, tolerance) -> RebasePlan:
    """p: rb.plan(rows), or None for an area with no unit on the layer."""
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
