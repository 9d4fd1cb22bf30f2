"""Kill trials: does a catalogue survive its process being killed mid-edit?

A child process (kill_child.py) opens the catalogue and makes random edits through the model
API; before each edit it logs what it is about to do ("intent") and after the
edit's commit returns it logs it again with the ids it got ("done"). The parent
kills it with SIGKILL at a random moment, then:

- opens the file as the app would (that replays the WAL the child left),
  runs PRAGMA integrity_check and foreign_key_check, and opens the feature
  tables with pyogrio: any failure counts as `corrupt`;
- replays the logged edits on its own model of the content (partnership and
  organisation names, memberships, areas with their units), starting from what
  the file held before the trial, and compares it with the file. The file must
  equal the state after every "done" edit, or that state plus the one edit whose
  intent was logged but whose commit may have returned just before the kill.
  Otherwise the file is matched against shorter prefixes of the log, and the
  logged edits after the longest matching prefix count as `lost_edits`.

Undo and redo are edits too: the child calls an earlier edit's Revert as the
GUI's undo stack would, and the parent's model restores the state from before
(or after) that edit.

    python -m bench.reliability.kill [--trials 100] [--seed N]
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.reliability import grid

ROOT = Path(__file__).resolve().parents[2]

# The seeded ward layer: a grid of square wards in British National Grid, so an
# area's outline must cover exactly (number of its units) x CELL² m².
GRID_COLS, GRID_ROWS, CELL = 8, 6, 500.0
MAX_DELAY = 0.4  # seconds of editing before the kill, chosen uniformly in [0, MAX_DELAY]
STARTUP_TIMEOUT = 120.0


# -- the parent's model of the content ----------------------------------------
@dataclass
class State:
    partnerships: dict[int, str] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)
    memberships: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (partnership, organisation)
    areas: dict[int, tuple[str, int | None, frozenset[int]]] = field(default_factory=dict)  # name, partnership, units


@dataclass
class Replay:
    """A state with the undo and redo stacks of the session that produced it."""
    state: State
    undo: list[State] = field(default_factory=list)
    redo: list[State] = field(default_factory=list)


def apply(replay: Replay, op: dict, file_state: State | None = None) -> Replay:
    """The replay after one logged edit (a new object: replays are kept per step).

    An intent has no ids yet for what it creates; `file_state` supplies the id of a
    row with that name that the logged state lacks, if the file has one."""
    before = replay.state
    s = copy.deepcopy(before)
    kind = op["op"]
    if kind == "undo":
        return Replay(replay.undo[-1], replay.undo[:-1], replay.redo + [before])
    if kind == "redo":
        return Replay(replay.redo[-1], replay.undo + [before], replay.redo[:-1])
    new_id = op.get("id")
    if new_id is None and file_state is not None and kind.endswith("_add"):
        new_id = _unknown_id(kind, op, before, file_state)
    if kind == "partnership_add":
        s.partnerships[new_id] = op["name"]
    elif kind == "partnership_rename":
        s.partnerships[op["partnership"]] = op["name"]
    elif kind == "partnership_delete":
        pid = op["partnership"]
        del s.partnerships[pid]
        s.memberships = {m: v for m, v in s.memberships.items() if v[0] != pid}
        # Areas are kept, unlinked.
        s.areas = {a: (n, None if p == pid else p, u) for a, (n, p, u) in s.areas.items()}
    elif kind == "organisation_add":
        s.organisations[new_id] = op["name"]
    elif kind == "organisation_delete":
        oid = op["organisation"]
        del s.organisations[oid]
        s.memberships = {m: v for m, v in s.memberships.items() if v[1] != oid}
    elif kind == "membership_add":
        s.memberships[new_id] = (op["partnership"], op["organisation"])
    elif kind == "membership_remove":
        del s.memberships[op["membership"]]
    elif kind == "area_add":
        s.areas[new_id] = (op["name"], op["partnership"], frozenset(op["units"]))
    elif kind == "area_stroke":
        name, pid, units = s.areas[op["area"]]
        s.areas[op["area"]] = (name, pid, (units | set(op["add"])) - set(op["remove"]))
    elif kind == "area_delete":
        del s.areas[op["area"]]
    elif kind == "area_rebase":   # every area of one ward vintage moved onto the other
        for area, units in op["moves"]:
            name, pid, _ = s.areas[area]
            s.areas[area] = (name, pid, frozenset(units))
    else:
        raise ValueError(f"unknown operation {kind!r} in the log")
    return Replay(s, replay.undo + [before], [])


def _unknown_id(kind: str, op: dict, before: State, file_state: State) -> int | None:
    table = {"partnership_add": "partnerships", "organisation_add": "organisations",
             "area_add": "areas", "membership_add": "memberships"}[kind]
    known, found = getattr(before, table), getattr(file_state, table)
    for rid, value in found.items():
        if rid in known:
            continue
        if kind == "membership_add" and value == (op["partnership"], op["organisation"]):
            return rid
        if kind != "membership_add" and (value if isinstance(value, str) else value[0]) == op["name"]:
            return rid
    return None


def read_state(conn: sqlite3.Connection) -> State:
    """What the file holds, read with plain SQL (not through the models)."""
    units: dict[int, set[int]] = {}
    for area_id, unit_id in conn.execute("SELECT area_id, unit_id FROM area_units"):
        units.setdefault(area_id, set()).add(unit_id)
    return State(
        partnerships=dict(conn.execute("SELECT id, name FROM partnerships")),
        organisations=dict(conn.execute("SELECT id, name FROM organisations")),
        memberships={m: (p, o) for m, p, o in conn.execute(
            "SELECT id, partnership_id, organisation_id FROM memberships")},
        areas={a: (n, p, frozenset(units.get(a, ()))) for a, n, p in conn.execute(
            "SELECT fid, name, partnership_id FROM areas")})


def read_log(path: Path) -> tuple[list[dict], dict | None]:
    """(edits whose commit returned, the edit in flight when killed or None).

    A line cut short by the kill (no newline) was never logged."""
    done: list[dict] = []
    pending = None
    text = path.read_text() if path.exists() else ""
    for line in text.split("\n")[:-1]:
        entry = json.loads(line)
        if entry["t"] == "intent":
            pending = entry
        elif entry["t"] == "done":
            done.append(entry)
            pending = None
        elif entry["t"] == "refused":  # the model said no: nothing changed
            pending = None
    return done, pending


@dataclass
class Verdict:
    logged: int = 0            # edits whose commit returned before the kill
    lost: int = 0              # of those, missing from the file
    corrupt: bool = False      # integrity_check, foreign keys, opening or pyogrio failed
    matched: bool = True       # the file equals some prefix of the log
    in_flight: bool = False    # killed between an edit's intent and its "done" line
    in_flight_committed: bool = False  # ... and that edit is in the file (its WAL frames were
    # written before the kill, typically while COMMIT waited for fsync)
    outline_errors: int = 0    # areas whose stored outline does not fit their units
    problems: list[str] = field(default_factory=list)


def check(path: Path, before: State, log: Path) -> tuple[Verdict, State | None]:
    """The verdict on a file after a kill, and what it now holds (None if unreadable)."""
    verdict = Verdict()
    done, pending = read_log(log)
    verdict.logged = len(done)
    verdict.in_flight = pending is not None
    found = _open_and_read(path, verdict)
    _read_with_gdal(path, verdict)
    if found is None:
        verdict.corrupt, verdict.matched, verdict.lost = True, False, len(done)
        return verdict, None
    steps = [Replay(before)]
    for entry in done:
        steps.append(apply(steps[-1], entry))
    if found == steps[-1].state:
        return verdict, found
    if pending is not None:
        try:
            if found == apply(steps[-1], pending, found).state:
                verdict.in_flight_committed = True
                return verdict, found
        except (KeyError, IndexError):  # the intent does not apply: the log is wrong
            verdict.problems.append(f"the edit in flight ({pending['op']}) does not apply")
    for k in range(len(done) - 1, -1, -1):
        if found == steps[k].state:
            verdict.lost = len(done) - k
            verdict.problems.append(f"the file holds the state after edit {k} of {len(done)}")
            return verdict, found
    verdict.matched, verdict.lost = False, len(done)
    verdict.problems.append("the file matches no state the log passed through")
    return verdict, found


def _open_and_read(path: Path, verdict: Verdict) -> State | None:
    from models.catalogue import Catalogue
    from models.errors import CatalogueError
    from models.storage import gpkg
    try:
        cat = Catalogue.open(path)  # the next start of the app: replays the WAL
    except CatalogueError as e:
        verdict.problems.append(f"does not open: {e}")
        return None
    try:
        conn = cat.store.conn
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            verdict.corrupt = True
            verdict.problems.append(f"integrity_check: {'; '.join(result[:3])}")
        if conn.execute("PRAGMA foreign_key_check").fetchone():
            verdict.corrupt = True
            verdict.problems.append("foreign_key_check found dangling references")
        state = read_state(conn)
        for area_id, geom in conn.execute("SELECT fid, geom FROM areas"):
            want = len(state.areas[area_id][2]) * CELL * CELL
            outline = gpkg.from_blob(geom)
            got = 0.0 if outline is None else outline.area
            if abs(got - want) > 1e-6 * max(want, 1.0):
                verdict.outline_errors += 1
                verdict.problems.append(f"area {area_id}: outline {got:.0f} m², units {want:.0f} m²")
        return state
    except sqlite3.DatabaseError as e:
        verdict.corrupt = True
        verdict.problems.append(f"reading failed: {e}")
        return None
    finally:
        cat.close()


def _read_with_gdal(path: Path, verdict: Verdict) -> None:
    import pyogrio
    import pyogrio.raw
    try:
        layers = {name for name, _ in pyogrio.list_layers(path)}
        for table in ("boundary_units", "areas"):
            if table not in layers:
                raise ValueError(f"no layer {table}")
            pyogrio.raw.read(path, layer=table)
    except Exception as e:  # anything GDAL cannot read is a broken GeoPackage
        verdict.corrupt = True
        verdict.problems.append(f"pyogrio: {str(e).splitlines()[0] if str(e) else type(e).__name__}")


# -- the seeded catalogue ------------------------------------------------------
def write_grid(path: Path) -> Path:
    """GRID_COLS x GRID_ROWS square wards (EPSG:27700) in two boroughs, as GeoJSON."""
    return grid.write_grid(path, GRID_COLS, GRID_ROWS, CELL, code=lambda col, row: f"K{row:02d}{col:02d}",
                           borough=lambda col: "KB1" if col < GRID_COLS // 2 else "KB2")


def seed_catalogue(path: Path) -> Path:
    """The grid as a ward layer, and again under other codes as a later vintage, for
    re-basing areas from one onto the other (same squares: outlines keep their m²)."""
    from models.catalogue import Catalogue
    from models.formats.boundary_import import import_boundaries
    grid = write_grid(path.with_suffix(".geojson"))
    later = path.with_name(path.stem + "-2022.geojson")
    later.write_text(grid.read_text().replace('"K', '"N'))
    with Catalogue.create(path) as cat:
        import_boundaries(cat, grid, name="Grid wards", level="ward")
        import_boundaries(cat, later, name=VINTAGE_LAYER, level="ward", vintage="2022")
    return path


VINTAGE_LAYER = "Grid wards 2022"


# -- the parent ----------------------------------------------------------------
def _trial(path: Path, log: Path, seed: int, delay: float) -> str | None:
    """Run a child until `delay` seconds after its first edit, then SIGKILL it.

    Returns the child's complaint if it died on its own."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.reliability.kill_child", str(path), "--log", str(log),
         "--seed", str(seed)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], STARTUP_TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            proc.kill()
            _, err = proc.communicate()
            return (err.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        time.sleep(delay)
        if proc.poll() is not None:
            return f"the child stopped by itself (exit {proc.returncode})"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def run(trials: int = 100, seed: int | None = None, workdir: Path | None = None,
        max_delay: float = MAX_DELAY) -> dict:
    """`trials` kills of a child editing one catalogue; the figures for bench/reliability.json."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(workdir) if workdir is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        path = seed_catalogue(work / "kill.gpkg")
        from models.catalogue import Catalogue
        with Catalogue.open(path, read_only=True) as cat:
            state = read_state(cat.store.conn)
        totals = {"trials": 0, "corrupt": 0, "lost_edits": 0, "edits": 0, "mismatched": 0,
                  "outline_errors": 0, "killed_mid_edit": 0, "committed_not_logged": 0,
                  "child_failures": 0, "problems": []}
        for n in range(trials):
            log = work / f"trial-{n:03d}.log"
            log.unlink(missing_ok=True)
            failure = _trial(path, log, rng.randrange(2 ** 31), rng.uniform(0, max_delay))
            if failure:
                totals["child_failures"] += 1
                totals["problems"].append(f"trial {n}: {failure}")
            verdict, found = check(path, state, log)
            totals["trials"] += 1
            totals["corrupt"] += verdict.corrupt
            totals["lost_edits"] += verdict.lost
            totals["edits"] += verdict.logged
            totals["mismatched"] += not verdict.matched
            totals["outline_errors"] += verdict.outline_errors
            totals["killed_mid_edit"] += verdict.in_flight
            totals["committed_not_logged"] += verdict.in_flight_committed
            totals["problems"] += [f"trial {n}: {p}" for p in verdict.problems]
            if found is None:  # nothing to carry on from
                break
            state = found  # the next trial starts from what this one left
            if not verdict.problems:
                log.unlink()  # kept otherwise, to see what went wrong
        return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.kill")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    result = run(args.trials, args.seed)
    print(json.dumps(result, indent=2))
    return 0 if result["corrupt"] == 0 and result["lost_edits"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
