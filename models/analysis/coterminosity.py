"""Coterminosity: how well each partnership's area fits another agency's geography.

For a partnership area P and the areas L₁…Lₙ of a reference geography (models.catalogue.
reference_geographies), all on one ward layer and weighted by wards, people or km²:

- per pair touched: a_in_b = |P∩Lⱼ|/|P|, b_in_a = |P∩Lⱼ|/|Lⱼ|, jaccard = |P∩Lⱼ|/|P∪Lⱼ|;
- per P a category, with a tolerance t (default 2 %), tested in this order:
    outside      at most t of P lies in the geography's territory at all;
    coterminous  some Lⱼ with a_in_b ≥ 1−t and b_in_a ≥ 1−t (P equals Lⱼ);
    nested       some Lⱼ with a_in_b ≥ 1−t (P inside one Lⱼ);
    contains     every Lⱼ holding more than t of P lies whole (b_in_a ≥ 1−t) in P: P is a
                 union of whole Lⱼ (`covered` says whether P reaches beyond the territory too);
    split        otherwise; split_into counts the Lⱼ holding more than t of P.
- per pair of geographies, the relative nesting index of Zhukov, Byers, Davidson & Kollman,
  "Integrating Data Across Misaligned Spatial Units", Political Analysis 31(4), 2023, as their R
  package SUNGEO computes it (nesting(…, metrix = "rn")):
        RN = (1/N) Σᵢ Σⱼ (aᵢⱼ / aᵢ)²
  where i runs over the N source units that meet the destination layer (here: the partnership
  areas that touch the geography's territory), j over the destination units (the reference
  areas), aᵢⱼ is the measure (area in the paper; here wards, people or km², as asked) of i
  inside j and aᵢ that of i. RN is 1 when every source unit lies in one destination unit and
  falls towards 0 as they are split into many small pieces. We sum every piece (SUNGEO drops
  pieces under 0.1 % of the source unit; on ward-built areas there are no slivers to drop).
  And the proportion intact (SUNGEO's "p_intact"): the share of those source units that meet
  exactly one destination unit, a piece counting when it holds more than the tolerance t of i.
- the other way round: for each reference area, the partnerships that fit it best (Jaccard).

Everything rests on two sparse membership matrices over the layer's units (as
models.analysis.overlaps does for areas against each other): S = M_Pᵀ·diag(w)·M_L gives
every shared amount at once.

    c = measure(cat, "icb", by="units")          # the geography by unique part of its name
    c.summary[0].category, c.nesting_index, c.to_json()
    inside, outside, ref_only = parts(cat, area_id, reference_area_id, layer_id)
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import sparse

from models.analysis.evidence import Evidence
from models.analysis.footprints import Footprints
from models.analysis.timeline import as_of_text, partnership_active
from models.catalogue import dates
from models.catalogue.layers import in_force
from models.catalogue.records import Area
from models.catalogue.reference_geographies import ReferenceGeography, layer_units
from models.errors import CatalogueError

BY = ("units", "population", "area")
CATEGORIES = ("coterminous", "nested", "contains", "split", "outside")
TOLERANCE = 0.02


class Pair(NamedTuple):
    """One partnership area against one reference area it shares something with. A named tuple:
    a geography measure makes thousands of them, three times faster than a frozen dataclass."""
    area_id: int
    area: str
    reference_id: int
    reference: str
    a_in_b: float
    b_in_a: float
    jaccard: float
    shared: float


@dataclass(frozen=True)
class Summary:
    area_id: int
    area: str
    category: str
    split_into: int
    best: str | None
    best_jaccard: float
    nesting: float       # Σⱼ (share of P in Lⱼ)²: this area's term of the relative nesting index
    covered: float       # share of P inside the geography's territory


@dataclass(frozen=True)
class Fit:
    """One partnership area's fit to one reference area (the other way round)."""
    reference_id: int
    reference: str
    area_id: int
    area: str
    jaccard: float
    a_in_b: float
    b_in_a: float


@dataclass
class Measures:
    """The arrays every figure comes from: S (P x L, sparse) and the sizes."""
    shared: sparse.csr_array
    area_sizes: np.ndarray
    reference_sizes: np.ndarray
    covered: np.ndarray          # amount of each P inside the union of the Lⱼ


