"""How areas and partnerships overlap: shared amounts, Jaccard index and containment.

Everything rests on one boolean matrix M (units x areas): M[u, a] is true when
unit u (a ward) belongs to area a. With a weight per unit (1 to count wards, its
population, its km²) the shared amount of every pair of areas is one sparse
product S = Mᵀ·diag(w)·M; an area's own size is the diagonal. Units of all
layers are rows, so areas on different layers share nothing by units.

A drawn polygon counts, for wards and people, the units of the area's layer
whose representative point lies inside it; for km² every pair that involves a
drawn polygon (or two layers) is measured exactly with shapely instead.

    pairs = pairwise(cat, "units")              # one Pair per unordered pair
    m = area_set(cat, as_of="2009").overlap("population")   # the matrix itself
"""
from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields

import numpy as np
import shapely
from scipy import sparse
from scipy.cluster import hierarchy

from models.analysis import footprints
from models.analysis.evidence import Evidence
from models.analysis.timeline import as_of_text, membership_active, partnership_active
from models.analysis.universe import UNIT_WEIGHTS, Universe, check_by, default_layer, load_universe, membership_matrix
from models.catalogue.records import Area, Membership, Organisation, Partnership
from models.errors import CatalogueError

BY = ("units", "population", "area", "members")
UNIT_WORDS = {"units": "wards", "population": "people", "area": "km²", "members": "organisations"}


@dataclass(frozen=True)
class Pair:
    """One unordered pair: a_in_b is the share of A that lies in B (0 when A is empty)."""
    a: str
    b: str
    by: str
    shared: float
    jaccard: float
    a_in_b: float
    b_in_a: float
    a_id: int
    b_id: int


# -- the matrix product ---------------------------------------------------------
@dataclass
class OverlapMatrix:
    """Pairwise amounts of n things in one order; shared[i, i] is thing i's size."""
    by: str
    ids: np.ndarray
    names: list[str]
    shared: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def sizes(self) -> np.ndarray:
        return np.diag(self.shared).copy()

    @property
    def jaccard(self) -> np.ndarray:
        s = self.sizes
        union = s[:, None] + s[None, :] - self.shared
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(union > 0, self.shared / union, 0.0)

    @property
    def containment(self) -> np.ndarray:
        """containment[i, j] = share of i that lies inside j (rows inside columns)."""
        s = self.sizes[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, self.shared / s, 0.0)

    def pairs(self) -> list[Pair]:
        i, j = np.triu_indices(len(self), k=1)
        jac, con, shared = self.jaccard, self.containment, self.shared
        names, ids = self.names, self.ids
        return [Pair(names[a], names[b], self.by, float(shared[a, b]), float(jac[a, b]),
                     float(con[a, b]), float(con[b, a]), int(ids[a]), int(ids[b]))
                for a, b in zip(i.tolist(), j.tolist())]

    def reordered(self, order) -> OverlapMatrix:
        order = np.asarray(order, dtype=np.int64)
        return OverlapMatrix(self.by, self.ids[order], [self.names[k] for k in order],
                             self.shared[np.ix_(order, order)])

    def order(self, how: str = "cluster") -> list[int]:
        """Name order, or leaves of an average-linkage clustering on 1 - Jaccard."""
        by_name = sorted(range(len(self)), key=lambda k: (self.names[k].casefold(), k))
        if how == "name" or len(self) < 3:
            return by_name
        if how != "cluster":
            raise CatalogueError(f"order by '{how}'? use cluster or name")
        distance = 1.0 - self.jaccard
        np.fill_diagonal(distance, 0.0)
        condensed = distance[np.triu_indices(len(self), k=1)]
        # Ties are broken by the name order so that the same data gives the same picture.
        tree = hierarchy.linkage(condensed[_condensed_order(by_name)], method="average",
                                 optimal_ordering=True)
        return [by_name[k] for k in hierarchy.leaves_list(tree)]


def _condensed_order(order: list[int]) -> np.ndarray:
    """Positions in a condensed distance vector after relabelling points as `order`."""
    n = len(order)
    i, j = np.triu_indices(n, k=1)
    a, b = np.asarray(order)[i], np.asarray(order)[j]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return n * lo - lo * (lo + 1) // 2 + (hi - lo - 1)


