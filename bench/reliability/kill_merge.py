"""Kill trials for merging: a process killed while merging leaves the catalogue as before or after.

Two copies of one catalogue (300 partnerships, 600 organisations) get 60 different edits
each, 5 of them on the same fields (conflicts, resolved 'theirs'). The parent merges B into
a spare copy of A once to know the content after, and times the apply. Each trial copies A
afresh and starts a child (`python -m bench.reliability.kill_merge --child A B`) that plans the
merge, says so, and applies it; the parent kills it with SIGKILL at a random moment between
that line and 1.5 times the apply's duration. Then the file is opened as the app opens it
(the WAL replayed): its integrity and `check` must pass and its content (every identified row,
foreign keys as uuids, areas' wards) must equal the content before or the content after.

    python -m bench.reliability.kill_merge [--trials 50] [--seed N]
"""
from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
N_PARTNERSHIPS, N_ORGS, N_EDITS, N_BOTH = 300, 600, 60, 5


def _build(path: Path) -> None:
    from models.catalogue import Catalogue
    rng = random.Random(17)
    with Catalogue.create(path) as cat:
        conn = cat.store.conn
        with cat.store.edit(name="Trial catalogue"):
            conn.executemany("INSERT INTO organisations(id, name, kind) VALUES (?, ?, 'other')",
                             [(i, f"Organisation {i:04d}") for i in range(1, N_ORGS + 1)])
            conn.executemany("INSERT INTO partnerships(id, name, kind, status) VALUES (?, ?, 'other', 'active')",
                             [(i, f"Partnership {i:04d}") for i in range(1, N_PARTNERSHIPS + 1)])
            conn.executemany("INSERT INTO memberships(partnership_id, organisation_id, role) VALUES (?, ?, 'member')",
                             [(p, o) for p in range(1, N_PARTNERSHIPS + 1)
                              for o in rng.sample(range(1, N_ORGS + 1), 2)])


def _edit(path: Path, side: int) -> None:
    from models.catalogue import Catalogue
    from models.catalogue.records import Membership, Organisation
    rng = random.Random(side)
    own = [p for p in range(N_BOTH + 1, N_PARTNERSHIPS + 1) if p % 2 == side]
    with Catalogue.open(path) as cat:
        ps = cat.partnerships
        for p in range(1, N_BOTH + 1):
            ps.update(replace(ps.get(p), notes=f"copy {side}"))
        for k in range(N_EDITS - N_BOTH):
            p = ps.get(rng.choice(own))
            if k % 3 == 0:
                ps.update(replace(p, name=f"{p.name} ({side})"))
            elif k % 3 == 1:
                ps.add_member(Membership(p.id, rng.randrange(1, N_ORGS + 1), role="observer"))
            else:
                ps.add_member_new_organisation(Organisation(f"New {side}-{k}"), Membership(p.id, 0))


def content(path: Path) -> dict:
    from models.catalogue import Catalogue, merge
    with Catalogue.open(path, read_only=True) as cat:
        return merge.read_side(cat.store.conn).rows


def _sound(path: Path) -> list[str]:
    from models.catalogue import Catalogue
    from models.storage import check
    try:
        with Catalogue.open(path) as cat:   # replays the WAL the child left, as the app would
            return check.problems(cat)
    except Exception as e:   # noqa: BLE001 - any failure to open is what this trial counts
        return [f"could not open: {e}"]


def _child(mine: str, other: str) -> int:
    from models.catalogue import Catalogue, merge
    with Catalogue.open(mine) as cat:
        plan = merge.plan(cat, other, prefer="theirs")
        print("planned", flush=True)
        merge.apply(cat, plan)
        print("applied", flush=True)
    return 0


def run(trials: int = 50, seed: int | None = None) -> dict:
    from models.catalogue import Catalogue, merge
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        base, a, b, spare = (work / n for n in ("base.gpkg", "a.gpkg", "b.gpkg", "spare.gpkg"))
        _build(base)
        shutil.copy(base, a)
        shutil.copy(base, b)
        _edit(a, 0)
        _edit(b, 1)
        before = content(a)
        shutil.copy(a, spare)
        with Catalogue.open(spare) as cat:
            plan = merge.plan(cat, b, prefer="theirs")
            t0 = time.perf_counter()
            merge.apply(cat, plan)
            apply_s = time.perf_counter() - t0
        after = content(spare)
        counts = {"trials": 0, "before": 0, "after": 0, "neither": 0, "corrupt": 0, "child_failures": 0,
                  "apply_ms": round(apply_s * 1000, 1), "problems": []}
        for trial in range(trials):
            target = work / f"trial{trial}.gpkg"
            shutil.copy(a, target)
            child = subprocess.Popen([sys.executable, "-m", "bench.reliability.kill_merge", "--child",
                                      str(target), str(b)], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            line = child.stdout.readline().strip()
            if line != "planned":
                counts["child_failures"] += 1
                counts["problems"].append(f"trial {trial}: child said {line!r}: {child.stderr.read()[-300:]}")
                child.wait()
                continue
            time.sleep(rng.uniform(0, 1.5 * apply_s))
            child.send_signal(signal.SIGKILL)
            child.wait()
            counts["trials"] += 1
            problems = _sound(target)
            if problems:
                counts["corrupt"] += 1
                counts["problems"].append(f"trial {trial}: {problems[:3]}")
                continue
            now = content(target)
            key = "before" if now == before else "after" if now == after else "neither"
            counts[key] += 1
            if key == "neither":
                counts["problems"].append(f"trial {trial}: the file is neither as before nor as after the merge")
            target.unlink()
            for suffix in ("-wal", "-shm", ".lock"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.kill_merge")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "OTHER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(*args.child)
    result = run(args.trials, args.seed)
    print(result)
    return 1 if result["neither"] or result["corrupt"] or result["child_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