def shared_amounts(area_matrix: sparse.csc_array, reference_matrix: sparse.csc_array,
                   weights: np.ndarray) -> Measures:
    """One sparse product for every pair: units x P and units x L boolean matrices, a weight per unit."""
    w = np.asarray(weights, dtype=np.float64)
    rows = area_matrix.indices
    weighted = sparse.csc_array((w[rows], rows, area_matrix.indptr), shape=area_matrix.shape)
    ref = sparse.csc_array(reference_matrix, dtype=np.float64)
    shared = sparse.csr_array(weighted.T @ ref)
    in_territory = np.zeros(ref.shape[0])
    in_territory[np.unique(ref.indices)] = 1.0
    return Measures(shared=shared, area_sizes=weighted.T @ np.ones(ref.shape[0]),
                    reference_sizes=ref.T @ w, covered=weighted.T @ in_territory)


def summarise(m: Measures, tolerance: float = TOLERANCE):
    """Per P: category index, split_into, best column (-1: none), best Jaccard, nesting, covered share;
    and the pairs' arrays (row, col, shared, a_in_b, b_in_a, jaccard)."""
    s = m.shared.tocoo()
    i, j, v = s.row, s.col, s.data
    keep = v > 0
    i, j, v = i[keep], j[keep], v[keep]
    order = np.lexsort((j, i))
    i, j, v = i[order], j[order], v[order]
    p, q = m.area_sizes[i], m.reference_sizes[j]
    a_in_b = np.where(p > 0, v / np.where(p > 0, p, 1), 0.0)
    b_in_a = np.where(q > 0, v / np.where(q > 0, q, 1), 0.0)
    union = p + q - v
    jaccard = np.where(union > 0, v / np.where(union > 0, union, 1), 0.0)
    n = len(m.area_sizes)
    high = 1.0 - tolerance
    significant = a_in_b > tolerance
    split_into = np.bincount(i, weights=significant, minlength=n).astype(np.int64)
    nesting = np.bincount(i, weights=a_in_b ** 2, minlength=n)
    coterminous = np.bincount(i, weights=(a_in_b >= high) & (b_in_a >= high), minlength=n) > 0
    nested = np.bincount(i, weights=a_in_b >= high, minlength=n) > 0
    broken = np.bincount(i, weights=significant & (b_in_a < high), minlength=n) > 0
    sizes = m.area_sizes
    covered = np.where(sizes > 0, m.covered / np.where(sizes > 0, sizes, 1), 0.0)
    category = np.full(n, CATEGORIES.index("split"), dtype=np.int64)
    category[~broken & (split_into > 0)] = CATEGORIES.index("contains")
    category[nested] = CATEGORIES.index("nested")
    category[coterminous] = CATEGORIES.index("coterminous")
    category[covered <= tolerance] = CATEGORIES.index("outside")
    # Best fit per P: the pair of highest Jaccard (first column on ties, pairs being sorted).
    best = np.full(n, -1, dtype=np.int64)
    best_jaccard = np.zeros(n)
    if len(i):
        by_jaccard = np.lexsort((-jaccard, i))            # per row, highest Jaccard first
        first = by_jaccard[np.r_[0, np.flatnonzero(np.diff(i[by_jaccard])) + 1]]
        best[i[first]] = j[first]
        best_jaccard[i[first]] = jaccard[first]
    return (category, split_into, best, best_jaccard, nesting, covered), (i, j, v, a_in_b, b_in_a, jaccard)


def nesting_index(nesting: np.ndarray, category: np.ndarray) -> float:
    """Zhukov et al.'s RN over the areas that touch the territory (see the module's docstring)."""
    touching = category != CATEGORIES.index("outside")
    return float(nesting[touching].mean()) if touching.any() else float("nan")


def intact_share(category: np.ndarray, split_into: np.ndarray) -> float:
    """SUNGEO's p_intact: the share of areas touching the territory that meet one reference area only."""
    touching = category != CATEGORIES.index("outside")
    return float((split_into[touching] == 1).mean()) if touching.any() else float("nan")


