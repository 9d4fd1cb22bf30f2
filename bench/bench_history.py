"""What the history costs: each figure beside the same work with the history switched off
(stamps and history rows not written: the catalogue as it was before row identity), timed
in the same run.

- import_ew_wards_history: the 8,071 E&W wards imported (one history change: the layer row);
- bulk_2000_history: one edit adding 2,000 partnerships with 3 members each (8,000 rows, an
  import of a spreadsheet), every row stamped and written to the history;
- edit_history: one single-row edit (a rename), the median of 200, each its own transaction.
"""
from __future__ import annotations

import contextlib
import statistics
import time
from pathlib import Path

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from models.formats.boundary_import import import_boundaries

from .harness import median_ms, result

WARDS = "england_wales_wards_2020_bgc.geojson.gz"


@contextlib.contextmanager
def _opened(path: Path, history: bool):
    with Catalogue.open(path) as cat:
        cat.store.keeps_history = history
        yield cat


def run(data: Path, workdir: Path) -> list[dict]:
    out = []
    counter = iter(range(10**6))

    def fresh() -> Path:
        path = workdir / f"h-{next(counter)}.gpkg"
        Catalogue.create(path).close()
        return path

    # Boundary import, with and without the history, taken in turn (on a shared machine the
    # first imports of a run are slower whichever they are).
    runs: dict[bool, list[float]] = {True: [], False: []}
    for history in (False, True) * 3:
        path = fresh()
        with _opened(path, history) as cat:
            t0 = time.perf_counter()
            import_boundaries(cat, data / WARDS)
            runs[history].append((time.perf_counter() - t0) * 1000)
    timed: dict[bool, float] = {h: statistics.median(v) for h, v in runs.items()}
    out.append(result("import_ew_wards_history", timed[True], "≤ 1.05× without (ratio ≥ 0.95)",
                      {"same_without_history": timed[False]}))

    # One edit of 8,000 rows.
    base = fresh()
    with Catalogue.open(base) as cat:
        with cat.store.edit():
            orgs = [cat.organisations.add(Organisation(f"Body {i}")).id for i in range(300)]
    timed = {}
    for history in (True, False):
        paths = []

        def setup():
            path = workdir / f"bulk-{next(counter)}.gpkg"
            with Catalogue.open(base) as cat:
                cat.save_copy(path)
            paths.append(path)

        def bulk():
            with _opened(paths[-1], history) as cat, cat.store.edit():
                for i in range(2000):
                    cat.partnerships.add(Partnership(f"Partnership {i}", description="x" * 80),
                                         [Membership(0, orgs[(i + k) % 300]) for k in range(3)])
        timed[history] = median_ms(bulk, repeat=3, warmup=0, setup=setup)
    out.append(result("bulk_2000_history", timed[True], "≤ 1.5× without (ratio ≥ 0.67)",
                      {"same_without_history": timed[False]}))

    # Single-row edits, each a transaction (fsync'd, as in the app).
    timed = {}
    for history in (True, False):
        with _opened(base, history) as cat:
            pid = cat.partnerships.add(Partnership(f"Renamed {history}")).id
            names = iter(range(10**6))
            timed[history] = median_ms(lambda: cat.partnerships.update(
                Partnership(f"Renamed {history} {next(names)}", id=pid)), repeat=200)
    out.append(result("edit_history", timed[True], "≤ 1.5× without (ratio ≥ 0.67)",
                      {"same_without_history": timed[False]}))
    return out
