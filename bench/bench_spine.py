"""The spine's figures: importing, opening and editing a catalogue of the 8,071 E&W wards."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer

from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from models.formats.boundary_import import import_boundaries

from .harness import median_ms, result

WARDS = "england_wales_wards_2020_bgc.geojson.gz"


def _floor_read_and_project(source: Path) -> None:
    """What any tool must do at least: GDAL's read, WKB parse, and the pyproj transform."""
    _, _, wkbs, _ = pyogrio.raw.read("/vsigzip/" + str(source))
    geoms = shapely.from_wkb(wkbs)
    transformer = Transformer.from_crs(4326, 27700, always_xy=True)

    def project(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    shapely.transform(geoms, project)


def run(data: Path, workdir: Path) -> list[dict]:
    source = data / WARDS
    out = []
    counter = iter(range(1000))

    def fresh():
        path = workdir / f"import-{next(counter)}.gpkg"
        Catalogue.create(path).close()
        return path

    paths = []

    def do_import():
        with Catalogue.open(paths[-1]) as cat:
            import_boundaries(cat, source)

    ours = median_ms(do_import, repeat=3, setup=lambda: paths.append(fresh()))
    floor = median_ms(lambda: _floor_read_and_project(source), repeat=3)
    out.append(result("import_ew_wards", ours, "≤ 1.5× floor (ratio ≥ 0.67)",
                      {"pyogrio_read_plus_pyproj": floor}))

    catalogue = paths[-1]

    def open_and_load():
        with Catalogue.open(catalogue) as cat:
            table = cat.layers.table(cat.layers.all()[0].id)
            assert len(table) == 8071

    def gdal_read_stored():
        _, _, wkbs, _ = pyogrio.raw.read(str(catalogue), layer="boundary_units")
        shapely.from_wkb(wkbs)

    out.append(result("open_ew_catalogue", median_ms(open_and_load, repeat=5), "≤ 500 ms",
                      {"pyogrio_read_gpkg_layer": median_ms(gdal_read_stored, repeat=5)}))

    with Catalogue.open(catalogue) as cat:
        cat.partnerships.add(Partnership("Bench"))
        p = cat.partnerships.find("Bench")
        names = iter(range(10**6))
        ours = median_ms(lambda: cat.partnerships.update(
            Partnership(f"Bench {next(names)}", id=p.id)), repeat=50)
    # The floor: the same single-row UPDATE committed with the same journal settings.
    conn = sqlite3.connect(catalogue, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    bare = median_ms(lambda: (conn.execute("BEGIN"), conn.execute(
        "UPDATE partnerships SET name=name||'x' WHERE id=?", (p.id,)), conn.execute("COMMIT")), repeat=50)
    conn.close()
    out.append(result("edit_commit", ours, "≤ 5 ms median", {"sqlite3_update_commit": bare}))
    return out
