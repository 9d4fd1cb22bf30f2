"""Is an opened catalogue file intact? SQLite's quick_check, and what a damaged file raises.

quick_check reads every page and checks the b-trees' structure (not index contents
against tables, which integrity_check also does and costs more); on the E&W ward
catalogue it takes a few tens of milliseconds, but it grows with the file: ~0.8 s for
a catalogue of 161k units (a 690 MB file). The app therefore runs it in a thread
(DeferredCheck) while the map is read and drawn; Store lets nothing be written until it
has passed. Nothing here writes to the file.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from pathlib import Path

from models.errors import CatalogueError, DamagedCatalogue

# SQLITE_CORRUPT, and SQLITE_NOTADB for a file whose header is right but whose pages are not
_DAMAGE_CODES = {11, 26}
BACKGROUND_NICE = 10   # the check thread's niceness, on Linux
_INTERRUPTED = 9   # SQLITE_INTERRUPT: the check was stopped (the catalogue closed meanwhile)


def damaged(path: Path, detail: str) -> DamagedCatalogue:
    """The error for a damaged file; `path` rides along for the recovery dialogs."""
    return DamagedCatalogue(f"{Path(path).name} is damaged ({detail}); it has not been changed", Path(path))


def check(conn: sqlite3.Connection, path: Path, leaving: frozenset[str] = frozenset()) -> None:
    """Raise DamagedCatalogue when quick_check finds anything; the caller closes conn untouched.

    leaving: tables (with their indexes) not checked here, for a DeferredCheck to check with
    the rest; every other table is checked one by one (quick_check(table))."""
    if not leaving:
        _raise_if_damaged(conn.execute("PRAGMA quick_check").fetchall(), path)
        return
    tables = [name for name, in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    for table in ["sqlite_master", *tables]:
        if table not in leaving:
            _raise_if_damaged(conn.execute("SELECT * FROM pragma_quick_check(?)", (table,)).fetchall(), path)


def _raise_if_damaged(rows: list[tuple], path: Path) -> None:
    if rows != [("ok",)]:
        lines = [line for r in rows for line in str(r[0]).splitlines() if not line.startswith("***")]
        raise damaged(path, "SQLite reports: " + (lines[0] if lines else "unknown damage"))


def read_error(path: Path, error: sqlite3.DatabaseError) -> CatalogueError:
    """The error for a file SQLite could not read while opening."""
    # sqlite_errorcode is Python 3.11+; before that the message says it.
    if getattr(error, "sqlite_errorcode", None) in _DAMAGE_CODES or "malformed" in str(error):
        return damaged(path, f"SQLite reports: {error}")
    return CatalogueError(f"{Path(path).name} cannot be read as a catalogue: {error}")


class DeferredCheck:
    """quick_check on a read-only connection of its own, in a thread.

    The caller (Store) writes nothing to the file until `result()` is None; `passed` says
    whether the check ran to the end and found nothing. The thread holds no Python lock
    while SQLite reads (the sqlite3 module lets go of the GIL), so it runs on another core
    beside the main thread's reading."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.path = Path(path)
        self.passed = False
        self._conn = conn
        self._error: DamagedCatalogue | None = None
        self._closing = threading.Lock()   # interrupt() must not meet a closed connection
        self._thread = threading.Thread(target=self._run, name="catalogue check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if sys.platform.startswith("linux"):   # where a thread has a priority of its own
            with contextlib.suppress(OSError):
                # Behind the main thread when the cores are busy: the first frame comes first.
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        try:
            check(self._conn, self.path)
            self.passed = True
        except DamagedCatalogue as e:
            self._error = e
        except sqlite3.DatabaseError as e:
            if getattr(e, "sqlite_errorcode", None) != _INTERRUPTED and "interrupted" not in str(e):
                error = read_error(self.path, e)
                # A page it could not read is damage; anything else (a lost file, no memory)
                # is not known to be sound either: writing stays refused with the reason.
                self._error = error if isinstance(error, DamagedCatalogue) else damaged(self.path, str(e))
        finally:
            with self._closing:
                self._conn.close()
                self._conn = None

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> DamagedCatalogue | None:
        """Waits for the check; the damage it found, None when the file passed."""
        self._thread.join()
        return self._error

    def cancel(self) -> None:
        """Stop the check (if still running) and wait for its thread; `passed` stays False then."""
        with self._closing:
            if self._conn is not None:
                self._conn.interrupt()
        self._thread.join()
