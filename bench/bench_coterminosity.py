"""Coterminosity speed on the 8,071 England & Wales wards.

coterminosity_500x200: 500 partnership areas (5–300 wards each, a seed ward and its nearest
neighbours, as bench_overlaps makes them) against a reference geography of 200 areas that
partitions England and Wales (its 339 local authorities grouped round 200 seeds, each authority
joining the nearest seed, as ICBs and police force areas group authorities), by population: both
sparse membership matrices built from the unit lists, every shared amount, the shares both ways,
Jaccard, each area's category, split count, best fit and nesting term, the relative nesting index
and the intact share. Anchor in the same run: geopandas.overlay of the two sets of outlines
(intersection, then each piece's area), the areas dissolved beforehand and not counted; timed on
a sample of partnership areas against all 200 and scaled.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree

from bench.bench_overlaps import ew_universe, random_areas
from bench.harness import median_ms, result
from models.analysis.coterminosity import (
    CATEGORIES,
    Pair,
    Summary,
    _matrix,
    intact_share,
    nesting_index,
    shared_amounts,
    summarise,
)

N_AREAS, N_REFERENCES = 500, 200
OVERLAY_AREAS = 25        # partnership areas overlaid against all 200 reference areas for the anchor


def reference_sets(universe, n: int, seed: int = 2022) -> list[np.ndarray]:
    """n groups of whole local authorities covering every ward once (unit ids per group)."""
    parents = np.array(universe.parent_codes, dtype=object)
    codes, which = np.unique(parents.astype(str), return_inverse=True)
    centres = shapely.get_coordinates(shapely.centroid(universe.geometries))
    lad_centre = np.array([centres[which == k].mean(axis=0) for k in range(len(codes))])
    rng = np.random.default_rng(seed)
    seeds = rng.choice(len(codes), size=n, replace=False)
    _, group_of_lad = cKDTree(lad_centre[seeds]).query(lad_centre)
    group = group_of_lad[which]
    return [universe.unit_ids[group == g] for g in range(n)]


def all_measures(ids_sorted, area_sets, ref_sets, weights):
    m = shared_amounts(_matrix(ids_sorted, area_sets), _matrix(ids_sorted, ref_sets), weights)
    (category, split_into, best, best_jaccard, nesting, covered), pairs = summarise(m)
    # The records measure() hands on, as it builds them (names stand in as numbers here).
    i, j, v, a_in_b, b_in_a, jaccard = (x.tolist() for x in pairs)
    records = [Pair(a, str(a), b, str(b), x, y, z, s) for a, b, s, x, y, z in zip(i, j, v, a_in_b, b_in_a, jaccard)]
    summary = [Summary(k, str(k), CATEGORIES[c], n, str(b) if b >= 0 else None, bj, ne, co)
               for k, (c, n, b, bj, ne, co) in enumerate(zip(category.tolist(), split_into.tolist(), best.tolist(),
                                                              best_jaccard.tolist(), nesting.tolist(),
                                                              covered.tolist()))]
    return category, records, summary, nesting_index(nesting, category), intact_share(category, split_into)


def overlay_anchor(universe, area_sets, ref_sets, rng) -> tuple[float, int]:
    import geopandas as gpd

    row = universe.row_of
    outline = lambda ids: shapely.coverage_union_all(universe.geometries[[row[int(u)] for u in ids]])  # noqa: E731
    refs = gpd.GeoDataFrame({"ref": np.arange(len(ref_sets))}, geometry=[outline(s) for s in ref_sets], crs=27700)
    some = rng.choice(len(area_sets), size=OVERLAY_AREAS, replace=False)
    areas = gpd.GeoDataFrame({"area": some}, geometry=[outline(area_sets[k]) for k in some], crs=27700)
    t0 = time.perf_counter()
    pieces = gpd.overlay(areas, refs, how="intersection", keep_geom_type=True)
    pieces.geometry.area.groupby([pieces["area"], pieces["ref"]]).sum()
    ms = (time.perf_counter() - t0) * 1000
    return ms * len(area_sets) / OVERLAY_AREAS, len(pieces)


def run(data: Path, workdir: Path) -> list[dict]:
    universe = ew_universe(data)
    order = np.argsort(universe.unit_ids)
    ids_sorted = universe.unit_ids[order]
    weights = universe.population[order]
    area_sets = [np.fromiter(a.unit_ids, dtype=np.int64) for a in random_areas(universe, N_AREAS)]
    ref_sets = reference_sets(universe, N_REFERENCES)
    value = median_ms(lambda: all_measures(ids_sorted, area_sets, ref_sets, weights), repeat=7)
    category, pairs, _, rn, intact = all_measures(ids_sorted, area_sets, ref_sets, weights)
    anchor, pieces = overlay_anchor(universe, area_sets, ref_sets, np.random.default_rng(7))
    counts = np.bincount(category, minlength=5)
    note = (f"{N_AREAS} areas of 5-300 wards against {N_REFERENCES} reference areas (groups of whole local "
            f"authorities partitioning {len(universe):,} wards), by population: {len(pairs):,} pairs touched; "
            f"categories coterminous/nested/contains/split/outside = {'/'.join(map(str, counts))}; "
            f"nesting index {rn:.3f}, intact share {intact:.2f}. Value includes building both sparse matrices "
            f"from the unit lists and the Pair and Summary records. Anchor: geopandas.overlay of "
            f"{OVERLAY_AREAS} dissolved areas against the "
            f"{N_REFERENCES} dissolved reference areas ({pieces} pieces) with their areas summed, scaled "
            f"x{N_AREAS / OVERLAY_AREAS:g}; dissolving not counted; it gives km² only.")
    return [result("coterminosity_500x200", value, "<= 50 ms", {"geopandas_overlay": anchor}, note=note)]
