"""The benchmark's finer layers: wards split into parts that form one noded tiling."""
from __future__ import annotations

import csv
import gzip
import io
import json

import numpy as np
import pytest
import shapely

from bench import finer_units
from bench.finer_units import GRID, check_tiling, finer_layer, split_wards
from models.formats.boundary_import import import_boundaries, read_boundaries
from models.formats.numbers_csv import read_population
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS

# Three neighbouring boroughs: Camden, Hackney, Islington (55 wards sharing many edges).
BOROUGHS = {"E09000007", "E09000012", "E09000019"}
K = 5


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The three boroughs' wards as a .geojson.gz and their population as a CSV."""
    folder = tmp_path_factory.mktemp("wards")
    collection = json.loads(gzip.decompress(LONDON_WARDS.read_bytes()))
    collection["features"] = [f for f in collection["features"] if f["properties"]["LAD20CD"] in BOROUGHS]
    wards = folder / "wards.geojson.gz"
    wards.write_bytes(gzip.compress(json.dumps(collection).encode()))
    rows = list(csv.reader(io.StringIO(gzip.decompress(LONDON_POPULATION.read_bytes()).decode("utf-8"))))
    population = folder / "population.csv"
    with open(population, "w", newline="") as f:
        csv.writer(f).writerows([rows[0]] + [r for r in rows[1:] if r[rows[0].index("LAD20CD")] in BOROUGHS])
    return wards, population


@pytest.fixture(scope="module")
def wards(sample):
    data = read_boundaries(sample[0])
    return data, read_population(sample[1], data.codes)


def _split(wards, k=K, seed=finer_units.SEED):
    data, population = wards
    return split_wards(data.codes, data.names, data.parent_codes, data.geometries, population, k, seed)


def test_parts_form_one_noded_coverage_across_wards(wards):
    data, _ = wards
    parts = _split(wards)
    geoms = parts.geometries
    assert len(geoms) == K * len(data.codes) and shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    shapely.coverage_union_all(geoms)   # GEOS refuses incorrectly noded input
    check_tiling(shapely.set_precision(data.geometries, GRID), geoms, K)
    # Every vertex is on the 1 cm grid.
    xy = shapely.get_coordinates(geoms)
    assert np.abs(xy / GRID - np.rint(xy / GRID)).max() < 1e-6


def test_clipping_each_ward_alone_would_not_be_noded(wards):
    # What the global noding is for: Voronoi cells clipped ward by ward add vertices on
    # shared ward edges that the neighbouring ward lacks, and the coverage check sees it.
    data, _ = wards
    clipped = []
    for i, ward in enumerate(shapely.set_precision(data.geometries, GRID)):
        seeds = finer_units.seed_points(ward, K, np.random.default_rng([finer_units.SEED, i]))
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=ward))
        clipped.extend(shapely.intersection(cells, ward, grid_size=GRID))
    assert not shapely.coverage_is_valid(np.array(clipped))


def test_parts_cover_their_own_ward(wards):
    data, _ = wards
    parts = _split(wards)
    inside = shapely.point_on_surface(parts.geometries)
    for i, ward in enumerate(data.geometries):
        assert shapely.contains(ward.buffer(GRID), inside[i * K:(i + 1) * K]).all()


def test_codes_names_parents_and_population(wards):
    data, population = wards
    parts = _split(wards)
    assert parts.codes[:K] == [f"{data.codes[0]}-{j:02d}" for j in range(1, K + 1)]
    assert len(set(parts.codes)) == len(parts.codes)
    assert parts.names[K + 1] == f"{data.names[1]} part 2"
    assert parts.parent_codes == [p for p in data.parent_codes for _ in range(K)]
    assert set(parts.parent_codes) == BOROUGHS
    for i, people in enumerate(population):
        mine = parts.populations[i * K:(i + 1) * K]
        if people is None:   # a sub-threshold City ward would stay empty
            assert mine == [None] * K
        else:
            assert all(isinstance(p, int) and p >= 0 for p in mine) and sum(mine) == people
    # Shared by area: the largest part of a ward has at least as many people as the smallest.
    areas = shapely.area(parts.geometries[:K])
    assert parts.populations[int(np.argmax(areas))] >= parts.populations[int(np.argmin(areas))]


def test_same_seed_same_parts_other_seed_other_parts(wards):
    one, two, other = _split(wards), _split(wards), _split(wards, seed=finer_units.SEED + 1)
    assert list(shapely.to_wkb(one.geometries)) == list(shapely.to_wkb(two.geometries))
    assert one.populations == two.populations
    assert list(shapely.to_wkb(one.geometries)) != list(shapely.to_wkb(other.geometries))


def test_written_layer_imports_with_population_and_is_cached(sample, wards, tmp_path, cat, monkeypatch):
    gpkg, pop = finer_layer(*sample, k=3, cache=tmp_path / "cache")
    _, data = import_boundaries(cat, gpkg, population=pop)
    layer = cat.layers.all()[0]
    table = cat.layers.table(layer.id)
    assert len(table) == 3 * len(wards[0].codes)
    assert data.code_field == "WDPT20CD" and data.parent_field == "LAD20CD"
    assert set(table.parent_codes) == BOROUGHS
    assert sum(p for p in data.populations if p) == sum(p for p in wards[1] if p)
    # A second call finds the files in the cache rather than splitting again.
    monkeypatch.setattr(finer_units, "split_wards", lambda *a, **k: pytest.fail("split again"))
    assert finer_layer(*sample, k=3, cache=tmp_path / "cache") == (gpkg, pop)
