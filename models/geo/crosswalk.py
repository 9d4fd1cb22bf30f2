"""A crosswalk between two vintages of boundary units: the area each old unit shares
with each new one, as statistical offices build best-fit lookups.

    cw = crosswalk(old_geometries, new_geometries, old_population)
    cw.old, cw.new, cw.shared     # one row per overlapping pair (row numbers, m²)

Pairs come from an STRtree over the new units; their intersections are computed in
one vectorised call per chunk (shapely releases the GIL, so chunks run on two cores).
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


def crosswalk(old: np.ndarray, new: np.ndarray, old_population: np.ndarray | None = None,
              workers: int = 2) -> Crosswalk:
    """Shared area of every old/new pair of units that overlap (geometries in metres)."""
    old = np.asarray(old, dtype=object)
    new = np.asarray(new, dtype=object)
    tree = shapely.STRtree(new)
    # Box overlaps only: the exact test costs as much as the intersection, whose empty
    # results simply drop out below.
    i, j = tree.query(old)
    shared = np.zeros(len(i))
    if len(i):
        shapely.prepare(old)
        chunks = np.array_split(np.arange(len(i)), max(1, min(workers, len(i) // 500 or 1)))

        def area_of(rows: np.ndarray) -> None:
            shared[rows] = shapely.area(shapely.intersection(old[i[rows]], new[j[rows]], grid_size=None))

        if len(chunks) == 1:
            area_of(chunks[0])
        else:
            with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                list(pool.map(area_of, chunks))
    keep = shared > 0
    i, j, shared = i[keep], j[keep], shared[keep]
    old_area, new_area = shapely.area(old), shapely.area(new)
    people = None
    if old_population is not None:
        pop = np.asarray(old_population, dtype=np.float64)
        if np.isfinite(pop).any():
            people = pop[i] * shared / np.where(old_area[i] > 0, old_area[i], 1.0)
    return Crosswalk(old=i.astype(np.int64), new=j.astype(np.int64), shared=shared,
                     old_area=old_area, new_area=new_area, people=people)
