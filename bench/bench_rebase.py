"""Re-basing speed: crosswalks between ward vintages, and areas carried over one.

crosswalk_london: the 657 December 2020 London wards (BGC) against the 704 of
December 2022 (BSC): every overlapping pair's shared m², people-weighted. Anchor:
geopandas.overlay of the two layers (intersection) and a groupby of the pieces'
areas by (old, new) code, what a researcher would write today.

crosswalk_ew: the 8,071 England & Wales wards (December 2020, BGC) against a second
vintage made here, untimed, by re-partitioning each local authority district
(repartition(), seed 2022):
  1. the district's outline is the coverage union of its wards;
  2. as many points as it has wards are drawn uniformly in its bounding box, keeping
     only those inside the outline;
  3. their Voronoi cells, extended to the outline, are each intersected with it.
A district of one ward keeps it whole. So the new wards tile the same land as the
old ones, district by district: along the districts' outer edges (coast included)
they follow the old wards' outlines, while their inner edges are straight lines
unrelated to the old wards'. Timed: the crosswalk of
the two layers with the wards' mid-2020 people (median of 3 runs after one warm-up,
two threads); the note gives the number of overlapping pairs and the largest
relative difference from plain shapely.intersection over all of them. Anchor
(timed once): that plain way, every pair of overlapping boxes from an STRtree
intersected in one shapely call.

rebase_500: 500 areas of 5-300 neighbouring wards re-based over that crosswalk
(majority rule; shares, review list, km² and people for each), all in one
Rebaser.plans() call as plan_rebase makes it. Anchor: the majority rule alone,
area by area in numpy over all the crosswalk's pairs.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from bench.bench_overlaps import N_AREAS, ew_universe, random_areas
from bench.harness import median_ms, result
from models.analysis.rebase import Rebaser
from models.catalogue.layers import UnitTable
from models.formats import london
from models.formats.boundary_import import read_boundaries
from models.formats.numbers_csv import read_population
from models.geo.crosswalk import crosswalk


def _table(layer_id, codes, parents, population, geometries) -> UnitTable:
    n = len(codes)
    return UnitTable(layer_id=layer_id, ids=np.arange(1, n + 1, dtype=np.int64) + layer_id * 100_000,
                     codes=list(codes), names=list(codes), parent_codes=list(parents),
                     population=np.asarray(population, dtype=np.float64), geometries=geometries)


def repartition(geometries: np.ndarray, parents: list[str], seed: int = 2022) -> tuple[list, list, np.ndarray]:
    """A second vintage: each district cut into Voronoi cells of random points inside it."""
    rng = np.random.default_rng(seed)
    parents_arr = np.array(parents)
    codes, new_parents, cells = [], [], []
    for district in sorted(set(parents)):
        rows = np.flatnonzero(parents_arr == district)
        shape = shapely.coverage_union_all(geometries[rows])
        x0, y0, x1, y1 = shape.bounds
        shapely.prepare(shape)
        points = np.empty((0, 2))
        while len(points) < len(rows):
            xy = rng.uniform((x0, y0), (x1, y1), size=(4 * len(rows) + 8, 2))
            points = np.vstack([points, xy[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])]])
        points = points[:len(rows)]
        if len(points) == 1:
            parts = [shape]
        else:
            regions = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shape)
            parts = [shapely.intersection(cell, shape) for cell in shapely.get_parts(regions)]
        for k, part in enumerate(p for p in parts if not p.is_empty and p.area > 0):
            codes.append(f"{district}-{k:03d}")
            new_parents.append(district)
            cells.append(part)
    return codes, new_parents, np.array(cells, dtype=object)


def _plain_crosswalk(old, new):
    """What one would write first: every pair of overlapping boxes intersected, in one call."""
    i, j = shapely.STRtree(new).query(old)
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    m2 = shapely.area(shapely.intersection(old[i], new[j]))
    keep = m2 > 0
    return i[keep], j[keep], m2[keep]


def _per_area_majority(cw, rows):
    """The majority rule alone, area by area in numpy over all the crosswalk's pairs."""
    total, weights, out = cw.new_totals(), cw.weights, []
    for r in rows:
        inside = np.zeros(len(cw.old_area), dtype=bool)
        inside[r] = True
        m = inside[cw.old]
        got = np.bincount(cw.new[m], weights[m], minlength=len(cw.new_area))
        share = np.divide(got, total, out=np.zeros(len(got)), where=total > 0)
        after = np.flatnonzero(share >= 0.5)
        out.append((after, cw.new_area[after].sum() / 1e6))
    return out


