"""Overlap speed on the 8,071 England & Wales wards.

overlap_matrix_500: 500 random areas of 5–300 wards (each a seed ward and its
nearest neighbours, so areas are compact and overlap as real groupings do);
the full pairwise matrix by units, population and km², membership matrix built
from the areas' unit lists included. Anchors on the same areas: shapely
(dissolve each area, then intersect every pair) and geopandas.overlay (dissolve,
then overlay the areas with themselves). Both would run for minutes, so they
are timed on a random sample and scaled; the note says how.

heatmap_redraw_100: the overlap heatmap of 100 areas redrawn (new matrix,
labels, colour bar) and painted into an offscreen image.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree

from bench.harness import median_ms, result
from models.analysis.overlaps import build_area_set
from models.analysis.universe import Universe
from models.catalogue.records import Area
from models.formats.boundary_import import read_boundaries
from models.formats.numbers_csv import read_population

N_AREAS, MIN_WARDS, MAX_WARDS = 500, 5, 300
SHAPELY_PAIRS = 3000      # pairs intersected for the shapely anchor
OVERLAY_AREAS = 4         # areas overlaid against all 500 for the geopandas anchor


def ew_universe(data: Path) -> Universe:
    wards = read_boundaries(data / "england_wales_wards_2020_bgc.geojson.gz")
    pop = read_population(data / "ward_population_mid2020_england_wales.csv", wards.codes)
    geoms = wards.geometries
    n = len(wards.codes)
    return Universe(unit_ids=np.arange(1, n + 1, dtype=np.int64), layer_ids=np.ones(n, dtype=np.int64),
                    codes=wards.codes, names=wards.names, parent_codes=wards.parent_codes,
                    population=np.array([p or 0.0 for p in pop], dtype=np.float64),
                    km2=shapely.area(geoms) / 1e6, geometries=geoms)


def random_areas(universe: Universe, n: int, seed: int = 20201231) -> list[Area]:
    rng = np.random.default_rng(seed)
    centres = shapely.get_coordinates(shapely.centroid(universe.geometries))
    tree = cKDTree(centres)
    areas = []
    for k in range(n):
        size = int(rng.integers(MIN_WARDS, MAX_WARDS + 1))
        seed_row = int(rng.integers(len(universe)))
        _, rows = tree.query(centres[seed_row], k=size)
        areas.append(Area(f"Area {k:03d}", layer_id=1, unit_ids=frozenset(universe.unit_ids[rows].tolist()),
                          id=k + 1))
    return areas


def ours(universe: Universe, areas: list[Area]):
    return build_area_set(universe, areas).overlaps(("units", "population", "area"))


def shapely_anchor(universe: Universe, areas: list[Area], rng):
    """ms for all pairs (dissolves timed in full, pair intersections sampled and scaled)."""
    row_of = universe.row_of
    t0 = time.perf_counter()
    outlines = np.array([shapely.union_all(universe.geometries[[row_of[u] for u in a.unit_ids]])
                         for a in areas], dtype=object)
    dissolve_ms = (time.perf_counter() - t0) * 1000
    n = len(areas)
    i, j = np.triu_indices(n, k=1)
    pick = rng.choice(len(i), size=min(SHAPELY_PAIRS, len(i)), replace=False)
    t0 = time.perf_counter()
    km2 = np.array([shapely.intersection(outlines[a], outlines[b]).area / 1e6
                    for a, b in zip(i[pick], j[pick])])
    pair_ms = (time.perf_counter() - t0) * 1000
    return dissolve_ms + pair_ms * len(i) / len(pick), i[pick], j[pick], km2, outlines


def geopandas_anchor(outlines: np.ndarray, rng) -> float:
    """overlay(some areas, all areas) timed and scaled to all areas (dissolve not included)."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"area": np.arange(len(outlines))}, geometry=list(outlines), crs=27700)
    some = rng.choice(len(outlines), size=OVERLAY_AREAS, replace=False)
    t0 = time.perf_counter()
    gpd.overlay(frame.iloc[some], frame, how="intersection", keep_geom_type=True)
    return (time.perf_counter() - t0) * 1000 * len(outlines) / OVERLAY_AREAS


