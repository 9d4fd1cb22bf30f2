"""The catalogue file on disk: its name, what its header says before SQLite reads it,
reading it without leaving a trace, copying it whole, and deleting it with its journal.

A file someone sends may be cut short (a copy made while it was still being written,
an e-mail attachment limit); SQLite would open it and fail somewhere later, so the
header's own page count is checked against the file's size first.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from models.errors import CatalogueError
from models.storage.integrity import damaged

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
# What a catalogue file is called: a GeoPackage, or the plain SQLite name other tools use.
CATALOGUE_SUFFIXES = (".gpkg", ".sqlite")


def catalogue_name(path: Path) -> Path:
    """`path` as a catalogue's file name: `.gpkg` added when it has no catalogue suffix
    (a name typed into a save dialog without one), so other programs know the file."""
    path = Path(path)
    return path if path.suffix.lower() in CATALOGUE_SUFFIXES else path.with_suffix(".gpkg")


def wal_path(path: Path) -> Path:
    return Path(f"{path}-wal")


def delete(path: Path) -> None:
    """Remove a catalogue file together with its -wal and -shm. Left behind, SQLite would take a
    -wal for the journal of whatever file is next written under that name, and read it into it."""
    for leftover in (Path(path), wal_path(path), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def check_header(path: Path) -> None:
    """Refuse, with one line, anything that is not a whole SQLite file; reads 100 bytes."""
    if path.is_dir():
        raise CatalogueError(f"{path.name} is a folder, not a catalogue file")
    if not path.is_file():
        raise CatalogueError(f"{path} does not exist")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
    except OSError as e:
        raise CatalogueError(f"cannot read {path.name}: {e.strerror}") from None
    if size == 0:
        raise CatalogueError(f"{path.name} is empty (0 bytes), not an SQLite file")
    if head[:16] != SQLITE_MAGIC:
        raise CatalogueError(f"{path.name} is not a catalogue (not an SQLite file)")
    if len(head) < HEADER_BYTES:
        raise damaged(path, f"cut short: {size} bytes, not a whole catalogue")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size  # the format's way of writing 64 KiB
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(path, f"its header gives page size {page_size}")
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is only kept up to date by SQLite 3.7+, which marks
    # it valid by copying the change counter (bytes 24-27) into bytes 92-95.
    counted = pages > 0 and head[24:28] == head[92:96]
    if size % page_size or (counted and size < pages * page_size):
        expected = f" of {pages * page_size:,}" if counted else ""
        raise damaged(path, f"cut short: {size:,}{expected} bytes, "
                            "perhaps copied before it was finished")


def close_untouched(conn: sqlite3.Connection, path: Path, had_wal: bool) -> None:
    """Close a connection that has only read, leaving the file and its WAL as they were found.

    The last connection to close a WAL-mode file folds the WAL into it (and deletes
    the WAL). That is right for our own edits, but a WAL that came with the file
    and was never checked must not be written into it: a read-only connection
    cannot checkpoint, so one is held open while `conn` closes, and closes last.
    """
    if not had_wal:
        conn.close()   # any -wal/-shm SQLite made for reading go with it
        return
    guard = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # Reading takes the shared lock that stops `conn` from checkpointing on close.
        guard.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        pass   # an unreadable WAL: then `conn` could not have read it either
    finally:
        conn.close()
        guard.close()


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for reading a file that may not be ours, closed untouched afterwards."""
    had_wal = wal_path(path).exists()
    # A read-write connection (never used to write) is the one that removes, on closing,
    # the -wal/-shm files that reading a WAL-mode file makes; a read-only one leaves them.
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    mode = "rw" if writable and not had_wal else "ro"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None)
    conn.execute("PRAGMA trusted_schema=OFF")
    try:
        yield conn
    finally:
        close_untouched(conn, path, had_wal)


def tidy_after_reading(path: Path) -> None:
    """Remove the -wal/-shm that a read-only connection made for reading and could not remove.

    Only the last connection to close a WAL-mode file deletes them, and only one that may
    write; one opened read-write and closed without writing is that connection. When another
    program still has the file open it is not the last, and nothing happens. Call it only
    when there was no -wal before reading: a WAL that came with the file is not ours to fold in.
    """
    if not wal_path(path).exists() or not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()


def copy_whole(conn: sqlite3.Connection, final: Path) -> None:
    """The database on `conn` into `final` with SQLite's backup API, as one file (no -wal to
    travel with it), complete or not at all: written under a temporary name, synced, renamed."""
    partial = final.with_name(f".{final.name}.{os.getpid()}.partial")
    try:
        dest = sqlite3.connect(partial)
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        with open(partial, "rb+") as f:   # on disk before the rename makes it the file
            os.fsync(f.fileno())
        os.replace(partial, final)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
