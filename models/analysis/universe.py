"""The units every area is made of, and the matrix of which units each area holds.

Units of all boundary layers are the rows of one boolean matrix M (units x areas):
M[u, a] is true when unit u (a ward) belongs to area a. A drawn polygon holds the
units of its layer whose representative point lies inside it. Overlap amounts
(models.analysis.overlaps) and set views (models.analysis.sets) both start here.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy import sparse

from models.catalogue.records import Area
from models.errors import CatalogueError

UNIT_WEIGHTS = ("units", "population", "area")


def check_by(by: str, allowed) -> None:
    if by not in allowed:
        raise CatalogueError(f"overlap by '{by}'? use one of {', '.join(allowed)}")


@dataclass
class Universe:
    """Every unit of every boundary layer, as rows of the membership matrix."""
    unit_ids: np.ndarray        # int64 fids
    layer_ids: np.ndarray       # int64, the layer of each unit
    codes: list[str]
    names: list[str]
    parent_codes: list[str | None]
    population: np.ndarray      # float64, 0 where unknown
    km2: np.ndarray             # float64
    geometries: np.ndarray      # shapely, metres

    def __len__(self) -> int:
        return len(self.unit_ids)

    @cached_property
    def row_of(self) -> dict[int, int]:
        return {int(u): i for i, u in enumerate(self.unit_ids)}

    @cached_property
    def points(self) -> np.ndarray:
        return shapely.point_on_surface(self.geometries)

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.unit_ids, kind="stable")
        return order, self.unit_ids[order]

    @cached_property
    def _lookup(self) -> tuple[int, np.ndarray] | None:
        """(first id, row of each id from it, -1 where none): one gather maps a million unit
        ids to rows. Fids of a catalogue are near-consecutive; a sparse spread of ids (more
        than 4 slots per unit) gets None and the sorted search instead."""
        if not len(self.unit_ids):
            return None
        low, high = int(self.unit_ids.min()), int(self.unit_ids.max())
        if high - low + 1 > 4 * len(self.unit_ids) + 1024:
            return None
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[self.unit_ids - low] = np.arange(len(self.unit_ids), dtype=np.int64)
        return low, table

    def rows_of_ids(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, found): the matrix row of each id and which ids are in the universe."""
        lookup = self._lookup
        if lookup is not None:
            low, table = lookup
            at = ids - low
            if len(at) and (at.min() < 0 or at.max() >= len(table)):   # ids beyond every unit's
                inside = (at >= 0) & (at < len(table))
                rows = np.full(len(ids), -1, dtype=np.int64)
                rows[inside] = table[at[inside]]
            else:
                rows = table[at]
            found = rows >= 0
            return (rows if found.all() else rows[found]), found
        order, ordered = self._sorted
        at = np.minimum(np.searchsorted(ordered, ids), max(len(ordered) - 1, 0))
        found = ordered[at] == ids if len(ordered) else np.zeros(len(ids), dtype=bool)
        return order[at[found]], found

    def rows(self, unit_ids) -> np.ndarray:
        """Matrix rows of these unit ids (ids not in the universe are left out)."""
        return self.rows_of_ids(np.fromiter(unit_ids, dtype=np.int64))[0]

    def weights(self, by: str) -> np.ndarray:
        check_by(by, UNIT_WEIGHTS)
        if by == "units":
            return np.ones(len(self), dtype=np.float64)
        return self.population if by == "population" else self.km2

    def rows_inside(self, polygon, layer_id: int | None) -> np.ndarray:
        """Rows of the units (of one layer) whose representative point lies in polygon."""
        if polygon is None or not len(self):
            return np.empty(0, dtype=np.int64)
        mask = shapely.contains_xy(polygon, shapely.get_x(self.points), shapely.get_y(self.points))
        if layer_id is not None:
            mask &= self.layer_ids == layer_id
        return np.flatnonzero(mask)


def load_universe(cat) -> Universe:
    """All units of the catalogue (geometries decoded once; reuse it across calls)."""
    tables = [cat.layers.table(layer.id) for layer in cat.layers.all()]
    if not tables:
        empty = np.empty(0)
        return Universe(empty.astype(np.int64), empty.astype(np.int64), [], [], [], empty, empty,
                        np.empty(0, dtype=object))
    geoms = np.concatenate([t.geometries for t in tables])
    population = np.concatenate([t.population for t in tables])
    return Universe(
        unit_ids=np.concatenate([t.ids for t in tables]),
        layer_ids=np.concatenate([np.full(len(t), t.layer_id, dtype=np.int64) for t in tables]),
        codes=[c for t in tables for c in t.codes], names=[n for t in tables for n in t.names],
        parent_codes=[p for t in tables for p in t.parent_codes],
        population=np.nan_to_num(population, nan=0.0),
        km2=shapely.area(geoms) / 1e6, geometries=geoms)


def default_layer(cat, universe: Universe) -> int | None:
    """The layer drawn-only areas and coverage refer to: the first ward layer, else the largest."""
    layers = cat.layers.all()
    wards = [layer.id for layer in layers if layer.level == "ward"]
    if wards:
        return wards[0]
    if not len(universe):
        return None
    ids, counts = np.unique(universe.layer_ids, return_counts=True)
    return int(ids[np.argmax(counts)])


def membership_matrix(universe: Universe, areas: list[Area],
                      drawn_layer: int | None = None) -> sparse.csc_array:
    """M for these areas, in their order; a drawn area without a layer of its own counts
    the units of `drawn_layer`."""
    # All areas' unit ids in one array, looked up in one go: at a hundred thousand units
    # the lookup and the matrix assembly cost more than the product.
    counts = np.fromiter((len(a.unit_ids) for a in areas), dtype=np.int64, count=len(areas))
    ids = np.fromiter(itertools.chain.from_iterable(a.unit_ids for a in areas), dtype=np.int64,
                      count=int(counts.sum()))
    rows, found = universe.rows_of_ids(ids)
    if not found.all():   # units of a deleted layer: leave them out of their columns
        counts = np.bincount(np.repeat(np.arange(len(areas)), counts)[found], minlength=len(areas))
    drawn = [(k, universe.rows_inside(a.drawn, a.layer_id or drawn_layer))
             for k, a in enumerate(areas) if a.drawn is not None]
    if drawn:   # a drawn area adds the units under it (perhaps some it already holds)
        cols = [np.repeat(np.arange(len(areas)), counts)] + [np.full(len(r), k) for k, r in drawn]
        rows = np.concatenate([rows] + [r for _, r in drawn])
        counts = np.bincount(np.concatenate(cols), minlength=len(areas))
        rows = rows[np.argsort(np.concatenate(cols), kind="stable")]
    # Columns are already grouped by area: build CSC directly (no COO sort of every entry).
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    m = sparse.csc_array((np.ones(len(rows), dtype=bool), rows, indptr), shape=(len(universe), len(areas)))
    if drawn:   # each unit once in a column (a drawn area may repeat a unit it holds)
        m.sum_duplicates()
    # Rows within a column stay in set order: sorting them all costs more than the product
    # now, and nothing downstream needs it (a CSR copy comes out sorted anyway).
    return m
