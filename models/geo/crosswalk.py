"""A crosswalk between two vintages of boundary units: the area each old unit shares
with each new one, as statistical offices build best-fit lookups.

    cw = crosswalk(old_geometries, new_geometries, old_population)
    cw.old, cw.new, cw.shared     # one row per overlapping pair (row numbers, m²)

Pairs come from an STRtree over the new units. A point on one unit's surface (or one
of a few corners) inside the other, or else prepared predicates, drop the pairs that
only touch; covers settles those where one unit lies within the other (asked only where
its box lies within the other's). Where the two layers tile the same land, a unit's
shares add up to its area, so over a third of the remaining pairs are found by
difference and checked from the other side (Closing); the rest are intersected. Tasks
run on two threads (shapely releases the GIL), each thread taking the next task as it
finishes, so both end together.
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


CHUNK = 2000   # pairs per task at most: small enough that two threads finish together


def crosswalk(old: np.ndarray, new: np.ndarray, old_population: np.ndarray | None = None,
              workers: int = 2) -> Crosswalk:
    """Shared area of every old/new pair of units that overlap (geometries in metres)."""
    old = np.asarray(old, dtype=object)
    new = np.asarray(new, dtype=object)
    i, j = shapely.STRtree(new).query(old)      # box overlaps
    order = np.argsort(i, kind="stable")        # by old row (as the tree gives them)
    i, j = i[order], j[order]
    # Predicates run prepared on the old unit only: a prepared geometry builds its
    # indexes lazily and is not safe to share between threads, so each old unit's
    # pairs all go to one task.
    shapely.prepare(old)
    # A unit's point inside the other proves their insides meet, for a fraction of the
    # cost of the predicates below (a third of the pairs).
    on_old, on_new = shapely.point_on_surface(old), shapely.point_on_surface(new)
    old_x, old_y, new_x, new_y = (shapely.get_x(on_old), shapely.get_y(on_old),
                                  shapely.get_x(on_new), shapely.get_y(on_new))
    box_old, box_new = shapely.bounds(old)[i], shapely.bounds(new)[j]
    # A unit can lie within the other only if its box does: most pairs need no covers.
    new_in_box, old_in_box = _box_within(box_new, box_old), _box_within(box_old, box_new)

    def settle(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """m² of the pairs settled without an intersection, which pairs still need one,
        and which of those surely overlap (by a point strictly inside)."""
        ii, jj = i[rows], j[rows]
        a, b = old[ii], new[jj]
        out = np.zeros(len(rows))
        # In the tasks, so on both threads: a unit's surface point inside the other...
        sure = shapely.contains_xy(a, new_x[jj], new_y[jj]) | shapely.contains_xy(b, old_x[ii], old_y[ii])
        # ...or a corner of one strictly inside the other (its insides are all around the
        # corner). A few corners each settle half the remaining pairs, which would otherwise
        # need `touches`, the dearest predicate here.
        ask = np.flatnonzero(~sure)
        sure[ask] = _corner_inside(old, new, ii[ask], jj[ask]) | _corner_inside(new, old, jj[ask], ii[ask])
        # Two prepared predicates cost a fifth of an intersection: box neighbours that
        # do not meet or only touch (two in five pairs) skip it, as do units that lie
        # wholly within the other (covers also catches those sharing an outer edge).
        meet = sure.copy()
        ask = np.flatnonzero(~meet)
        ask = ask[shapely.intersects(a[ask], b[ask])]
        meet[ask] = ~shapely.touches(a[ask], b[ask])
        new_in = meet & new_in_box[rows]
        new_in[new_in] = shapely.covers(a[new_in], b[new_in])
        old_in = meet & ~new_in & old_in_box[rows]
        old_in[old_in] = shapely.covered_by(a[old_in], b[old_in])
        out[new_in] = shapely.area(b[new_in])
        out[old_in] = shapely.area(a[old_in])
        rest = meet & ~new_in & ~old_in
        return out, rest, rest & sure

    def intersect(rows: np.ndarray) -> np.ndarray:
        return shapely.area(shapely.intersection(old[i[rows]], new[j[rows]]))

    parts = _run(settle, _tasks(i, max(100, min(CHUNK, len(i) // (4 * max(1, workers))))), workers)
    shared = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    rest = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=bool)
    # Pairs found to meet only by `touches` failing are mostly slivers of rounding along
    # a shared edge (their shares are 0 or nearly): none is left to be found.
    sure_rest = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=bool)
    old_area, new_area = shapely.area(old), shapely.area(new)
    closing = Closing(i, j, old_area, new_area, sure_rest, _box_overlap(box_old, box_new))
    measure = np.flatnonzero(rest & ~closing.left)
    if len(measure):
        shared[measure] = np.concatenate(_run(intersect, _split(measure, workers), workers))
    closing.fill(shared, lambda rows: np.concatenate(_run(intersect, _split(rows, workers), workers)))
    keep = shared > 0
    i, j, shared = i[keep], j[keep], shared[keep]
    people = None
    if old_population is not None:
        pop = np.asarray(old_population, dtype=np.float64)
        if np.isfinite(pop).any():
            people = pop[i] * shared / np.where(old_area[i] > 0, old_area[i], 1.0)
    return Crosswalk(old=i.astype(np.int64), new=j.astype(np.int64), shared=shared,
                     old_area=old_area, new_area=new_area, people=people)


def _run(fn, tasks: list[np.ndarray], workers: int) -> list:
    if len(tasks) <= 1 or workers < 2:
        return [fn(t) for t in tasks]
    # shapely releases the GIL: tasks run on separate cores, taken as each frees
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, tasks))


def _split(rows: np.ndarray, workers: int) -> list[np.ndarray]:
    """Pairs to intersect (no predicates, so any split will do) in runs of at least 100, up
    to 16 per thread: small enough that the threads end within a short run of each other."""
    return np.array_split(rows, max(1, min(len(rows) // 100, 16 * max(1, workers))))


SLIVER = 1e-3    # a share found by difference below this part of its unit is measured instead
CLOSURE = 1e-9   # how far a unit's shares may add up from its area (relative)


class Closing:
    """Pairs whose share follows from the others' instead of an intersection.

    Where two layers tile the same land, a unit's shares add up to its area, so one share
    of each unit is its area less the others'. Old units are split in two: an old unit of
    the first kind leaves one pair (`a`) to be found so; a new unit leaves one of its pairs
    with an old unit of the second kind (`b`) to be found from its own area once its `a`
    pairs are known. The second kind are few old units that most new units meet (a
    quarter of them on the E&W bench), so that nearly every unit leaves a pair. Only
    pairs proven to overlap by a point strictly inside are left so. The pairs left out
    form trees of two levels, and each tree keeps one unit whose shares are all measured
    or found but never used to find one: an old unit of the second kind, or a new unit
    without a `b` pair. Its shares must add up to its area within CLOSURE. Where they do
    not (a gap, an overlap, a layer covering less land, another generalisation) the pairs
    found through it are measured after all, until every unit closes or nothing is left
    to find; so are shares found as slivers, which would be mostly rounding, and shares
    larger than either unit or their boxes' overlap. On two re-partitionings of the same
    land over a third of the intersections go.

    What the check cannot see: errors in one tree that cancel to within CLOSURE (a gap
    under one old unit exactly as large as an overlap under another, or as a gap at the
    tree's other end). Layers that tile the same land have neither.
    """

    def __init__(self, i, j, old_area, new_area, rest, guess):
        """guess: a pair's share, roughly; the largest are left to be found (least rounding)."""
        self.i, self.j, self.old_area, self.new_area = i, j, old_area, new_area
        # No share can exceed either unit or their boxes' overlap: a found one that does is wrong.
        self.most = np.minimum(np.minimum(old_area[i], new_area[j]), guess) * (1 + CLOSURE)
        first_kind = ~_second_kind(i[rest], j[rest], len(old_area))
        self.a = _largest_per(np.flatnonzero(rest & first_kind[i]), i, guess)
        self.b = _largest_per(np.flatnonzero(rest & ~first_kind[i]), j, guess)
        self.left = np.zeros(len(i), dtype=bool)
        self.left[self.a] = True
        self.left[self.b] = True

    def fill(self, shared: np.ndarray, measure) -> None:
        i, j, n_old, n_new = self.i, self.j, len(self.old_area), len(self.new_area)
        a, b = self.a, self.b
        while len(a) or len(b):
            shared[a] = 0.0
            shared[b] = 0.0
            shared[a] = self.old_area[i[a]] - np.bincount(i, shared, n_old)[i[a]]
            shared[b] = self.new_area[j[b]] - np.bincount(j, shared, n_new)[j[b]]
            found = np.concatenate((a, b))
            redo = np.concatenate((a[shared[a] < SLIVER * self.old_area[i[a]]],
                                   b[shared[b] < SLIVER * self.new_area[j[b]]],
                                   found[shared[found] > self.most[found]]))
            if not len(redo):
                open_old = _open(np.bincount(i, shared, n_old), self.old_area)
                open_new = _open(np.bincount(j, shared, n_new), self.new_area)
                # A b pair carries its new unit's a pairs' errors on to the old unit at its
                # other end; once it is measured, the new unit checks its a pairs itself.
                redo = np.concatenate((a[open_new[j[a]] & ~np.isin(j[a], j[b])],
                                       b[open_old[i[b]] | open_new[j[b]]]))
                if not len(redo):
                    return
            redo = np.unique(redo)
            shared[redo] = measure(redo)
            a, b = np.setdiff1d(a, redo), np.setdiff1d(b, redo)


def _second_kind(i: np.ndarray, j: np.ndarray, n_old: int) -> np.ndarray:
    """Old units of the second kind, given the pairs to be measured or found (i, j): the
    more new units have one of them as a partner, and the fewer they are, the more
    shares are found instead of measured. Each new unit picks its partner with the most
    pairs; then again, its partner most new units picked."""
    pairs = np.bincount(i, minlength=n_old).astype(np.float64)
    picked = _picks(i, j, pairs, n_old)
    return _picks(i, j, picked + pairs / (pairs.max(initial=0) + 1), n_old) > 0


def _picks(i: np.ndarray, j: np.ndarray, score: np.ndarray, n_old: int) -> np.ndarray:
    """How many new units pick each old unit: each its partner of the highest score."""
    if not len(i):
        return np.zeros(n_old)
    order = np.lexsort((-score[i], j))
    best = order[np.r_[True, j[order][1:] != j[order][:-1]]]
    return np.bincount(i[best], minlength=n_old).astype(np.float64)


def _largest_per(rows: np.ndarray, units: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Of these pairs, each unit's (units[rows]) one with the largest score."""
    if not len(rows):
        return rows
    rows = rows[np.lexsort((-score[rows], units[rows]))]
    return rows[np.r_[True, units[rows][1:] != units[rows][:-1]]]


def _box_overlap(bo: np.ndarray, bn: np.ndarray) -> np.ndarray:
    """Area of each pair's bounding boxes' overlap."""
    return (np.clip(np.minimum(bo[:, 2], bn[:, 2]) - np.maximum(bo[:, 0], bn[:, 0]), 0, None)
            * np.clip(np.minimum(bo[:, 3], bn[:, 3]) - np.maximum(bo[:, 1], bn[:, 1]), 0, None))


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Whether each box (xmin, ymin, xmax, ymax rows) lies within the other one of its pair."""
    return ((inner[:, 0] >= outer[:, 0]) & (inner[:, 1] >= outer[:, 1])
            & (inner[:, 2] <= outer[:, 2]) & (inner[:, 3] <= outer[:, 3]))


def _open(totals: np.ndarray, areas: np.ndarray) -> np.ndarray:
    return np.abs(totals - areas) > CLOSURE * areas


CORNERS = 8   # corners of each unit tried inside the other one of a pair


def _corner_inside(a: np.ndarray, b: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Whether one of CORNERS corners of a[rows_a], spread along its outline, lies strictly
    inside b[rows_b] (pairs of rows)."""
    if not len(rows_a):
        return np.zeros(0, dtype=bool)
    units = np.unique(rows_a)
    xy, owner = shapely.get_coordinates(a[units], return_index=True)
    count = np.bincount(owner, minlength=len(units))
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    corners = xy[start[:, None] + (np.arange(CORNERS)[None, :] * count[:, None]) // CORNERS]
    at = np.searchsorted(units, rows_a)
    x = corners[at, :, 0].ravel()
    y = corners[at, :, 1].ravel()
    inside = shapely.contains_xy(np.repeat(b[rows_b], CORNERS), x, y)
    return inside.reshape(-1, CORNERS).any(axis=1)


def _tasks(old_rows: np.ndarray, size: int) -> list[np.ndarray]:
    """Runs of about size pairs, cut only where the old row changes (old_rows sorted)."""
    n = len(old_rows)
    if n == 0:
        return []
    cuts = np.searchsorted(old_rows, old_rows[np.arange(size, n, size)])
    return [r for r in np.split(np.arange(n), np.unique(cuts)) if len(r)]
