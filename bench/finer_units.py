"""Finer boundary layers for measuring: every England & Wales ward split into k parts.

Researchers build areas from units finer than wards (LSOAs, ~35k; output areas, ~180k),
which are not in the shared data. This makes stand-ins of the same sizes from the wards,
deterministically: k = 4 gives 32,284 units, k = 20 gives 161,420.

Each ward (as the app's importer reads it: British National Grid, repaired) gets k seeded
random points inside it; their Voronoi cells are clipped to the ward. All ward outlines
and all clipped Voronoi edges of the whole layer are then noded together on a 1 cm grid
and polygonized, so the parts form one noded tiling: where a Voronoi edge meets a ward
boundary, the vertex it adds is on the neighbouring ward's parts too (they share that
edge). Each face goes to the ward holding it and to the nearest of that ward's points.

Codes are the ward's code with a two-digit suffix (E05000026-07), names the ward's name
with the part number, the parent code the ward's LAD code; the population of a ward is
split by area share, in whole people, summing to the ward's (empty stays empty).

Generated files are cached in ~/.cache/partnership-atlas-bench (or $XDG_CACHE_HOME), keyed
by a hash of the input files, k, the seed, GENERATOR_VERSION and the GEOS version.

    python -m bench.finer_units --data ../shared/data --out DIR   # writes units_32k/160k
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

GENERATOR_VERSION = 1
SEED = 13
GRID = 0.01   # metres: the 1 cm grid every vertex is snapped to
WARDS = "england_wales_wards_2020_bgc.geojson.gz"
POPULATION = "ward_population_mid2020_england_wales.csv"
CODE_FIELD, NAME_FIELD, PARENT_FIELD, WARD_FIELD = "WDPT20CD", "WDPT20NM", "LAD20CD", "WD20CD"
# The layer's name in the GeoPackage.
LAYER = "units"


@dataclass
class Parts:
    """A split layer: k parts per ward, ward by ward, in the wards' order."""
    codes: list[str]
    names: list[str]
    parent_codes: list[str | None]
    ward_codes: list[str]
    geometries: np.ndarray
    populations: list[int | None]


def seed_points(ward, k: int, rng: np.random.Generator) -> np.ndarray:
    """k distinct random points strictly inside `ward` (rejection sampling in its bounds)."""
    x0, y0, x1, y1 = ward.bounds
    shapely.prepare(ward)
    found = np.empty((0, 2))
    batch = max(8 * k, 64)
    while len(found) < k:
        xy = np.column_stack([rng.uniform(x0, x1, batch), rng.uniform(y0, y1, batch)])
        found = np.vstack([found, xy[shapely.contains_xy(ward, xy[:, 0], xy[:, 1])]])
        # A thin ward takes several batches: grow them rather than loop many times.
        batch *= 2
    return found[:k]