def run(data: Path, workdir: Path) -> list[dict]:
    universe = ew_universe(data)
    areas = random_areas(universe, N_AREAS)
    value = median_ms(lambda: ours(universe, areas), repeat=7)
    product_only = build_area_set(universe, areas)
    product_ms = median_ms(lambda: product_only.overlaps(("units", "population", "area")), repeat=7)
    rng = np.random.default_rng(7)
    shapely_ms, i, j, km2, outlines = shapely_anchor(universe, areas, rng)
    # Same answers: the sampled shapely intersections against our matrix.
    ours_km2 = ours(universe, areas)["area"].shared[i, j]
    worst = float(np.max(np.abs(ours_km2 - km2)))
    geopandas_ms = geopandas_anchor(outlines, rng)
    note = (f"{N_AREAS} areas of {MIN_WARDS}-{MAX_WARDS} wards on {len(universe):,} wards; value includes "
            f"building the sparse ward x area matrix (the product alone: {product_ms:.1f} ms). "
            f"Anchors scaled from samples: shapely = union_all per area (all {N_AREAS}, timed) + "
            f"intersection of {SHAPELY_PAIRS:,} random pairs scaled to all {len(areas) * (len(areas) - 1) // 2:,}; "
            f"geopandas = overlay of {OVERLAY_AREAS} areas against all {N_AREAS} scaled x{N_AREAS // OVERLAY_AREAS} "
            f"(dissolve not counted). Anchors give km² only. Largest km² difference on the sampled pairs: "
            f"{worst:.2e} km².")
    out = [result("overlap_matrix_500", value, "<= 50 ms",
                  {"shapely_union_intersect": shapely_ms, "geopandas_overlay": geopandas_ms}, note=note)]
    out.extend(heatmap_results(universe, areas))
    return out


def heatmap_results(universe: Universe, areas: list[Area]) -> list[dict]:
    """Redraw = new matrix in (clustering order, labels, colour bar) and painted at 900 x 900."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ui.overlaps.plots.heatmap import HeatmapPlot

    matrices = build_area_set(universe, areas[:100]).overlaps(("units", "population"))
    plot = HeatmapPlot()
    plot.resize(900, 900)
    plot.show()
    app.processEvents()
    turn = iter(range(10**6))

    def redraw():
        m = matrices["units" if next(turn) % 2 else "population"]
        plot.set_matrix(m, "jaccard", "cluster")
        plot.settle()
        plot.grab()

    value = median_ms(redraw, repeat=9, warmup=2)
    anchor = median_ms(lambda: matplotlib_heatmap(matrices["units"]), repeat=5)
    plot.close()
    plot.deleteLater()
    app.processEvents()
    return [result("heatmap_redraw_100", value, "<= 50 ms", {"matplotlib_imshow": anchor},
                   note="100 areas, Jaccard by wards and by population in turn, clustering order, 100 row "
                        "labels, colour bar, painted to a 900x900 image; anchor: matplotlib imshow with the "
                        "same labels and colour bar drawn on an Agg canvas of the same size")]


def matplotlib_heatmap(m) -> None:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    order = m.order("cluster")
    r = m.reordered(order)
    values = r.jaccard.copy()
    np.fill_diagonal(values, np.nan)
    fig = Figure(figsize=(9, 9), dpi=100)
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap="viridis_r", vmin=0, vmax=1)
    ax.set_yticks(range(len(r)), r.names, fontsize=6)
    ax.set_xticks(range(len(r)), [str(k + 1) for k in range(len(r))], fontsize=6)
    fig.colorbar(image, ax=ax)
    fig.canvas.draw()
