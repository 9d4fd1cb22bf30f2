"""Fuzzed importers: generated files for every importer, each either imported (and undone
exactly) or refused with one clear line, the catalogue unchanged.

    python -m bench.reliability.fuzz --cases 500 [--seed N] [--only geojson]

run() drives one hypothesis property per importer outside pytest; tests/test_fuzz.py
runs the same strategies and check() with fewer examples.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import signal
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from models.catalogue import Catalogue
from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from models.formats.boundary_import import import_boundaries
from models.formats.partnership_import import PartnershipImportError, import_partnerships, plan_import
from models.storage import check as catalogue_check
from models.storage.schema import CONTENT_TABLES

from . import grid
from .fuzz_bytes import Case
from .fuzz_geo import geojson_cases, geojson_gz_cases, geopackage_cases, shapefile_zip_cases
from .fuzz_tables import (
    SEED_ORGANISATIONS,
    SEED_PARTNERSHIP,
    SEED_SOURCE,
    partnerships_csv_cases,
    partnerships_xlsx_cases,
    population_csv_cases,
)

IMPORTERS = ("geojson", "geojson_gz", "shapefile_zip", "geopackage", "partnerships_csv",
             "partnerships_xlsx", "population_csv")
SEED_LAYER = "Seed wards"
EXAMPLES_KEPT = 3


class Failure(AssertionError):
    """An importer broke its promise on one case."""


class Hang(Exception):
    """A case ran past the time limit (raised from a timer signal)."""


def content_hash(cat) -> str:
    """A digest of every content row: equal hashes mean the catalogue holds the same data."""
    digest = hashlib.sha256()
    conn = cat.store.conn
    for table in CONTENT_TABLES:
        digest.update(table.encode())
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def grid_geojson(path: Path) -> Path:
    """Twelve 1 km² wards in British National Grid, codes W00..W23 (population_csv joins onto them)."""
    return grid.write_grid(path, code=lambda col, row: f"W{row}{col}")


def seed_catalogue(path: Path, grid: Path) -> Catalogue:
    """A catalogue with what imports meet in real use: organisations with GSS codes, a
    partnership with members, a cited source and a boundary layer."""
    cat = Catalogue.create(path)
    ids = {name: cat.organisations.add(Organisation(name, kind="local authority", gss_code=code)).id
           for name, code in SEED_ORGANISATIONS}
    wla = cat.partnerships.add(Partnership(SEED_PARTNERSHIP, kind="sub-regional partnership", start="2005"),
                               [Membership(0, ids["Barnet"]), Membership(0, ids["Brent"], role="lead")]).id
    source = cat.sources.add(Source(SEED_SOURCE, year=2008)).id
    cat.sources.cite(Citation(source, page="12", partnership_id=wla))
    import_boundaries(cat, grid, name=SEED_LAYER, level="ward")
    return cat


def _one_line(message: str) -> bool:
    return bool(message.strip()) and len(message.splitlines()) == 1


def import_file(importer: str, cat, path: Path, grid: Path, kwargs: dict):
    """Run the importer on one file; returns its Revert. population_csv joins `path` onto `grid`."""
    if importer.startswith("partnerships"):
        return import_partnerships(cat, path, kwargs.get("mapping"))
    if importer == "population_csv":
        return import_boundaries(cat, grid, population=path, **kwargs)[0]
    return import_boundaries(cat, path, **kwargs)[0]


def check(importer: str, cat, case: Case, folder: Path, grid: Path) -> str:
    """Run one case; 'imported' or 'refused', else raise Failure saying what went wrong."""
    path = cat.path if case.source_is_catalogue else case.write(folder)
    before = content_hash(cat)
    try:
        revert = import_file(importer, cat, path, grid, case.kwargs)
    except CatalogueError as e:
        if not _one_line(str(e)):
            raise Failure(f"{importer}: message is not one line: {str(e)!r} for {case!r}") from None
        if content_hash(cat) != before:
            raise Failure(f"{importer}: refused ({e}) but the catalogue changed, for {case!r}") from None
        if importer.startswith("partnerships") and not isinstance(e, PartnershipImportError):
            _plan_agrees(importer, cat, path, case, e)
        return "refused"
    except Hang:
        raise
    except Exception as e:
        raise Failure(f"{importer}: {type(e).__name__}: {e} for {case!r}") from e
    if content_hash(cat) == before:
        raise Failure(f"{importer}: imported but nothing changed, for {case!r}")
    revert()
    if content_hash(cat) != before:
        raise Failure(f"{importer}: undoing the import did not restore the catalogue, for {case!r}")
    return "imported"


def _plan_agrees(importer: str, cat, path: Path, case: Case, error: CatalogueError) -> None:
    """plan_import promises to find every problem before writing: a write refused after a
    clean plan is a check it missed."""
    try:
        plan = plan_import(cat, path, case.kwargs.get("mapping"))
    except CatalogueError:
        return
    if plan.ok:
        raise Failure(f"{importer}: the plan was clean but the import failed ({error}), for {case!r}")


def strategies(catalogue_copy: Path) -> dict[str, st.SearchStrategy[Case]]:
    """The case generator of each importer; `catalogue_copy` is a catalogue file to offer as a GeoPackage."""
    return {
        "geojson": geojson_cases(),
        "geojson_gz": geojson_gz_cases(),
        "shapefile_zip": shapefile_zip_cases(),
        "geopackage": geopackage_cases(catalogue_copy),
        "partnerships_csv": partnerships_csv_cases(),
        "partnerships_xlsx": partnerships_xlsx_cases(),
        "population_csv": population_csv_cases(),
    }


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Raise Hang in this thread after `seconds` (main thread only: signals go there)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def quiet():
    """GDAL's complaints about the broken files are expected: keep them off the terminal."""
    logger = logging.getLogger("pyogrio")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _fuzz_one(importer: str, strategy, cat, folder: Path, grid: Path, cases: int, seed, timeout) -> dict:
    stats = {"cases": 0, "failures": 0, "examples": [], "imported": 0, "refused": 0}

    @settings(max_examples=cases, deadline=None, database=None, verbosity=Verbosity.quiet,
              report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate, Phase.shrink])
    @given(strategy)
    def prop(case):
        stats["cases"] += 1
        try:
            with _time_limit(timeout):
                stats[check(importer, cat, case, folder, grid)] += 1
        except Hang as e:
            raise Failure(f"{importer}: hang: {e} for {case!r}") from None

    if seed is not None:
        prop = hypothesis_seed(seed)(prop)
    started = time.perf_counter()
    try:
        prop()
    except Exception as e:  # the shrunk failing case: one failure, honestly counted
        stats["failures"] += 1
        stats["examples"].append(str(e)[:2000])
    damage = catalogue_check.problems(cat)
    if damage:
        stats["failures"] += 1
        stats["examples"].append(f"{importer}: catalogue damaged after the run: {damage[0]}")
    stats["seconds"] = round(time.perf_counter() - started, 1)
    return stats


