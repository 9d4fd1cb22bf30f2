"""A crosswalk between two vintages of boundary units: the area each old unit shares
with each new one, as statistical offices build best-fit lookups.

    cw = crosswalk(old_geometries, new_geometries, old_population)
    cw.old, cw.new, cw.shared     # one row per overlapping pair (row numbers, m²)

Pairs come from an STRtree over the new units (long outlines cut into pieces first);
prepared predicates drop the pairs that only touch and settle those where one unit is
inside the other; the rest are intersected in one vectorised call per chunk (shapely
releases the GIL, so chunks run on two cores).
Where the old units have a population, each pair also carries the people it is
estimated to hold (the old unit's people spread by area), so shares can be weighted
by people: a ward half parkland splits by where people live, not by grass.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely


@dataclass
class Crosswalk:
    old: np.ndarray            # row of the old unit of each pair
    new: np.ndarray            # row of the new unit of each pair
    shared: np.ndarray         # m² the two share
    old_area: np.ndarray = field(repr=False)   # m² of each old unit
    new_area: np.ndarray = field(repr=False)   # m² of each new unit
    people: np.ndarray | None = field(default=None, repr=False)  # estimated people per pair

    def __len__(self) -> int:
        return len(self.old)

    @property
    def weights(self) -> np.ndarray:
        """What a share is a share of: people where known for the old unit, else m²."""
        if self.people is None:
            return self.shared
        return np.where(np.isnan(self.people), self.shared, self.people)

    def new_totals(self) -> np.ndarray:
        """Each new unit's weight over every old unit (its estimated people, or m²)."""
        return np.bincount(self.new, weights=self.weights, minlength=len(self.new_area))

    def covered(self) -> np.ndarray:
        """m² of each old unit that some new unit covers."""
        return np.bincount(self.old, weights=self.shared, minlength=len(self.old_area))


HEAVY = 1000   # units with more outline points than this are cut into pieces first


def crosswalk(old: np.ndarray, new: np.ndarray, old_population: np.ndarray | None = None,
              workers: int = 2) -> Crosswalk:
    """Shared area of every old/new pair of units that overlap (geometries in metres)."""
    old = np.asarray(old, dtype=object)
    new = np.asarray(new, dtype=object)
    # A long rural or coastal outline would be re-noded whole against each of its many
    # neighbours: cut it into pieces once, and each pair only meets the nearby pieces.
    old_pieces, old_of = subdivide(old, HEAVY)
    new_pieces, new_of = subdivide(new, HEAVY)
    tree = shapely.STRtree(new_pieces)
    i, j = tree.query(old_pieces)
    shapely.prepare(old_pieces)
    shapely.prepare(new_pieces)
    a, b = old_pieces, new_pieces

    def shared_of(rows: np.ndarray) -> np.ndarray:
        ii, jj = i[rows], j[rows]
        out = np.zeros(len(rows))
        # Prepared predicates are a fraction of an intersection's cost: neighbours that
        # only touch (most box overlaps) and units wholly inside another skip it.
        inner = shapely.relate_pattern(a[ii], b[jj], "T********")
        new_in = inner & shapely.contains_properly(a[ii], b[jj])
        old_in = inner & ~new_in & shapely.contains_properly(b[jj], a[ii])
        out[new_in] = shapely.area(b[jj[new_in]])
        out[old_in] = shapely.area(a[ii[old_in]])
        rest = inner & ~new_in & ~old_in
        out[rest] = shapely.area(shapely.intersection(a[ii[rest]], b[jj[rest]]))
        return out

    chunks = np.array_split(np.arange(len(i)), max(1, min(workers, len(i) // 500)))
    if len(chunks) == 1:
        shared = shared_of(chunks[0])
    else:   # shapely releases the GIL: the chunks run on separate cores
        with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
            shared = np.concatenate(list(pool.map(shared_of, chunks)))
    keep = shared > 0
    oi, nj = old_of[i[keep]], new_of[j[keep]]
    pairs, inverse = np.unique(oi * len(new) + nj, return_inverse=True)
    shared = np.bincount(inverse, weights=shared[keep], minlength=len(pairs))
    i, j = pairs // len(new), pairs % len(new)
    old_area, new_area = shapely.area(old), shapely.area(new)
    people = None
    if old_population is not None:
        pop = np.asarray(old_population, dtype=np.float64)
        if np.isfinite(pop).any():
            people = pop[i] * shared / np.where(old_area[i] > 0, old_area[i], 1.0)
    return Crosswalk(old=i.astype(np.int64), new=j.astype(np.int64), shared=shared,
                     old_area=old_area, new_area=new_area, people=people)


def subdivide(geometries: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of at most max_points outline points (halving the larger side of the box
    until they are), and the row each piece came from; small units stay whole."""
    pieces, rows = [], []
    geoms, parent = geometries, np.arange(len(geometries))
    while len(geoms):
        small = shapely.get_num_coordinates(geoms) <= max_points
        pieces.append(geoms[small])
        rows.append(parent[small])
        geoms, parent = geoms[~small], parent[~small]
        if not len(geoms):
            break
        x0, y0, x1, y1 = shapely.bounds(geoms).T
        wide = (x1 - x0) >= (y1 - y0)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        first = shapely.box(x0, y0, np.where(wide, mx, x1), np.where(wide, y1, my))
        second = shapely.box(np.where(wide, mx, x0), np.where(wide, y0, my), x1, y1)
        halves = np.concatenate([shapely.intersection(geoms, first), shapely.intersection(geoms, second)])
        parent = np.concatenate([parent, parent])
        keep = ~shapely.is_empty(halves)
        geoms, parent = halves[keep], parent[keep]
    return np.concatenate(pieces), np.concatenate(rows)