def split_wards(codes, names, parent_codes, geometries, populations, k: int, seed: int = SEED) -> Parts:
    """Split each ward into k parts forming one noded tiling (see the module docstring)."""
    wards = shapely.set_precision(np.asarray(geometries, dtype=object), GRID)
    n = len(wards)
    # One generator per ward, seeded by (seed, ward's position): a ward's points do not
    # depend on how many points other wards needed.
    seeds = np.stack([seed_points(w, k, np.random.default_rng([seed, i])) for i, w in enumerate(wards)])
    points = shapely.multipoints(seeds.reshape(-1, 2), indices=np.repeat(np.arange(n), k))
    edges = shapely.voronoi_polygons(points, extend_to=wards, only_edges=True)
    inside = shapely.intersection(edges, wards)
    lines = np.concatenate([shapely.boundary(wards), inside])
    lines = lines[~shapely.is_empty(lines)]
    # Snap rounding on the 1 cm grid nodes every line with every other: a vertex one
    # ward's Voronoi edge adds on a shared boundary is on both sides of it.
    noded = shapely.union_all(lines, grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inner = shapely.point_on_surface(faces)
    face_i, ward_i = shapely.STRtree(wards).query(inner, predicate="within")
    # A face in no ward is a gap between wards (none in the ONS layer, but possible);
    # a face in two (overlapping wards) goes to the first.
    first = np.unique(face_i, return_index=True)[1]
    face_i, ward_i = face_i[first], ward_i[first]
    xy = shapely.get_coordinates(inner[face_i])
    nearest = ((seeds[ward_i] - xy[:, None, :]) ** 2).sum(axis=2).argmin(axis=1)
    part_i = ward_i * k + nearest
    geoms = _gather(faces[face_i], part_i, n * k)
    missing = np.flatnonzero(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    if len(missing):
        ward = missing[0] // k
        raise ValueError(f"ward {codes[ward]} part {missing[0] % k + 1} came out empty")
    return Parts(
        codes=[f"{c}-{j + 1:02d}" for c in codes for j in range(k)],
        names=[f"{name} part {j + 1}" for name in names for j in range(k)],
        parent_codes=[p for p in parent_codes for _ in range(k)],
        ward_codes=[c for c in codes for _ in range(k)],
        geometries=geoms,
        populations=_split_population(populations, shapely.area(geoms).reshape(n, k)))


def _gather(faces: np.ndarray, part_i: np.ndarray, count: int) -> np.ndarray:
    """One MultiPolygon per part from its faces (adjacent faces of a part dissolved)."""
    order = np.argsort(part_i, kind="stable")
    faces, part_i = faces[order], part_i[order]
    starts = np.flatnonzero(np.r_[True, part_i[1:] != part_i[:-1]])
    ends = np.r_[starts[1:], len(part_i)]
    merged = faces[starts].copy()
    for s, e in zip(starts, ends):
        if e - s > 1:  # faces of a noded tiling: coverage union keeps the shared vertices
            merged[np.searchsorted(starts, s)] = shapely.coverage_union_all(faces[s:e])
    polygons = shapely.get_parts(merged, return_index=True)
    out = np.full(count, None, dtype=object)
    out[part_i[starts]] = shapely.multipolygons(polygons[0], indices=polygons[1])
    return out


def _split_population(populations, areas: np.ndarray) -> list[int | None]:
    """Each ward's population shared among its parts by area, in whole people (largest
    remainder), so the parts add up to the ward exactly."""
    pop = np.array([np.nan if p is None else float(p) for p in populations])
    share = areas / areas.sum(axis=1, keepdims=True)
    exact = np.nan_to_num(pop)[:, None] * share
    whole = np.floor(exact).astype(np.int64)
    short = np.rint(np.nan_to_num(pop)).astype(np.int64) - whole.sum(axis=1)
    rank = np.argsort(np.argsort(-(exact - whole), axis=1, kind="stable"), axis=1)
    whole += rank < short[:, None]
    return [None if np.isnan(p) else int(v) for p, row in zip(pop, whole) for v in row]


def check_tiling(wards: np.ndarray, parts: np.ndarray, k: int) -> None:
    """Raise if the parts are not a noded coverage, or do not cover their wards."""
    if not shapely.coverage_is_valid(parts):
        raise ValueError("the parts do not form a noded coverage")
    shapely.coverage_union_all(parts)   # raises on incorrectly noded input
    dissolved = np.array([shapely.coverage_union_all(parts[i * k:(i + 1) * k]) for i in range(len(wards))])
    # Snap rounding may bend a ward's edge through a grid point up to 0.71 cm away, so
    # the parts may differ from the ward by at most about its perimeter times the grid.
    allowed = shapely.length(wards) * GRID
    differ = np.maximum(np.abs(shapely.area(dissolved) - shapely.area(wards)),
                        shapely.area(shapely.symmetric_difference(dissolved, wards)))
    worst = int(np.argmax(differ / allowed))
    if differ[worst] > allowed[worst]:
        raise ValueError(f"the parts of ward {worst} miss or exceed it by {differ[worst]:.1f} m²")


def write_layer(parts: Parts, gpkg: Path, population_csv: Path) -> None:
    """The parts as a GeoPackage layer in EPSG:27700 and their population as a CSV."""
    import pyogrio.raw

    fields = [CODE_FIELD, NAME_FIELD, PARENT_FIELD, WARD_FIELD]
    data = [np.array(v, dtype=object) for v in (parts.codes, parts.names, parts.parent_codes, parts.ward_codes)]
    pyogrio.raw.write(str(gpkg), geometry=shapely.to_wkb(parts.geometries), field_data=data, fields=fields,
                      layer=LAYER, driver="GPKG", geometry_type="MultiPolygon", crs="EPSG:27700")
    with open(population_csv, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([CODE_FIELD, NAME_FIELD, PARENT_FIELD, "population"])
        for row in zip(parts.codes, parts.names, parts.parent_codes, parts.populations):
            out.writerow(["" if v is None else v for v in row])


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partnership-atlas-bench"


def _key(wards: Path, population: Path, k: int, seed: int) -> str:
    # GEOS does the Voronoi cells and the noding: another version may place vertices differently.
    h = hashlib.sha256(f"finer-units v{GENERATOR_VERSION} k={k} seed={seed} "
                       f"geos {shapely.geos_version_string}\n".encode())
    for path in (wards, population):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def finer_layer(wards_file: Path, population_file: Path, k: int, seed: int = SEED,
                cache: Path | None = None) -> tuple[Path, Path]:
    """(GeoPackage, population CSV) of the wards in `wards_file` (population keyed by ward
    code in `population_file`) split into k parts, from the cache when these inputs were
    split before."""
    from models.formats.boundary_import import read_boundaries
    from models.formats.numbers_csv import read_population

    cache = cache or cache_dir()
    stem = f"units_{k}x_{_key(wards_file, population_file, k, seed)}"
    gpkg, pop = cache / f"{stem}.gpkg", cache / f"{stem}_population.csv"
    if gpkg.exists() and pop.exists():
        return gpkg, pop
    cache.mkdir(parents=True, exist_ok=True)
    wards = read_boundaries(wards_file)
    populations = read_population(population_file, wards.codes)
    parts = split_wards(wards.codes, wards.names, wards.parent_codes, wards.geometries, populations, k, seed)
    check_tiling(shapely.set_precision(wards.geometries, GRID), parts.geometries, k)
    # Written beside the final names and renamed, so an interrupted run leaves no half file.
    tmp_gpkg, tmp_pop = cache / f"{stem}.partial.gpkg", cache / f"{stem}.partial.csv"
    tmp_gpkg.unlink(missing_ok=True)
    write_layer(parts, tmp_gpkg, tmp_pop)
    os.replace(tmp_pop, pop)
    os.replace(tmp_gpkg, gpkg)
    return gpkg, pop


def ew_finer_layer(data: Path, k: int) -> tuple[Path, Path]:
    """The England & Wales wards in the data folder split into k parts (cached)."""
    return finer_layer(data / WARDS, data / POPULATION, k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.finer_units")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--out", required=True, help="folder for units_32k.gpkg, units_160k.gpkg and their CSVs")
    parser.add_argument("--parts", type=int, nargs="+", default=[4, 20])
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for k in args.parts:
        gpkg, pop = ew_finer_layer(Path(args.data), k)
        name = {4: "units_32k", 20: "units_160k"}.get(k, f"units_{k}x")
        shutil.copyfile(gpkg, out / f"{name}.gpkg")
        shutil.copyfile(pop, out / f"{name}_population.csv")
        print(f"{out / name}.gpkg", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
