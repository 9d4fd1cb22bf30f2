"""The grid: 4 x 3 square wards of 1 km², lower-left at (530000, 180000) in British National
Grid; columns 0-1 are borough "B1", columns 2-3 borough "B2". Areas and sums are exact."""
from __future__ import annotations

from pathlib import Path

from bench.reliability.grid import ORIGIN as GRID_ORIGIN  # noqa: F401  (the grid's lower-left corner)
from bench.reliability.grid import write_grid

GRID_COLS, GRID_ROWS, CELL = 4, 3, 1000.0


def grid_code(col: int, row: int) -> str:
    return f"W{row}{col}"


def write_grid_geojson(path: Path) -> Path:
    """A FeatureCollection in EPSG:27700 (named CRS) with exact 1 km² squares and a population."""
    return write_grid(path, GRID_COLS, GRID_ROWS, CELL, code=grid_code,
                      extra=lambda col, row: {"pop": 100 * (row * GRID_COLS + col + 1)})