def shared_products(m: sparse.csc_array, weight_columns: list[np.ndarray]) -> list[np.ndarray]:
    """Mᵀ·diag(w)·M for several weights at once, cut into one dense n x n block per weight.

    Units held by exactly the same areas add to the same pairs, so they are merged first
    (one row per distinct set of areas, their weights summed): areas of wards over a layer of
    ward parts, or of runs of neighbouring units, leave a few thousand distinct rows of a
    hundred thousand, and the product shrinks with them. Then ONE sparse product with the
    weighted copies of the merged M side by side."""
    n = m.shape[1]
    if n == 0:
        return [np.zeros((0, 0)) for _ in weight_columns]
    # The product costs the sum over units of (areas holding it)²; merging costs a few passes
    # over the entries, worth it only where units lie in several areas.
    per_unit = np.bincount(m.indices, minlength=m.shape[0]).astype(np.int64)
    if per_unit @ per_unit > 4 * len(m.indices):
        r = sparse.csr_array(m)   # each row a sorted list of its columns
        r.sum_duplicates()        # (a no-op then; M built elsewhere may not be canonical)
        group, first = _row_groups(r)
        merged = sparse.csc_array(r[first])
        weights = [np.bincount(group, weights=w, minlength=len(first)) for w in weight_columns]
    else:
        merged, weights = sparse.csc_array(m), weight_columns
    rows = merged.indices
    weighted = sparse.hstack([sparse.csc_array((w[rows], rows, merged.indptr), shape=merged.shape)
                              for w in weights], format="csc")
    ones = sparse.csc_array((np.ones(len(rows)), rows, merged.indptr), shape=merged.shape)
    product = (ones.T @ weighted).toarray()
    return [product[:, k * n:(k + 1) * n] for k in range(len(weight_columns))]


