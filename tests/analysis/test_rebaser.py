"""Rebaser.plans(), all areas in one sparse product, against a plain per-area reading of
the crosswalk written here, on the shipped London wards (2020 onto 2022: many codes
unchanged, most redrawn), for every rule."""
import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from models.analysis.rebase import REVIEW_MARGIN, RULES, Rebaser
from models.catalogue.layers import UnitTable
from models.formats import london
from models.formats.boundary_import import read_boundaries
from models.formats.numbers_csv import read_population


def _table(layer_id, layer, population) -> UnitTable:
    n = len(layer.codes)
    return UnitTable(layer_id=layer_id, ids=np.arange(1, n + 1, dtype=np.int64) + 1000 * layer_id,
                     codes=list(layer.codes), names=list(layer.names), parent_codes=list(layer.parent_codes),
                     population=np.asarray(population, dtype=np.float64), geometries=layer.geometries)


@pytest.fixture(scope="module")
def wards():
    old = read_boundaries(london.WARDS_2020)
    new = read_boundaries(london.WARDS_2022)
    pop = [np.nan if p is None else p for p in read_population(london.POPULATION_2020, old.codes)]
    return old, new, pop


def _areas(old) -> list[np.ndarray]:
    """Neighbouring wards in groups of 1-60, one whole borough, and an empty area."""
    rng = np.random.default_rng(7)
    centres = shapely.get_coordinates(shapely.centroid(old.geometries))
    tree = cKDTree(centres)
    areas = [np.sort(np.atleast_1d(tree.query(centres[rng.integers(len(centres))], k=int(k))[1]))
             for k in rng.integers(1, 61, size=40)]
    borough = old.parent_codes[0]
    areas.append(np.flatnonzero(np.array(old.parent_codes) == borough))
    areas.append(np.zeros(0, dtype=np.int64))
    return [np.asarray(a, dtype=np.int64) for a in areas]


def reference(rb: Rebaser, rows, rule, threshold, tolerance) -> dict:
    """What a plan is, pair by pair in Python."""
    cw, old, new = rb.cw, rb.old, rb.new
    inside = set(rows.tolist())
    weights = cw.weights
    total = {}
    for k in range(len(cw)):
        total[cw.new[k]] = total.get(cw.new[k], 0.0) + weights[k]
    got, m2 = {}, {}
    for k in range(len(cw)):
        if cw.old[k] in inside:
            got[cw.new[k]] = got.get(cw.new[k], 0.0) + weights[k]
            m2[cw.new[k]] = m2.get(cw.new[k], 0.0) + cw.shared[k]
    new_rows = sorted(got)
    share = {u: got[u] / total[u] if total[u] > 0 else 0.0 for u in new_rows}
    cut = {"majority": threshold, "any": tolerance, "within": 1 - tolerance}[rule]
    old_of_code = {c: r for r, c in enumerate(old.codes)}
    same = {u: old_of_code.get(new.codes[u], -1) for u in range(len(new.codes))}
    chosen, review = set(), set()
    for u in new_rows:
        if same[u] >= 0:
            if same[u] in inside:
                chosen.add(u)
        else:
            if (share[u] > cut) if rule == "any" else (share[u] >= cut):
                chosen.add(u)
            if abs(share[u] - cut) < REVIEW_MARGIN:
                review.add(u)
    carried = {u for u in range(len(new.codes)) if same[u] in inside}
    chosen |= carried
    if not chosen and new_rows:
        best = max(new_rows, key=lambda u: (got[u], -u))
        chosen.add(best)
        review.add(best)
    after = sorted(chosen)
    km2 = sum(cw.old_area[r] for r in rows) / 1e6

    def people(values):
        known = [v for v in values if np.isfinite(v)]
        return float(sum(known)) if known else None

    people_after = people([new.population[u] for u in after])
    if people_after is None and cw.people is not None:
        people_after = sum(float(np.nansum(cw.people[cw.new == u])) for u in after)
    return {"rows": after, "new_rows": new_rows, "share": [share[u] for u in new_rows],
            "review": sorted(review), "carried": len(carried), "km2_before": km2,
            "km2_after": sum(cw.new_area[u] for u in after) / 1e6,
            "covered": sum(m2[u] for u in after if u in m2) / 1e6 / km2 if km2 else 0.0,
            "within_new": sum(float(cw.covered()[r]) for r in rows) / 1e6 / km2 if km2 else 0.0,
            "people_before": people([old.population[r] for r in rows]), "people_after": people_after}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("new_people", [False, True])
def test_plans_in_one_product_are_each_areas_own_plan(wards, rule, new_people):
    old, new, pop = wards
    new_pop = np.arange(len(new.codes), dtype=np.float64) * 10 if new_people else np.full(len(new.codes), np.nan)
    rb = Rebaser(_table(1, old, pop), _table(2, new, new_pop))
    areas = _areas(old)
    batch = rb.plans(areas, rule)
    assert len(batch) == len(areas)
    assert sum(p["carried"] for p in batch) > 0 and sum(len(p["review"]) for p in batch) > 0
    for rows, got in zip(areas, batch):
        want = reference(rb, rows, rule, 0.5, 0.03)
        one = rb.plan(rows, rule)     # the same area alone gives the same plan
        for key, value in want.items():
            if isinstance(value, list) and value and isinstance(value[0], float):
                np.testing.assert_allclose(got[key], value, rtol=1e-12, err_msg=key)
                np.testing.assert_array_equal(one[key], got[key])
            elif value is None or isinstance(value, (int, list)):
                assert (list(got[key]) if isinstance(value, list) else got[key]) == value, key
                assert (list(one[key]) if isinstance(value, list) else one[key]) == value, key
            else:
                assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
                assert one[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
