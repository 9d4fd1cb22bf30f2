"""Catalogues with many rows over many pages, and ways to damage their files as disks do."""
from __future__ import annotations

import random
from pathlib import Path

N_ORGS, N_PARTNERSHIPS = 600, 300


def many_rows(cat) -> None:
    """600 organisations, 300 partnerships each led by one and with two members, each cited once.

    Long notes spread the organisations over a few dozen pages, so one damaged page
    loses some of them and not all.
    """
    conn = cat.store.conn
    with cat.store.edit():
        conn.executemany("INSERT INTO organisations(id, name, kind, notes) VALUES (?, ?, 'other', ?)",
                         [(i, f"Org {i:04d}", f"notes {i:04d} " + "n" * 150) for i in range(1, N_ORGS + 1)])
        conn.executemany("INSERT INTO partnerships(id, name, kind, status, lead_id) VALUES (?, ?, 'other', 'active', ?)",
                         [(i, f"Partnership {i:04d}", 2 * i - 1) for i in range(1, N_PARTNERSHIPS + 1)])
        conn.executemany("INSERT INTO memberships(partnership_id, organisation_id, role) VALUES (?, ?, 'member')",
                         [(i, 2 * i - 1 + k, ) for i in range(1, N_PARTNERSHIPS + 1) for k in (0, 1)])
        conn.execute("INSERT INTO sources(id, title) VALUES (1, 'A report')")
        conn.executemany("INSERT INTO citations(source_id, page, partnership_id) VALUES (1, ?, ?)",
                         [(str(i), i) for i in range(1, N_PARTNERSHIPS + 1)])


def page_size(path: Path) -> int:
    size = int.from_bytes(Path(path).read_bytes()[16:18], "big")
    return 65536 if size == 1 else size


def damage_page_holding(path: Path, marker: bytes) -> int:
    """Overwrite the page that holds `marker` with fixed garbage; returns its page number (from 1)."""
    data = Path(path).read_bytes()
    size = page_size(path)
    index = data.index(marker) // size
    assert index > 0, "page 1 holds the header; damage a later page"
    with open(path, "r+b") as f:
        f.seek(index * size)
        f.write(random.Random(index).randbytes(size))
    return index + 1


def damage_middle(path: Path, length: int = 3 * 4096) -> None:
    """Overwrite bytes in the middle of the file, leaving the header as it was."""
    size = Path(path).stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(random.Random(size).randbytes(length))


def truncate(path: Path, fraction: float = 1 / 3) -> None:
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * fraction)])


def sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()]


def damage_page_of(path: Path, table: str) -> int:
    """Overwrite the last leaf page of `table` (found with SQLite's dbstat) with fixed garbage;
    returns its page number (from 1)."""
    import sqlite3

    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        [(page,)] = conn.execute("SELECT max(pageno) FROM dbstat WHERE name=? AND pagetype='leaf'",
                                 (table,)).fetchall()
    finally:
        conn.close()
    assert page and page > 1, f"{table} has no leaf page of its own"
    size = page_size(path)
    with open(path, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(random.Random(page).randbytes(size))
    return page