def _row_groups(r: sparse.csr_array, salt: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(group of each row, first row of each group): rows in one group hold the same columns.

    A row's key is a 64-bit sum of random numbers (`salt`), one per column it holds. Two different
    rows sharing a key is checked for, entry by entry against the group's first row; should
    it ever happen, every row is its own group (the product is then merely slower)."""
    n_rows = r.shape[0]
    alone = np.arange(n_rows), np.arange(n_rows)
    if not len(r.indices):
        return alone
    if salt is None:
        salt = np.random.default_rng(0x5EED).integers(0, 2**64, size=r.shape[1], dtype=np.uint64)
    counts = np.diff(r.indptr)
    # One sum per row (uint64 wraps modulo 2**64, as meant), taken over the rows that hold
    # something: each one's entries run up to the next such row's.
    keys = np.zeros(n_rows, dtype=np.uint64)
    held = np.flatnonzero(counts)
    keys[held] = np.add.reduceat(salt[r.indices], r.indptr[held])
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    lead = first[group]
    if np.any(counts != counts[lead]):
        return alone
    # Same key, same columns: every row's column list against its lead row's, place by place.
    if np.any(r[lead].indices != r.indices):
        return alone
    return group, first


@dataclass
class AreaSet:
    """Chosen areas over the universe: M (units x areas) and what pairs need exact geometry."""
    universe: Universe
    areas: list[Area]
    matrix: sparse.csc_array

    @property
    def ids(self) -> np.ndarray:
        return np.array([a.id for a in self.areas], dtype=np.int64)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.areas]

    def unit_ids_of(self, k: int) -> np.ndarray:
        rows = self.matrix.indices[self.matrix.indptr[k]:self.matrix.indptr[k + 1]]
        return self.universe.unit_ids[np.sort(rows)]

    def overlap(self, by: str) -> OverlapMatrix:
        return self.overlaps([by])[by]

    def overlaps(self, bys=UNIT_WEIGHTS) -> dict[str, OverlapMatrix]:
        """Several measures from one product (the benchmark's unit of work)."""
        for by in bys:
            check_by(by, UNIT_WEIGHTS)
        blocks = shared_products(self.matrix, [self.universe.weights(by) for by in bys])
        out = {by: OverlapMatrix(by, self.ids, self.names, block) for by, block in zip(bys, blocks)}
        if "area" in out:
            self._exact_geometry(out["area"].shared)
        return out

    def _exact_geometry(self, shared: np.ndarray) -> None:
        """km² by shapely where the unit matrix cannot tell: drawn polygons, mixed layers."""
        n = len(self.areas)
        layers = {a.layer_id for a in self.areas if a.layer_id is not None}
        exact = np.array([a.drawn is not None for a in self.areas], dtype=bool)
        if len(layers) > 1:
            exact[:] = True
        if not exact.any():
            return
        outlines = np.array([a.outline if a.outline is not None else shapely.Polygon() for a in self.areas],
                            dtype=object)
        for k in np.flatnonzero(exact):
            shared[k, k] = outlines[k].area / 1e6
        tree = shapely.STRtree(outlines)
        left, right = tree.query(outlines[exact], predicate="intersects")
        left = np.flatnonzero(exact)[left]
        keep = left != right
        left, right = left[keep], right[keep]
        # Every pair touching an exact area is reset, then filled where the outlines meet.
        for k in np.flatnonzero(exact):
            others = np.arange(n) != k
            shared[k, others] = 0.0
            shared[others, k] = 0.0
        if len(left):
            km2 = shapely.area(shapely.intersection(outlines[left], outlines[right])) / 1e6
            shared[left, right] = km2
            shared[right, left] = km2

    def pair_parts(self, a_id: int, b_id: int) -> tuple[list[int], list[int], list[int]]:
        """Unit ids in both areas, in A only and in B only (for the map's highlight)."""
        index = {int(i): k for k, i in enumerate(self.ids)}
        if a_id not in index or b_id not in index:
            raise CatalogueError("that pair is not among the chosen areas")
        a, b = set(self.unit_ids_of(index[a_id]).tolist()), set(self.unit_ids_of(index[b_id]).tolist())
        return sorted(a & b), sorted(a - b), sorted(b - a)


def area_set(cat, as_of=None, area_ids=None, partnership_ids=None,
             universe: Universe | None = None, include_unknown: bool = False) -> AreaSet:
    """The areas to compare: all, or those chosen, less those whose partnership was not
    active or attested `as_of` (a year or a partial date; of unknown state too only if
    include_unknown); areas of no partnership always count."""
    universe = load_universe(cat) if universe is None else universe
    when = as_of_text(as_of)
    evidence = Evidence.load(cat) if when else None
    partnerships = {p.id: p for p in cat.partnerships.all()}
    chosen = []
    for a in cat.areas.all():
        if area_ids is not None and a.id not in set(area_ids):
            continue
        if partnership_ids is not None and a.partnership_id not in set(partnership_ids):
            continue
        p = partnerships.get(a.partnership_id)
        if when and p is not None and not partnership_active(p, when, include_unknown, evidence):
            continue
        chosen.append(a)
    chosen = footprints.as_of(cat, chosen, when)   # derived areas: their members' wards then
    return build_area_set(universe, chosen, default_layer(cat, universe))


def build_area_set(universe: Universe, areas: list[Area], drawn_layer: int | None = None) -> AreaSet:
    return AreaSet(universe, list(areas), membership_matrix(universe, areas, drawn_layer))


# -- organisations in partnerships ---------------------------------------------
@dataclass
class MemberGrid:
    """Organisations (rows) x partnerships (columns): the membership of each cell, or None."""
    organisations: list[Organisation]
    partnerships: list[Partnership]
    cells: dict[tuple[int, int], Membership]

    def matrix(self) -> sparse.csc_array:
        m = sparse.dok_array((len(self.organisations), len(self.partnerships)), dtype=bool)
        for key in self.cells:
            m[key] = True
        return sparse.csc_array(m)

    def overlap(self) -> OverlapMatrix:
        ones = np.ones(len(self.organisations))
        (shared,) = shared_products(self.matrix(), [ones])
        return OverlapMatrix("members", np.array([p.id for p in self.partnerships], dtype=np.int64),
                             [p.name for p in self.partnerships], shared)


def member_grid(cat, as_of=None, partnership_ids=None, with_empty: bool = False,
                include_unknown: bool = False) -> MemberGrid:
    """Who is in what `as_of` (partnership and membership both active or attested then,
    or of unknown state too if include_unknown)."""
    when = as_of_text(as_of)
    evidence = Evidence.load(cat) if when else None
    wanted = None if partnership_ids is None else set(partnership_ids)
    partnerships = [p for p in cat.partnerships.all() if (wanted is None or p.id in wanted)
                    and partnership_active(p, when, include_unknown, evidence)]
    column = {p.id: k for k, p in enumerate(partnerships)}
    memberships = [m for m in cat.partnerships.memberships()
                   if m.partnership_id in column and membership_active(m, when, include_unknown, evidence)]
    used = {m.organisation_id for m in memberships}
    organisations = [o for o in cat.organisations.all() if with_empty or o.id in used]
    row = {o.id: k for k, o in enumerate(organisations)}
    cells = {(row[m.organisation_id], column[m.partnership_id]): m for m in memberships}
    return MemberGrid(organisations, partnerships, cells)


# -- the CLI's and the GUI's one entry point -------------------------------------
def overlap_matrix(cat, by: str, as_of=None, area_ids=None, partnership_ids=None,
                   universe: Universe | None = None, include_unknown: bool = False) -> OverlapMatrix:
    check_by(by, BY)
    if by == "members":
        return member_grid(cat, as_of, partnership_ids, include_unknown=include_unknown).overlap()
    return area_set(cat, as_of, area_ids, partnership_ids, universe, include_unknown).overlap(by)


def pairwise(cat, by: str, as_of: str | None = None, area_ids=None, partnership_ids=None,
             include_unknown: bool = False) -> list[Pair]:
    """Every unordered pair of areas (or of partnerships, by members), in name order."""
    return overlap_matrix(cat, by, as_of, area_ids, partnership_ids, include_unknown=include_unknown).pairs()


PAIR_FIELDS = tuple(f.name for f in fields(Pair))


def write_pairs_csv(pairs: list[Pair], stream) -> None:
    writer = csv.writer(stream)
    writer.writerow(PAIR_FIELDS)
    writer.writerows(astuple(p) for p in pairs)