def _overlay(old_codes, old_geoms, new_codes, new_geoms):
    import geopandas as gpd

    a = gpd.GeoDataFrame({"old": old_codes}, geometry=list(old_geoms), crs=27700)
    b = gpd.GeoDataFrame({"new": new_codes}, geometry=list(new_geoms), crs=27700)
    pieces = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces["m2"] = pieces.geometry.area
    return pieces.groupby(["old", "new"])["m2"].sum()


def run(data: Path, workdir: Path) -> list[dict]:
    out = []
    old = read_boundaries(london.WARDS_2020)
    new = read_boundaries(london.WARDS_2022)
    pop = np.array([np.nan if p is None else p for p in read_population(london.POPULATION_2020, old.codes)])
    ours = median_ms(lambda: crosswalk(old.geometries, new.geometries, pop), repeat=5)
    anchor = median_ms(lambda: _overlay(old.codes, old.geometries, new.codes, new.geometries), repeat=3)
    cw = crosswalk(old.geometries, new.geometries, pop)
    out.append(result("crosswalk_london", ours, "<= 300 ms", {"geopandas_overlay_crosswalk": anchor},
                      note=f"{len(old.codes)} x {len(new.codes)} wards, {len(cw):,} overlapping pairs"))

    ew = ew_universe(data)
    codes, parents, cells = repartition(ew.geometries, ew.parent_codes)
    ours = median_ms(lambda: crosswalk(ew.geometries, cells, ew.population), repeat=3)
    anchor = median_ms(lambda: _plain_crosswalk(ew.geometries, cells), repeat=1, warmup=0)
    cw = crosswalk(ew.geometries, cells, ew.population)
    i, j, plain = _plain_crosswalk(ew.geometries, cells)
    order = np.lexsort((cw.new, cw.old))
    same = np.array_equal(i, cw.old[order]) and np.array_equal(j, cw.new[order])
    worst = np.max(np.abs(cw.shared[order] - plain) / plain) if same else float("inf")
    out.append(result("crosswalk_ew", ours, "<= 2 s", {"strtree_intersection": anchor},
                      note=f"{len(ew.codes):,} wards x {len(codes):,} Voronoi cells of their districts "
                           f"(random points, seed 2022, clipped to each district), {len(cw):,} overlapping "
                           f"pairs, {'the same as' if same else 'NOT the same as'} plain shapely.intersection's, "
                           f"every share within {worst:.1e} of its"))

    old_t = _table(1, ew.codes, ew.parent_codes, ew.population, ew.geometries)
    new_t = _table(2, codes, parents, np.full(len(codes), np.nan), cells)
    areas = random_areas(ew, N_AREAS)
    row_of = {int(u): k for k, u in enumerate(ew.unit_ids)}
    rows = [np.array(sorted(row_of[u] for u in a.unit_ids)) for a in areas]

    def rebase_all():   # as plan_rebase does: all the areas in one call
        rb = Rebaser(old_t, new_t, cw)
        return rb.plans(rows)

    ours = median_ms(rebase_all, repeat=5)
    anchor = median_ms(lambda: _per_area_majority(cw, rows), repeat=3)
    plans = rebase_all()
    drift = np.median([abs(p["km2_after"] - p["km2_before"]) / p["km2_before"] for p in plans])
    out.append(result("rebase_500", ours, "<= 100 ms", {"numpy_per_area_majority": anchor},
                      note=f"{N_AREAS} areas of 5-300 wards, majority rule; median km² change {drift:.1%}"))
    return out
