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


# `python -m bench` gives the whole run one folder (in this variable) where a module can leave
# a catalogue it built for a later module to copy: building the 161k-unit one takes minutes.
RUN_FOLDER = "ATLAS_BENCH_RUN"


def keep_for_run(path, name: str) -> None:
    """Leave a copy of the catalogue at `path` for later modules of this run, as `name`."""
    import os
    import shutil
    from pathlib import Path

    folder = os.environ.get(RUN_FOLDER)
    if folder:
        for suffix in ("", "-wal"):   # a write-ahead log not yet folded in belongs with it
            if Path(f"{path}{suffix}").exists():
                shutil.copyfile(f"{path}{suffix}", Path(folder) / f"{name}{suffix}")


def kept_for_run(name: str, path, build: Callable[[], object]) -> bool:
    """Copy the catalogue an earlier module left as `name` to `path`; else build() it there.
    True when it was copied (the note of a figure that times the building says so)."""
    import os
    import shutil
    from pathlib import Path

    folder = os.environ.get(RUN_FOLDER)
    kept = Path(folder) / name if folder else None
    if kept is not None and kept.exists():
        for suffix in ("", "-wal"):
            if Path(f"{kept}{suffix}").exists():
                shutil.copyfile(f"{kept}{suffix}", f"{path}{suffix}")
        return True
    build()
    return False