@dataclass
class Coterminosity:
    geography: ReferenceGeography
    layer_id: int
    layer: str
    by: str
    as_of: str | None
    tolerance: float
    area_ids: np.ndarray
    area_names: list[str]
    reference_ids: np.ndarray
    reference_names: list[str]
    reference_codes: list[str]
    pairs: list[Pair]
    summary: list[Summary]
    nesting_index: float
    intact_share: float
    unmatched: list[str] = field(default_factory=list)   # reference areas with no units on the layer
    warnings: list[str] = field(default_factory=list)    # one line each: not in force then, unmatched areas
    measures: Measures | None = field(default=None, repr=False)

    def matrix(self, which: str = "a_in_b") -> np.ndarray:
        """Dense P x L array of one measure ('a_in_b', 'b_in_a', 'jaccard', 'shared') for a view."""
        if which not in ("a_in_b", "b_in_a", "jaccard", "shared"):
            raise CatalogueError(f"no measure '{which}'")
        out = np.zeros((len(self.area_ids), len(self.reference_ids)))
        row = {int(a): k for k, a in enumerate(self.area_ids)}
        col = {int(r): k for k, r in enumerate(self.reference_ids)}
        for p in self.pairs:
            out[row[p.area_id], col[p.reference_id]] = getattr(p, which)
        return out

    def fits(self, top: int = 3) -> dict[int, list[Fit]]:
        """The other way round: reference area id -> its best-fitting partnership areas (Jaccard)."""
        out: dict[int, list[Fit]] = {int(r): [] for r in self.reference_ids}
        for p in sorted(self.pairs, key=lambda p: (-p.jaccard, p.area.casefold())):
            if len(out[p.reference_id]) < top:
                out[p.reference_id].append(Fit(p.reference_id, p.reference, p.area_id, p.area,
                                               p.jaccard, p.a_in_b, p.b_in_a))
        return out

    def to_json(self) -> dict:
        """The issue's shape: {"layer", "by", "pairs": [...], "summary": [...]}, and the geography's figures."""
        def r(x):
            return None if x is None or x != x else round(float(x), 4)
        return {
            "layer": self.geography.name, "by": self.by, "as_of": self.as_of, "wards": self.layer,
            "tolerance": self.tolerance,
            "pairs": [{"area": p.area, "reference": p.reference, "a_in_b": r(p.a_in_b), "b_in_a": r(p.b_in_a),
                       "jaccard": r(p.jaccard)} for p in self.pairs],
            "summary": [{"area": s.area, "category": s.category, "split_into": s.split_into, "best": s.best,
                         "best_jaccard": r(s.best_jaccard), "nesting": r(s.nesting)} for s in self.summary],
            "nesting_index": r(self.nesting_index), "intact_share": r(self.intact_share),
            "unmatched": self.unmatched, "warnings": self.warnings,
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["area", "reference", "a_in_b", "b_in_a", "jaccard", "category", "split_into"])
        cats = {s.area_id: s for s in self.summary}
        for p in self.pairs:
            s = cats[p.area_id]
            w.writerow([p.area, p.reference, f"{p.a_in_b:.4f}", f"{p.b_in_a:.4f}", f"{p.jaccard:.4f}",
                        s.category, s.split_into])
        return out.getvalue()


# -- from a catalogue ---------------------------------------------------------------
def _layer_for(cat, when: str | None, layer_id: int | None):
    layers = cat.layers.all()
    if layer_id is not None:
        return cat.layers.get(layer_id)
    layer = in_force(layers, int(when[:4]) if when else None, "ward")
    if layer is None:
        raise CatalogueError("no ward layer loaded: import wards first (import-boundaries)")
    return layer


