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

    def rows(self, unit_ids) -> np.ndarray:
        """Matrix rows of these unit ids (ids not in the universe are left out)."""
        ids = np.fromiter(unit_ids, dtype=np.int64)
        order, ordered = self._sorted
        at = np.minimum(np.searchsorted(ordered, ids), max(len(ordered) - 1, 0))
        found = ordered[at] == ids if len(ordered) else np.zeros(len(ids), dtype=bool)
        return order[at[found]]

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
    # All areas' unit ids in one array, looked up in one go (the 500-area benchmark
    # spends most of its time here, not in the product).
    ids = np.fromiter(itertools.chain.from_iterable(a.unit_ids for a in areas), dtype=np.int64,
                      count=sum(len(a.unit_ids) for a in areas))
    cols = np.repeat(np.arange(len(areas)), [len(a.unit_ids) for a in areas])
    order, ordered = universe._sorted
    at = np.minimum(np.searchsorted(ordered, ids), max(len(ordered) - 1, 0))
    found = ordered[at] == ids if len(ordered) else np.zeros(len(ids), dtype=bool)
    rows, cols = [order[at[found]]], [cols[found]]
    for k, a in enumerate(areas):
        if a.drawn is not None:
            inside = universe.rows_inside(a.drawn, a.layer_id or drawn_layer)
            rows.append(inside)
            cols.append(np.full(len(inside), k))
    rows_arr, cols_arr = np.concatenate(rows), np.concatenate(cols)
    m = sparse.csc_array((np.ones(len(rows_arr), dtype=bool), (rows_arr, cols_arr)),
                         shape=(len(universe), len(areas)))
    m.sum_duplicates()   # canonical: sorted rows, each once (a drawn area may repeat a unit)
    return m