def run(cases: int = 500, seed=None, only: list[str] | None = None, timeout: float | None = 60.0) -> dict:
    """{importer: {"cases", "failures", "examples", "imported", "refused", "seconds"}} for each importer.

    One catalogue, seeded once, serves every case: each import is undone and checked."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="atlas-fuzz-run-") as tmp, quiet():
        folder = Path(tmp)
        grid = grid_geojson(folder / "grid.geojson")
        cat = seed_catalogue(folder / "catalogue.gpkg", grid)
        try:
            copy = folder / "copy.gpkg"
            cat.save_copy(copy)
            generators = strategies(copy)
            cases_folder = folder / "cases"
            cases_folder.mkdir()
            for importer in only or IMPORTERS:
                results[importer] = _fuzz_one(importer, generators[importer], cat, cases_folder, grid,
                                              cases, seed, timeout)
        finally:
            cat.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.fuzz")
    parser.add_argument("--cases", type=int, default=500, help="generated files per importer")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", action="append", choices=IMPORTERS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(args.cases, args.seed, args.only)
    for importer, r in results.items():
        print(f"{importer:18} {r['cases']:6} cases {r['failures']:3} failures "
              f"({r['imported']} imported, {r['refused']} refused) {r['seconds']:7.1f} s")
        for example in r["examples"]:
            print("    " + example[:600])
    print(f"total {time.perf_counter() - started:.1f} s")
    print(json.dumps({k: {"cases": r["cases"], "failures": r["failures"]} for k, r in results.items()}))
    return 1 if any(r["failures"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
