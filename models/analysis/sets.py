"""Set views of the membership matrix: UpSet intersections and coverage per ward.

Exclusive intersection of a combination C: units in every area of C and in no
other chosen area (the UpSet bars sum to the units in the union). Inclusive:
units in every area of C, whatever else covers them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from models.analysis import footprints
from models.analysis.evidence import Evidence
from models.analysis.timeline import as_of_text, partnership_active
from models.analysis.universe import default_layer, load_universe, membership_matrix
from models.errors import CatalogueError

MAX_SETS = 62  # a combination is a bit mask in an int64


@dataclass(frozen=True)
class Intersection:
    """One combination of areas and the units it holds (km² and people from those units)."""
    area_ids: tuple[int, ...]
    names: tuple[str, ...]
    unit_ids: tuple[int, ...]
    units: int
    population: float
    km2: float

    @property
    def degree(self) -> int:
        return len(self.area_ids)


def intersections(areas, area_ids=None, inclusive: bool = False, sort: str = "size") -> list[Intersection]:
    """Every combination of the chosen areas (of an AreaSet) that has a unit of its own.

    sort: "size" (largest first, as UpSet draws them) or "degree" (then size).
    """
    index = {int(i): k for k, i in enumerate(areas.ids)}
    ids = list(index) if area_ids is None else [int(i) for i in area_ids]
    missing = [i for i in ids if i not in index]
    if missing:
        raise CatalogueError(f"area {missing[0]} is not among the areas compared")
    if len(ids) > MAX_SETS:
        raise CatalogueError(f"choose at most {MAX_SETS} areas for intersections")
    columns = [index[i] for i in ids]
    sub = areas.matrix[:, columns].astype(np.int64)
    signature = sub @ (np.int64(1) << np.arange(len(columns), dtype=np.int64))
    rows = np.flatnonzero(signature)
    signature = signature[rows]
    combos, inverse = np.unique(signature, return_inverse=True)
    combos = combos.tolist()
    if inclusive:  # every set on its own as well: its inclusive size is the set's size
        singles = {1 << b for b in range(len(columns)) if np.any(signature >> b & 1)}
        combos = sorted(singles | set(combos))
    u = areas.universe
    out = []
    for k, combo in enumerate(combos):
        if inclusive:
            members = rows[(signature & combo) == combo]
        else:
            members = rows[inverse == k]
        bits = [b for b in range(len(columns)) if combo >> b & 1]
        out.append(Intersection(
            area_ids=tuple(ids[b] for b in bits),
            names=tuple(areas.areas[columns[b]].name for b in bits),
            unit_ids=tuple(sorted(int(x) for x in u.unit_ids[members])),
            units=len(members), population=float(u.population[members].sum()),
            km2=float(u.km2[members].sum())))
    if sort == "degree":
        out.sort(key=lambda x: (x.degree, -x.units, x.names))
    else:
        out.sort(key=lambda x: (-x.units, x.degree, x.names))
    return out


# -- coverage ------------------------------------------------------------------
@dataclass(frozen=True)
class CoverageClass:
    label: str
    low: int
    high: int | None   # None: no upper bound
    units: int         # how many units fall in this class


@dataclass
class Coverage:
    """How many partnerships (or unlinked areas) cover each unit of one layer."""
    layer_id: int | None
    unit_ids: np.ndarray
    codes: list[str]
    names: list[str]
    counts: np.ndarray
    coverers: list[str]            # column names: partnership or area names
    covers: sparse.csr_array       # units x coverers, bool

    def uncovered(self) -> list[int]:
        return [int(u) for u in self.unit_ids[self.counts == 0]]

    def covering(self, unit_id: int) -> list[str]:
        return self.covering_row(int(np.flatnonzero(self.unit_ids == unit_id)[0]))

    def covering_row(self, row: int) -> list[str]:
        """Names of the partnerships (or areas) covering the unit in this row."""
        cols = self.covers.indices[self.covers.indptr[row]:self.covers.indptr[row + 1]]
        return sorted(self.coverers[c] for c in cols)

    def classes(self) -> tuple[np.ndarray, list[CoverageClass]]:
        """The class of each unit and the legend: none, then 1, 2, 3, 4–5, 6–9, 10 or more,
        stopping at the highest count that occurs (so a legend never lists empty classes
        beyond the data)."""
        top = int(self.counts.max()) if len(self.counts) else 0
        bounds = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (6, 9), (10, None)]
        legend, klass = [], np.zeros(len(self.counts), dtype=np.int64)
        for k, (low, high) in enumerate(bounds):
            if low > max(top, 0) and k > 0:
                break
            inside = (self.counts >= low) & (True if high is None else self.counts <= high)
            klass[inside] = k
            label = "none" if high == 0 else (f"{low}" if low == high else
                                               f"{low} or more" if high is None else f"{low}–{high}")
            legend.append(CoverageClass(label, low, high, int(np.count_nonzero(inside))))
        return klass, legend


def coverage(cat, layer_id: int | None = None, policy_area: str | None = None, kind: str | None = None,
             as_of=None, universe=None, partnership_ids=None, area_ids=None,
             include_unknown: bool = False) -> Coverage:
    """Per unit of `layer_id` (default: the first ward layer), the number of partnerships
    (of that policy area / kind, active as of) whose areas cover it. An area with no
    partnership counts on its own, and only when no policy area or kind is asked for.
    partnership_ids / area_ids, when given, narrow the count to those partnerships and
    those areas of no partnership (the ones a researcher ticked to compare)."""
    universe = load_universe(cat) if universe is None else universe
    layer_id = default_layer(cat, universe) if layer_id is None else layer_id
    when = as_of_text(as_of)
    evidence = Evidence.load(cat) if when else None
    partnerships = {p.id: p for p in cat.partnerships.all()}
    chosen, coverer_of, coverers = [], [], {}
    for a in cat.areas.all():
        p = partnerships.get(a.partnership_id)
        if p is None:
            if policy_area or kind or (area_ids is not None and a.id not in area_ids):
                continue
            key, label = ("area", a.id), a.name
        else:
            if policy_area and policy_area not in p.policy_areas:
                continue
            if partnership_ids is not None and p.id not in partnership_ids:
                continue
            if (kind and p.kind != kind) or not partnership_active(p, when, include_unknown, evidence):
                continue
            key, label = ("partnership", p.id), p.name
        chosen.append(a)
        coverer_of.append(coverers.setdefault(key, (len(coverers), label))[0])
    chosen = footprints.as_of(cat, chosen, when)   # derived areas: their members' wards then
    matrix = membership_matrix(universe, chosen, layer_id)
    rows = np.flatnonzero(universe.layer_ids == layer_id)
    group = sparse.csc_array((np.ones(len(chosen)), (np.arange(len(chosen)), coverer_of)),
                             shape=(len(chosen), len(coverers)))
    covers = sparse.csr_array((matrix.astype(np.float64) @ group)[rows, :] > 0)
    labels = [label for _, label in sorted(coverers.values())]
    return Coverage(layer_id, universe.unit_ids[rows], [universe.codes[r] for r in rows],
                    [universe.names[r] for r in rows], np.asarray(covers.sum(axis=1)).ravel().astype(np.int64),
                    labels, covers)
