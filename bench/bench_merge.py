"""Merging two copies of a catalogue.

merge_2000: a catalogue of 2,000 partnerships (three members each), 5,000 organisations, 200
sources and 2,000 citations is copied twice; each copy then gets 200 edits of its own through
the model (untimed), as two researchers would make them: renames and new descriptions of
partnerships, new members, memberships ended, new organisations, and 20 partnerships whose
governance both copies change (conflicts). Timed: `merge.plan` to its report (the other file
opened read-only and checked, both files read, matched and compared field by field against
the shared history; median of 3). Anchor: what a generic diff does, table by table with
SQLite's own EXCEPT over the two files ATTACHed, both directions (no matching, no ancestor).
"""
from __future__ import annotations

import random
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

from bench.harness import median_ms, result
from models.catalogue import Catalogue, merge
from models.catalogue.records import Membership, Organisation

N_PARTNERSHIPS, N_ORGS, N_EDITS = 2000, 5000, 200


def build(path: Path) -> None:
    rng = random.Random(16)
    with Catalogue.create(path) as cat:
        conn = cat.store.conn
        with cat.store.edit(name="Bench catalogue"):
            conn.executemany("INSERT INTO organisations(id, name, kind, gss_code) VALUES (?, ?, ?, ?)",
                             [(i, f"Organisation {i:05d}", "local authority" if i <= 400 else "other",
                               f"E0{i:07d}" if i <= 400 else None) for i in range(1, N_ORGS + 1)])
            conn.executemany("INSERT INTO partnerships(id, name, kind, status, start_date, description) "
                             "VALUES (?, ?, 'other', 'active', ?, ?)",
                             [(i, f"Partnership {i:05d}", str(1990 + i % 30), f"About partnership {i}")
                              for i in range(1, N_PARTNERSHIPS + 1)])
            conn.executemany("INSERT INTO memberships(partnership_id, organisation_id, role) VALUES (?, ?, 'member')",
                             [(p, o) for p in range(1, N_PARTNERSHIPS + 1)
                              for o in rng.sample(range(1, N_ORGS + 1), 3)])
            conn.executemany("INSERT INTO sources(id, title, year) VALUES (?, ?, ?)",
                             [(i, f"Report {i}", 2000 + i % 20) for i in range(1, 201)])
            conn.executemany("INSERT INTO citations(source_id, page, partnership_id) VALUES (?, ?, ?)",
                             [(1 + p % 200, str(p), p) for p in range(1, N_PARTNERSHIPS + 1)])


def edit(path: Path, side: int) -> None:
    """N_EDITS edits through the model: each copy its own partnerships, 20 shared (conflicts)."""
    rng = random.Random(side)
    mine = [p for p in range(21, N_PARTNERSHIPS + 1) if p % 2 == side]
    with Catalogue.open(path) as cat:
        ps = cat.partnerships
        for k in range(20):   # both copies change these 20 partnerships' governance
            ps.update(replace(ps.get(k + 1), governance=f"Board of copy {side}"))
        for k in range(N_EDITS - 20):
            p = ps.get(rng.choice(mine))
            kind = k % 5
            if kind == 0:
                ps.update(replace(p, name=f"{p.name} (renamed {side})"))
            elif kind == 1:
                ps.update(replace(p, description=f"Described in copy {side}"))
            elif kind == 2:
                ps.add_member(Membership(p.id, rng.randrange(1, N_ORGS + 1), role="observer"))
            elif kind == 3:
                m = ps.memberships(p.id)[0]
                ps.update_member(replace(m, left="2020-03-31"))
            else:
                cat.partnerships.add_member_new_organisation(
                    Organisation(f"New body {side}-{k}", kind="other"), Membership(p.id, 0))


def except_diff(a: Path, b: Path) -> int:
    """Rows of each table in one file and not the other, both ways, by SQLite's EXCEPT."""
    conn = sqlite3.connect(f"{a.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("ATTACH ? AS other", (f"{b.resolve().as_uri()}?mode=ro",))
    n = 0
    for table in merge.TABLES:
        for x, y in (("main", "other"), ("other", "main")):
            n += conn.execute(f"SELECT count(*) FROM (SELECT * FROM {x}.{table} EXCEPT "
                              f"SELECT * FROM {y}.{table})").fetchone()[0]
    conn.close()
    return n


def run(data: Path, workdir: Path) -> list[dict]:
    base, a, b = workdir / "base.gpkg", workdir / "a.gpkg", workdir / "b.gpkg"
    build(base)
    shutil.copy(base, a)
    shutil.copy(base, b)
    edit(a, 0)
    edit(b, 1)
    cat = Catalogue.open(a)
    try:
        report = merge.plan(cat, b).report()
        value = median_ms(lambda: merge.plan(cat, b).report(), repeat=3)
    finally:
        cat.close()
    rows = except_diff(a, b)
    anchor = median_ms(lambda: except_diff(a, b), repeat=3)
    note = (f"{sum(report['added'].values())} added, {sum(report['changed'].values())} changed, "
            f"{len(report['conflicts'])} conflicts; EXCEPT finds {rows} differing rows")
    return [result("merge_2000", value, "≤ 1000 ms", {"sqlite_except_diff": anchor}, note=note)]
