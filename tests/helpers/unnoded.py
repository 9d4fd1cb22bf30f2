"""A layer that is valid and tiles without overlaps but is not exactly noded: a 4 x 3 grid
of 1 km squares (columns 0-1 borough B1, 2-3 B2) where two squares are cut in two by a
line that ends on the neighbours' edges where those neighbours have no vertex."""
from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.grid import CELL, GRID_ORIGIN

CUT = {(1, 1): 400.0, (2, 0): 700.0}   # (col, row) -> height of the cut above the square's base


def unnoded_features() -> list[tuple[str, str, list]]:
    """(code, borough, ring) of each unit; a cut square gives two units, ...a and ...b."""
    x0, y0 = GRID_ORIGIN
    out = []
    for row in range(3):
        for col in range(4):
            x, y = x0 + col * CELL, y0 + row * CELL
            borough = "B1" if col < 2 else "B2"
            cut = CUT.get((col, row))
            boxes = ([(y, cut), (y + cut, CELL - cut)] if cut else [(y, CELL)])
            for k, (bottom, height) in enumerate(boxes):
                ring = [[x, bottom], [x + CELL, bottom], [x + CELL, bottom + height],
                        [x, bottom + height], [x, bottom]]
                out.append((f"W{row}{col}{'ab'[k] if cut else ''}", borough, ring))
    return out


def write_unnoded_geojson(path: Path) -> Path:
    features = [{"type": "Feature",
                 "properties": {"WD20CD": code, "WD20NM": f"Ward {code}", "LAD20CD": borough},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for code, borough, ring in unnoded_features()]
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features}))
    return path
