"""Timing helpers and the result format every bench module returns.

A result is {"name", "value", "unit", "target", "anchors": [{"name", "value", "ratio"}]}
with ratio = anchor / value, so a ratio above 1 means faster than the anchor.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int = 5, setup: Callable[[], object] | None = None,
              warmup: int = 1) -> float:
    """Median wall time of fn() in milliseconds; setup() runs untimed before each call."""
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def result(name: str, value: float, target: str, anchors: dict[str, float] | None = None,
           unit: str = "ms", note: str = "") -> dict:
    out = {"name": name, "value": round(value, 3), "unit": unit, "target": target,
           "anchors": [{"name": k, "value": round(v, 3), "ratio": round(v / value, 3) if value else None}
                       for k, v in (anchors or {}).items()]}
    if note:
        out["note"] = note
    return out


def ew_ward_catalogue(data, path):
    """A new catalogue at `path` holding the England & Wales wards with their populations
    and their map levels, as an import leaves it:
    returns it, its layer and the layer's unit table (the caller closes it)."""
    from models.catalogue import Catalogue
    from models.formats.boundary_import import import_boundaries, prepare_map_levels

    cat = Catalogue.create(path)
    import_boundaries(cat, data / "england_wales_wards_2020_bgc.geojson.gz",
                      population=data / "ward_population_mid2020_england_wales.csv")
    layer = cat.layers.all()[0]
    prepare_map_levels(cat, layer.id)   # as the import does: the map's levels kept in the file
    return cat, layer, cat.layers.table(layer.id)
