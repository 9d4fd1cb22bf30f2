"""One writer per catalogue: an OS lock on a small file beside it that says who holds it.

SQLite alone would let two Partnership Atlas windows edit one file in turn, each
with its own undo history over rows the other has changed. So whoever opens a
catalogue for writing holds an advisory lock on `<name>.lock` (flock on POSIX,
msvcrt.locking on Windows) and writes into it who they are; the next one is told
that and opens the file read-only. The OS drops the lock when a process dies, so
a lock file left by a crash is simply taken over.
"""
from __future__ import annotations

import contextlib
import datetime
import getpass
import json
import os
import socket
from pathlib import Path

from models.errors import CatalogueInUse

if os.name == "nt":
    import msvcrt

    # Windows locks byte ranges and then refuses to read them: lock one byte far past
    # the text, so the next one can still read who holds it.
    _FAR = 1 << 30

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _FAR, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _FAR, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    # flock, not fcntl/lockf: flock locks belong to the open file, so a second open in
    # the same process is refused too, where POSIX record locks would let it through.
    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(catalogue: Path) -> Path:
    return catalogue.with_name(catalogue.name + ".lock")


def _who() -> dict:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):   # no login name (some containers and services)
        user = "someone"
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.datetime.now().isoformat(timespec="minutes")}


def describe(info: dict) -> str:
    """'alice on laptop, process 1234, since 2026-05-09 14:05'."""
    since = str(info.get("since", "")).replace("T", " ")
    return (f"{info.get('user', 'someone')} on {info.get('host', 'another computer')}, "
            f"process {info.get('pid', '?')}" + (f", since {since}" if since else ""))


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8"))
        return describe(info) if isinstance(info, dict) else "another Partnership Atlas"
    except (OSError, ValueError):   # being written this instant, or not ours
        return "another Partnership Atlas"


class CatalogueLock:
    """Held while a catalogue is open for writing; `release()` on close."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, catalogue: str | os.PathLike) -> CatalogueLock | None:
        """The lock, or CatalogueInUse naming the holder; None where no lock file can be
        made (a read-only folder): opening unlocked beats refusing the user's own file."""
        catalogue = Path(catalogue)
        path = lock_path(catalogue)
        for _ in range(5):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return None
            if not _try_lock(fd):
                holder = _read_holder(fd)
                os.close(fd)
                raise CatalogueInUse(f"{catalogue.name} is open for editing by {holder}", holder)
            # A holder closing between our open and our lock deletes the file we locked;
            # a lock on a deleted file guards nothing, so go round again.
            try:
                mine = os.path.samestat(os.fstat(fd), os.stat(path))
            except OSError:
                mine = False
            if mine:
                lock = cls(path, fd)
                lock._write(_who())
                return lock
            _unlock(fd)
            os.close(fd)
        return None

    def _write(self, info: dict) -> None:
        data = json.dumps(info).encode("utf-8")
        with contextlib.suppress(OSError):   # the lock holds even if the note cannot be written
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.write(self._fd, data)

    def release(self) -> None:
        if self._fd is None:
            return
        # Delete while still holding the lock, so nobody takes over a file about to vanish.
        with contextlib.suppress(OSError):   # Windows will not delete an open file: left stale
            self.path.unlink()
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None


def holder(catalogue: str | os.PathLike) -> str | None:
    """Who has `catalogue` open for writing, in words, or None when nobody does."""
    path = lock_path(Path(catalogue))
    try:
        fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)
