"""Shared fixtures. Qt runs headless; real ONS data is used where ../shared/data exists."""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402

from bench.reliability.grid import ORIGIN as GRID_ORIGIN  # noqa: E402
from bench.reliability.grid import write_grid
from models.catalogue import Catalogue  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ATLAS_DATA", ROOT.parent / "shared" / "data"))
SEEDS = DATA.parent / "seeds"
LONDON_WARDS = DATA / "london_wards_2020_bgc.geojson"
LONDON_POPULATION = DATA / "ward_population_mid2020_london.csv"
EW_WARDS = DATA / "england_wales_wards_2020_bgc.geojson.gz"

needs_data = pytest.mark.skipif(not LONDON_WARDS.exists(),
                                reason="ONS data folder ../shared/data is not beside this checkout")

# The grid: 4 x 3 square wards of 1 km², lower-left at (530000, 180000) in British
# National Grid; columns 0-1 are borough "B1", columns 2-3 borough "B2".
GRID_COLS, GRID_ROWS, CELL = 4, 3, 1000.0


def grid_code(col: int, row: int) -> str:
    return f"W{row}{col}"


def write_grid_geojson(path: Path) -> Path:
    """A FeatureCollection in EPSG:27700 (named CRS) with exact 1 km² squares and a population."""
    return write_grid(path, GRID_COLS, GRID_ROWS, CELL, code=grid_code,
                      extra=lambda col, row: {"pop": 100 * (row * GRID_COLS + col + 1)})


@pytest.fixture
def grid_geojson(tmp_path) -> Path:
    return write_grid_geojson(tmp_path / "grid.geojson")


@pytest.fixture
def cat(tmp_path):
    c = Catalogue.create(tmp_path / "test.gpkg")
    yield c
    c.close()


@pytest.fixture
def grid_cat(cat, grid_geojson):
    from models.formats.boundary_import import import_boundaries
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    return cat


def snapshot(catalogue) -> dict:
    """Every content row of the catalogue, for before/after comparisons."""
    from models.storage.schema import CONTENT_TABLES
    conn = catalogue.store.conn
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in CONTENT_TABLES}


def file_digest(path) -> str:
    import hashlib
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
