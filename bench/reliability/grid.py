"""A grid of square wards as GeoJSON: exact areas, known neighbours, two boroughs.

The tests, the kill trials and the fuzzer all seed catalogues with one; only the
size, the codes and the properties differ.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

ORIGIN = (530000.0, 180000.0)   # lower-left corner, British National Grid metres (central London)


def write_grid(path: Path, cols: int = 4, rows: int = 3, cell: float = 1000.0,
               code: Callable[[int, int], str] = lambda col, row: f"W{row}{col}",
               borough: Callable[[int], str] | None = None,
               extra: Callable[[int, int], dict] | None = None) -> Path:
    """cols x rows squares of `cell` metres (EPSG:27700, named CRS); the left half of the
    columns is borough B1 and the right half B2 unless `borough(col)` says otherwise."""
    borough = borough or (lambda col: "B1" if col < cols // 2 else "B2")
    x0, y0 = ORIGIN
    features = []
    for row in range(rows):
        for col in range(cols):
            x, y = x0 + col * cell, y0 + row * cell
            ring = [[x, y], [x + cell, y], [x + cell, y + cell], [x, y + cell], [x, y]]
            properties = {"WD20CD": code(col, row), "WD20NM": f"Ward {row}-{col}", "LAD20CD": borough(col)}
            properties.update(extra(col, row) if extra else {})
            features.append({"type": "Feature", "properties": properties,
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features}))
    return path
