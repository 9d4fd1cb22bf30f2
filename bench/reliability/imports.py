"""The big boundary import under limits: its peak memory, and cancelling it anywhere.

    python -m bench.reliability.imports [--data DIR]

Memory is measured in a fresh child process so nothing else has raised its peak:
ru_maxrss once the modules are imported, then again after importing the file
into a new catalogue. The difference is what the import itself needed; the issue
asks for at most ~10x the uncompressed GeoJSON.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("ATLAS_DATA", ROOT.parent / "shared" / "data"))
EW_WARDS = "england_wales_wards_2020_bgc.geojson.gz"
TARGET_RATIO = 10.0


MB = 1e6  # decimal megabytes, as the issue gives the file's size (18.8 MB)


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB  # bytes there, KiB here


def _uncompressed_mb(source: Path) -> float:
    if source.name.endswith(".gz"):
        with gzip.open(source, "rb") as f:
            size = sum(len(chunk) for chunk in iter(lambda: f.read(1 << 20), b""))
    else:
        size = source.stat().st_size
    return size / MB


def _measure_in_child(source: Path, target: Path) -> dict:
    """Runs in the child: import the file, report the peaks."""
    from models.catalogue import Catalogue
    from models.formats.boundary_import import import_boundaries  # noqa: F401 (its imports count as baseline)
    baseline = _peak_mb()
    with Catalogue.create(target) as cat:
        _, data = import_boundaries(cat, source)
        units = len(data.codes)
    return {"baseline_mb": baseline, "peak_mb": _peak_mb(), "units": units}


def peak_memory(source: Path | None = None) -> dict:
    """{import_file_mb, import_peak_mb (above the baseline), import_peak_raw_mb, import_ratio, ...}."""
    source = Path(source) if source else DATA / EW_WARDS
    if not source.exists():
        return {"import_skipped": f"{source} not found"}
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))))
        out = subprocess.run(
            [sys.executable, "-m", "bench.reliability.imports", "--child", str(source),
             str(Path(work) / "ew.gpkg")], cwd=ROOT, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"import child failed: {out.stderr.strip()[-500:]}")
        child = json.loads(out.stdout)
    size = _uncompressed_mb(source)
    peak = child["peak_mb"] - child["baseline_mb"]
    return {"import_file_mb": round(size, 1), "import_peak_mb": round(peak, 1),
            "import_peak_raw_mb": round(child["peak_mb"], 1),
            "import_baseline_mb": round(child["baseline_mb"], 1),
            "import_ratio": round(peak / size, 2), "import_units": child["units"]}


def cancel_everywhere(source: Path | None = None) -> dict:
    """Cancel the import at its 1st, 2nd, ... progress call until it runs to the end;
    each time the catalogue must hold exactly what it held before.

    Returns {"points": cancel points tried, "unchanged": how many left it unchanged}."""
    from models.catalogue import Catalogue
    from models.catalogue.records import Partnership
    from models.errors import Cancelled
    from models.formats.boundary_import import import_boundaries

    source = Path(source) if source else DATA / EW_WARDS
    if not source.exists():
        return {"skipped": f"{source} not found"}
    points = unchanged = 0
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "cancel.gpkg"
        with Catalogue.create(path) as cat:
            cat.partnerships.add(Partnership("Already here"))
        with Catalogue.open(path) as cat:
            before = list(cat.store.conn.iterdump())
            for k in range(1, 1000):
                calls = 0

                def progress(fraction: float, message: str) -> None:
                    nonlocal calls
                    calls += 1
                    if calls == k:
                        raise Cancelled()

                try:
                    import_boundaries(cat, source, progress=progress)
                except Cancelled:
                    points += 1
                    unchanged += list(cat.store.conn.iterdump()) == before
                    continue
                break  # k is past the last progress call: the import ran to the end
    return {"points": points, "unchanged": unchanged}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.imports")
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure_in_child(Path(args.child[0]), Path(args.child[1]))))
        return 0
    source = Path(args.data) / EW_WARDS
    print(json.dumps({**peak_memory(source), "cancel": cancel_everywhere(source)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