def _weights(cat, layer_id: int, by: str, table=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(unit ids, weight per unit, notes) of the layer. People on a ward layer that has none (the
    2022 London wards ship without) are estimated from another vintage's wards that have them,
    each old ward's people spread over the new wards by shared area (models.geo.crosswalk), and
    a note says so."""
    table = cat.layers.table(layer_id, with_digest=by == "population") if table is None else table
    if by == "units":
        return table.ids, np.ones(len(table.ids)), []
    if by == "population":
        pop = np.nan_to_num(table.population, nan=0.0)
        if pop.any():
            return table.ids, pop, []
        layer = cat.layers.get(layer_id)
        source = _population_source(cat, layer)
        if source is None:
            raise CatalogueError(f"the wards of '{layer.name}' have no populations, nor does any other layer of "
                                 f"its level: use --by units or area")
        return table.ids, _apportioned(cat, table, source), [
            f"people on '{layer.name}' are estimated from '{source.name}': each of its wards' people spread "
            "over the wards it overlaps by shared area"]
    import shapely
    return table.ids, shapely.area(table.geometries) / 1e6, []


def _population_source(cat, layer):
    """The layer of the same level with populations nearest in vintage (earlier ones first on a tie)."""
    candidates = [other for other in cat.layers.all() if other.level == layer.level and other.id != layer.id
                  and cat.store.conn.execute("SELECT 1 FROM boundary_units WHERE layer_id=? AND population > 0 "
                                             "LIMIT 1", (other.id,)).fetchone()]
    if not candidates:
        return None
    year = int(layer.vintage[:4]) if layer.vintage[:4].isdigit() else 0
    def distance(other):
        y = int(other.vintage[:4]) if other.vintage[:4].isdigit() else 0
        return (abs(year - y), y > year, other.id)
    return min(candidates, key=distance)


_APPORTIONED: dict[tuple, np.ndarray] = {}   # (target digest, source digest) -> people per target unit


def _apportioned(cat, table, source) -> np.ndarray:
    from models.geo.crosswalk import crosswalk
    old = cat.layers.table(source.id, with_digest=True)
    key = (table.digest, old.digest, len(table.ids), len(old.ids))
    got = _APPORTIONED.get(key)
    if got is None:
        cw = crosswalk(old.geometries, table.geometries, np.nan_to_num(old.population, nan=0.0))
        got = np.bincount(cw.new, weights=cw.people, minlength=len(table.ids))
        _APPORTIONED.clear()   # one pair of layers at a time is what a view asks for
        _APPORTIONED[key] = got
    return got


def _matrix(ids_sorted: np.ndarray, sets: list[np.ndarray]) -> sparse.csc_array:
    """Units (rows, in ids_sorted's order) x sets, boolean, from each set's unit ids (ids not among
    the rows are left out). Built as CSC directly: each set is one column, rows in the set's order."""
    counts = np.fromiter((len(x) for x in sets), dtype=np.int64, count=len(sets))
    every = np.concatenate(sets).astype(np.int64, copy=False) if sets else np.empty(0, dtype=np.int64)
    rows = np.searchsorted(ids_sorted, every)
    if len(ids_sorted):
        found = ids_sorted[np.minimum(rows, len(ids_sorted) - 1)] == every
    else:
        found = np.zeros(len(every), dtype=bool)
    if not found.all():
        counts = np.bincount(np.repeat(np.arange(len(sets)), counts)[found], minlength=len(sets))
        rows = rows[found]
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return sparse.csc_array((np.ones(len(rows), dtype=bool), rows, indptr), shape=(len(ids_sorted), len(sets)))


def partnership_areas(cat, when: str | None, area_ids=None, include_unknown: bool = False) -> list[Area]:
    """The areas measured: those of partnerships active or attested `when` (as the overlaps choose them),
    and areas of no partnership; all of them without a date."""
    evidence = Evidence.load(cat) if when else None
    partnerships = {p.id: p for p in cat.partnerships.all()}
    wanted = None if area_ids is None else set(area_ids)
    chosen = []
    for a in cat.areas.all():
        if wanted is not None and a.id not in wanted:
            continue
        p = partnerships.get(a.partnership_id)
        if when and p is not None and not partnership_active(p, when, include_unknown, evidence):
            continue
        chosen.append(a)
    return chosen


def area_units_on(cat, areas: list[Area], layer_id: int, when: str | None) -> list[np.ndarray]:
    """Each area's units on the layer as of `when`: a derived area its members' wards there and
    then; an area of that layer its own units (and those under its drawn polygon); any other
    (another vintage, drawn) the layer's units lying at least half inside its outline."""
    feet = Footprints(cat, areas)
    geometry = None
    out = []
    for a in areas:
        if a.kind == "derived" and a.partnership_id is not None and a.layer_id is not None:
            units = np.array(sorted(feet.units(a, when, layer_id)), dtype=np.int64)
        elif a.layer_id == layer_id and a.drawn is None:
            units = np.array(sorted(a.unit_ids), dtype=np.int64)
        else:
            if geometry is None:
                geometry = layer_units(cat.store, layer_id)
            outline = a.outline if a.outline is not None else a.drawn
            units = geometry.units_inside(outline)
            if a.layer_id == layer_id:
                units = np.union1d(units, np.array(sorted(a.unit_ids), dtype=np.int64))
        out.append(units)
    return out


def measure(cat, geography, by: str = "units", as_of=None, layer_id: int | None = None,
            tolerance: float = TOLERANCE, area_ids=None, include_unknown: bool = False) -> Coterminosity:
    """Every partnership area against a reference geography (a ReferenceGeography, or its name or a
    unique part of it), on the ward layer in force `as_of` (the latest without a date) unless given."""
    if by not in BY:
        raise CatalogueError(f"coterminosity by '{by}'? use one of {', '.join(BY)}")
    if not 0 <= tolerance < 0.5:
        raise CatalogueError("the tolerance is a share between 0 and 0.5")
    g = geography if isinstance(geography, ReferenceGeography) else cat.references.find(str(geography))
    when = as_of_text(as_of)
    layer = _layer_for(cat, when, layer_id)
    table = cat.layers.table(layer.id, with_digest=by == "population")
    unit_ids, weights, notes = _weights(cat, layer.id, by, table)
    refs = cat.references.areas(g.id)
    sets = cat.references.unit_sets(g.id, layer.id)
    ref_sets = [sets[r.id] for r in refs]
    unmatched = [r.name for r, s in zip(refs, ref_sets) if not len(s)]
    if refs and len(unmatched) == len(refs):
        raise CatalogueError(f"'{g.name}' lies outside the loaded wards: none of its {len(refs)} areas has a "
                             f"ward in '{layer.name}' (their authorities' codes match no ward's parent code)")
    warnings = notes + _in_force_warnings(g, when) + [f"'{n}' has no ward in '{layer.name}'" for n in unmatched]
    areas = partnership_areas(cat, when, area_ids, include_unknown)
    units = area_units_on(cat, areas, layer.id, when)
    m = shared_amounts(_matrix(unit_ids, units), _matrix(unit_ids, ref_sets), weights)
    (category, split_into, best, best_jaccard, nesting, covered), (i, j, v, a_in_b, b_in_a, jaccard) = \
        summarise(m, tolerance)
    names = [a.name for a in areas]
    ref_names = [r.name for r in refs]
    pairs = [Pair(areas[a].id, names[a], refs[b].id, ref_names[b], float(x), float(y), float(z), float(s))
             for a, b, s, x, y, z in zip(i.tolist(), j.tolist(), v.tolist(), a_in_b.tolist(), b_in_a.tolist(),
                                         jaccard.tolist())]
    pairs.sort(key=lambda p: (p.area.casefold(), p.area_id, -p.a_in_b, p.reference.casefold()))
    summary = [Summary(a.id, a.name, CATEGORIES[category[k]], int(split_into[k]),
                       ref_names[best[k]] if best[k] >= 0 else None, float(best_jaccard[k]),
                       float(nesting[k]), float(covered[k])) for k, a in enumerate(areas)]
    return Coterminosity(geography=g, layer_id=layer.id, layer=layer.name, by=by, as_of=when, tolerance=tolerance,
                         area_ids=np.array([a.id for a in areas], dtype=np.int64), area_names=names,
                         reference_ids=np.array([r.id for r in refs], dtype=np.int64), reference_names=ref_names,
                         reference_codes=[r.code for r in refs], pairs=pairs, summary=summary,
                         nesting_index=nesting_index(nesting, category),
                         intact_share=intact_share(category, split_into),
                         unmatched=unmatched, warnings=warnings, measures=m)


def _in_force_warnings(g: ReferenceGeography, when: str | None) -> list[str]:
    """A geography measured at a date it was not in force is still measured (its areas are what
    they are), with a line saying so."""
    if not when:
        return []
    if g.in_force_from and dates.latest(when) < dates.earliest(g.in_force_from):
        return [f"'{g.name}' was not yet in force in {when} (from {g.in_force_from})"]
    if g.in_force_to and dates.earliest(when) > dates.latest(g.in_force_to):
        return [f"'{g.name}' was no longer in force in {when} (until {g.in_force_to})"]
    return []


def parts(cat, area_id: int, reference_area_id: int, layer_id: int, as_of=None) -> tuple[np.ndarray, ...]:
    """(inside, outside, reference_only): unit ids of the layer in both, in the area only, in the
    reference area only — what the map shows for one cell."""
    row = cat.store.conn.execute("SELECT geography_id FROM reference_areas WHERE id=?",
                                 (reference_area_id,)).fetchone()
    if row is None:
        raise CatalogueError(f"no reference area with id {reference_area_id}")
    ref = cat.references.unit_sets(row[0], layer_id)[reference_area_id]
    (units,) = area_units_on(cat, [cat.areas.get(area_id)], layer_id, as_of_text(as_of))
    return np.intersect1d(units, ref), np.setdiff1d(units, ref), np.setdiff1d(ref, units)


def summary_rows(c: Coterminosity) -> list[dict]:
    return [asdict(s) for s in c.summary]
