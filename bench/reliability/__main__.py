"""Run the reliability harness, print a summary and write bench/reliability.json.

    python -m bench.reliability [--trials 100] [--cases 500] [--seed N] [--data DIR]

Kill trials (kill.py), fuzzed importers (fuzz.py), hostile files (hostile.py) and
the big import's peak memory and cancel points (imports.py). A part whose module
is missing is recorded as missing, and the run fails.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "reliability.json"


def _optional(name: str):
    """bench.reliability.<name>, or None if this checkout does not have it."""
    try:
        return importlib.import_module(f"bench.reliability.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"bench.reliability.{name}":
            raise  # the module exists but something it imports does not
        return None


def _failures(report: dict, min_trials: int, min_cases: int) -> list[str]:
    """Every way the figures miss the issue's bar, in words."""
    bad = []
    if report["trials"] < min_trials:
        bad.append(f"only {report['trials']} kill trials")
    for key in ("corrupt", "lost_edits"):
        if report[key]:
            bad.append(f"{key} {report[key]}")
    for key in ("mismatched", "outline_errors", "child_failures"):
        if report["kill"].get(key):
            bad.append(f"kill {key} {report['kill'][key]}")
    merged = report.get("kill_merge", {})
    if "missing" in merged or merged.get("neither") or merged.get("corrupt") or merged.get("child_failures"):
        bad.append(f"kill while merging: {merged}")
    if "missing" in report["fuzz"]:
        bad.append(report["fuzz"]["missing"])
    for importer, figures in report["fuzz"].items():
        if importer != "missing" and (figures["cases"] < min_cases or figures["failures"]):
            bad.append(f"fuzz {importer}: {figures['failures']} failures in {figures['cases']} cases")
    hostile = report["hostile"]
    if "missing" in hostile:
        bad.append(hostile["missing"])
    elif hostile["refused"] != hostile["tried"]:
        bad.append(f"hostile: {hostile['tried'] - hostile['refused']} of {hostile['tried']} not refused")
    if report.get("import_ratio", 0) > 10:
        bad.append(f"import peak {report['import_ratio']}x the file")
    cancel = report.get("import_cancel", {})
    if cancel.get("points") and cancel["unchanged"] != cancel["points"]:
        bad.append(f"import cancel changed the catalogue at {cancel['points'] - cancel['unchanged']} points")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability")
    parser.add_argument("--trials", type=int, default=100, help="kill trials (default 100)")
    parser.add_argument("--cases", type=int, default=500, help="fuzz cases per importer (default 500)")
    parser.add_argument("--seed", type=int, help="seed for the kill trials")
    parser.add_argument("--data", help="the ONS data folder (default ../shared/data)")
    args = parser.parse_args(argv)
    from bench.reliability import imports, kill

    started = time.monotonic()
    print(f"# kill trials ({args.trials})", flush=True)
    killed = kill.run(args.trials, seed=args.seed)
    print(f"trials {killed['trials']}, corrupt {killed['corrupt']}, lost edits {killed['lost_edits']}; "
          f"{killed['edits']} edits committed, {killed['killed_mid_edit']} kills during an edit "
          f"({killed['committed_not_logged']} of those edits were in the file: their commit had reached "
          f"the WAL)", flush=True)
    for problem in killed["problems"][:10]:
        print(f"  {problem}")

    kill_merge = _optional("kill_merge")
    print("# kill trials while merging (20)", flush=True)
    merged = kill_merge.run(20, seed=args.seed) if kill_merge else {"missing": "bench/reliability/kill_merge.py"}
    print(merged.get("missing") or f"trials {merged['trials']}: as before {merged['before']}, as after "
          f"{merged['after']}, neither {merged['neither']}, corrupt {merged['corrupt']}", flush=True)

    fuzz, hostile = _optional("fuzz"), _optional("hostile")
    print(f"# fuzzed importers ({args.cases} cases each)", flush=True)
    fuzzed = fuzz.run(args.cases) if fuzz else {"missing": "bench/reliability/fuzz.py is not in this checkout"}
    for importer, figures in fuzzed.items():
        print(f"{importer:<24} {figures}" if importer == "missing" else
              f"{importer:<24} {figures['cases']} cases, {figures['failures']} failures", flush=True)
    print("# hostile files", flush=True)
    refused = hostile.run() if hostile else {"missing": "bench/reliability/hostile.py is not in this checkout"}
    print(refused.get("missing") or f"{refused['refused']} of {refused['tried']} refused", flush=True)

    print("# England & Wales ward import", flush=True)
    source = Path(args.data) / imports.EW_WARDS if args.data else None
    memory = imports.peak_memory(source)
    cancel = imports.cancel_everywhere(source)
    if "import_skipped" in memory:
        print(f"skipped: {memory['import_skipped']}")
    else:
        print(f"peak {memory['import_peak_mb']} MB above {memory['import_baseline_mb']} MB of modules "
              f"({memory['import_peak_raw_mb']} MB in all) for a {memory['import_file_mb']} MB file: "
              f"{memory['import_ratio']}x; cancelled at {cancel['points']} points, "
              f"{cancel['unchanged']} left the catalogue unchanged", flush=True)

    kill_extra = {k: v for k, v in killed.items() if k not in ("trials", "corrupt", "lost_edits")}
    kill_extra["problems"] = kill_extra["problems"][:50]
    report = {"trials": killed["trials"], "corrupt": killed["corrupt"], "lost_edits": killed["lost_edits"],
              "fuzz": fuzzed, "hostile": refused, **memory, "import_cancel": cancel, "kill": kill_extra, "kill_merge": merged,
              "seconds": round(time.monotonic() - started, 1)}
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    bad = _failures(report, min_trials=100, min_cases=500)  # the bar, whatever was asked
    print(f"wrote {OUT.relative_to(HERE.parent.parent)}: " + ("all within the bar" if not bad else
                                                             "FAILED: " + "; ".join(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
