"""Is an opened catalogue file intact? SQLite's quick_check, and what a damaged file raises.

quick_check reads every page and checks the b-trees' structure (not index contents
against tables, which integrity_check also does and costs more); on the E&W ward
catalogue it takes a few tens of milliseconds. Nothing here writes to the file.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from models.errors import CatalogueError, DamagedCatalogue

# SQLITE_CORRUPT, and SQLITE_NOTADB for a file whose header is right but whose pages are not
_DAMAGE_CODES = {11, 26}


def damaged(path: Path, detail: str) -> DamagedCatalogue:
    """The error for a damaged file; `path` rides along for the recovery dialogs."""
    return DamagedCatalogue(f"{Path(path).name} is damaged ({detail}); it has not been changed", Path(path))


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise DamagedCatalogue when quick_check finds anything; the caller closes conn untouched."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        lines = [line for r in rows for line in str(r[0]).splitlines() if not line.startswith("***")]
        raise damaged(path, "SQLite reports: " + (lines[0] if lines else "unknown damage"))


def read_error(path: Path, error: sqlite3.DatabaseError) -> CatalogueError:
    """The error for a file SQLite could not read while opening."""
    # sqlite_errorcode is Python 3.11+; before that the message says it.
    if getattr(error, "sqlite_errorcode", None) in _DAMAGE_CODES or "malformed" in str(error):
        return damaged(path, f"SQLite reports: {error}")
    return CatalogueError(f"{Path(path).name} cannot be read as a catalogue: {error}")
