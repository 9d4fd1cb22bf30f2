"""Run every bench/bench_*.py module, print a table and write bench/results.json.

    python -m bench --data ../shared/data [--only NAME] [--quick]

--quick leaves out the slowest cases (the 161k-unit layer of bench_scale and bench_smooth), for
development.

Each module has run(data: Path, workdir: Path) -> list[result dict] (see harness.py).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import RUN_FOLDER

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data"))
    parser.add_argument("--only", help="run only bench modules whose name contains this")
    parser.add_argument("--quick", action="store_true", help="leave out the 161k-unit layer")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "england_wales_wards_2020_bgc.geojson.gz").exists():
        print(f"error: the ONS data is not in {data} (pass --data)", file=sys.stderr)
        return 2
    results = []
    started = time.perf_counter()
    run_folder = tempfile.TemporaryDirectory()   # catalogues one module builds and a later one reuses
    os.environ[RUN_FOLDER] = run_folder.name
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (args.only and args.only not in info.name):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        options = {"quick": True} if args.quick and "quick" in inspect.signature(module.run).parameters else {}
        with tempfile.TemporaryDirectory() as work:
            print(f"# {info.name}", flush=True)
            t0 = time.perf_counter()
            for r in module.run(data, Path(work), **options):
                results.append(r)
                anchors = "  ".join(f"{a['name']} {a['value']:.1f} {r['unit']} (×{a['ratio']:.2f})"
                                    for a in r["anchors"])
                print(f"{r['name']:<28} {r['value']:>10.2f} {r['unit']:<3} target {r['target']:<14} {anchors}",
                      flush=True)
            print(f"# {info.name} took {time.perf_counter() - t0:.0f} s", flush=True)
    run_folder.cleanup()
    out = HERE / "results.json"
    if args.only and out.exists():  # keep the other modules' figures
        kept = [r for r in json.loads(out.read_text()) if r["name"] not in {x["name"] for x in results}]
        results = kept + results
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"# all modules took {time.perf_counter() - started:.0f} s", flush=True)
    print(f"wrote {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
