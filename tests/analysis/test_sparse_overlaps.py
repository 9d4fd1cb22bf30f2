"""The sparse overlap matrix against a plain dense computation on random cases.

Units held by the same areas are merged before the product (models.analysis.overlaps
shared_products); these tests build membership both ways and compare every amount.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import sparse

from models.analysis import overlaps
from models.analysis.universe import Universe, membership_matrix
from models.catalogue.records import Area


def universe_of(unit_ids: np.ndarray, rng) -> Universe:
    n = len(unit_ids)
    boxes = shapely.box(np.arange(n) * 10.0, 0.0, np.arange(n) * 10.0 + 10.0, 10.0)
    return Universe(unit_ids=unit_ids, layer_ids=np.ones(n, dtype=np.int64),
                    codes=[f"U{k}" for k in range(n)], names=[f"Unit {k}" for k in range(n)],
                    parent_codes=[None] * n, population=rng.integers(0, 5000, n).astype(np.float64),
                    km2=rng.random(n), geometries=boxes)


def random_areas(universe: Universe, n_areas: int, rng, runs: bool) -> list[Area]:
    """Areas of runs of neighbouring units (many units then share their set of areas)
    or of units picked anywhere (almost none do)."""
    areas = []
    for k in range(n_areas):
        size = int(rng.integers(0, len(universe) // 3))
        if runs:
            start = int(rng.integers(0, len(universe) - size + 1))
            picked = universe.unit_ids[start:start + size]
        else:
            picked = rng.choice(universe.unit_ids, size=size, replace=False)
        areas.append(Area(f"Area {k}", layer_id=1, unit_ids=frozenset(picked.tolist()), id=k + 1))
    return areas


def dense_shared(universe: Universe, areas: list[Area], weights: np.ndarray) -> np.ndarray:
    """Shared amount of every pair, one pair at a time from the areas' sets of unit ids."""
    weight_of = dict(zip(universe.unit_ids.tolist(), weights.tolist()))
    out = np.zeros((len(areas), len(areas)))
    for i, a in enumerate(areas):
        for j, b in enumerate(areas):
            out[i, j] = sum(weight_of[u] for u in a.unit_ids & b.unit_ids if u in weight_of)
    return out


@pytest.mark.parametrize("runs", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matrix_equals_a_dense_computation(seed, runs):
    rng = np.random.default_rng(seed)
    # Ids with gaps and not in order, as fids are after deletions and several layers.
    ids = rng.permutation(np.arange(1, 700, dtype=np.int64))[:400] * 3 + 11
    universe = universe_of(ids, rng)
    areas = random_areas(universe, 40, rng, runs)
    # A unit id no longer in the universe (its layer deleted) counts for nothing.
    areas[0] = Area("Area 0", layer_id=1, unit_ids=areas[0].unit_ids | {999_999}, id=1)
    got = overlaps.build_area_set(universe, areas).overlaps(("units", "population", "area"))
    for by in ("units", "population", "area"):
        want = dense_shared(universe, areas, universe.weights(by))
        np.testing.assert_allclose(got[by].shared, want, rtol=1e-12, atol=1e-9)
    assert np.array_equal(got["units"].sizes, [len(a.unit_ids - {999_999}) for a in areas])


def test_ids_spread_far_apart_take_the_sorted_search():
    rng = np.random.default_rng(5)
    ids = np.sort(rng.choice(10**9, size=300, replace=False)).astype(np.int64)
    universe = universe_of(ids, rng)
    assert universe._lookup is None
    areas = random_areas(universe, 25, rng, runs=True)
    got = overlaps.build_area_set(universe, areas).overlap("population")
    np.testing.assert_allclose(got.shared, dense_shared(universe, areas, universe.population), rtol=1e-12)
    assert list(universe.rows([ids[7], 12345, ids[0]])) == [7, 0]


def test_same_key_for_different_rows_does_not_merge_them():
    # Column keys 1, 2, 3: the row holding columns 0 and 1 sums to the key of the row holding
    # column 2 alone. The rows must stay apart (the check falls back to one group per row).
    m = sparse.csr_array(np.array([[1, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=bool))
    group, first = overlaps._row_groups(m, salt=np.array([1, 2, 3], dtype=np.uint64))
    assert group[0] != group[1]
    assert len(set(group.tolist())) == 4
    # With keys that tell them apart, equal rows merge.
    group, first = overlaps._row_groups(m, salt=np.array([1, 2, 8], dtype=np.uint64))
    assert group[0] == group[2] and len(first) == 3


def test_drawn_area_units_count_once_with_its_own():
    rng = np.random.default_rng(9)
    universe = universe_of(np.arange(1, 51, dtype=np.int64), rng)
    box = shapely.box(0, 0, 100, 10)   # units 1-10 by their representative points
    areas = [Area("Drawn", layer_id=1, unit_ids=frozenset({1, 2, 30}), drawn=box, id=1),
             Area("Plain", layer_id=1, unit_ids=frozenset(range(5, 35)), id=2)]
    m = membership_matrix(universe, areas)
    assert sorted(universe.unit_ids[m.indices[m.indptr[0]:m.indptr[1]]].tolist()) == [*range(1, 11), 30]
    units = overlaps.build_area_set(universe, areas).overlap("units")
    assert units.shared.tolist() == [[11, 7], [7, 30]]
