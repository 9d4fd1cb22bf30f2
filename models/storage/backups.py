"""Rotating backups of catalogue files, and restoring one.

    backups = Backups(data_folder / "Backups")
    backups.on_open(conn, path, version, latest)  # what Store.open does: daily, or before a migration
    for b in backups.list(path): print(b.taken_at, b.reason, b.size)
    aside = backups.restore_into(conn, b, path)   # an open catalogue: its content is kept beside it
    aside = backups.restore(b, path)              # a damaged, closed one: renamed aside unchanged

Each catalogue gets its own subfolder, named from its stem and a hash of its
resolved path, so two "catalogue.gpkg" in different folders never share one.
A backup is a single SQLite file written with the backup API under a temporary
name and renamed when complete: the folder never holds a partial backup. Names
carry the time (UTC) and the reason; anything else in the folder is left alone.

Times come from `now` arguments, or from the `clock` the caller gives, so tests
never depend on the wall clock.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.errors import CatalogueError
from models.storage import sqlite_file

KEEP_DAILY = 7
KEEP_WEEKLY = 4
DUE_AFTER = timedelta(days=1)

_STAMP = "%Y-%m-%dT%H%M%SZ"
_STAMP_RE = r"\d{4}-\d\d-\d\dT\d{6}Z"
# "<stem> <stamp> daily.gpkg" or "<stem> <stamp> before-schema-2.gpkg"
_BACKUP_NAME = re.compile(rf"^.* (?P<stamp>{_STAMP_RE}) (?P<tag>daily|before-schema-(?P<schema>\d+))\.gpkg$")
BEFORE_RESTORE = "before restore"
DAMAGED = "damaged"


def local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime      # aware, UTC
    size: int               # bytes
    reason: str             # "daily", "before migration to schema 2", "before restore"


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime(_STAMP)


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=timezone.utc)


def aside_path(catalogue_path: Path, label: str, now: datetime) -> Path:
    """Where a catalogue is moved when it is replaced: beside it, '<stem> (<label> <stamp>)<suffix>'."""
    path = Path(catalogue_path)
    return path.with_name(f"{path.stem} ({label} {_stamp(now)}){path.suffix}")


def _sidecars(path: Path) -> list[tuple[Path, str]]:
    return [(Path(f"{path}{s}"), s) for s in ("-wal", "-shm", "-journal")]


def move_aside(catalogue_path: Path, label: str, now: datetime) -> Path:
    """Rename a (closed) catalogue and its journal files to aside_path; returns the new path.

    A rename, never a copy: the bytes are kept exactly, damaged ones included.
    """
    path = Path(catalogue_path)
    target = aside_path(path, label, now)
    if target.exists():
        raise FileExistsError(f"{target.name} already exists")
    os.replace(path, target)
    for sidecar, suffix in _sidecars(path):
        if sidecar.exists():
            os.replace(sidecar, f"{target}{suffix}")
    return target


class Backups:
    """The backups folder the caller chose (models do not know where user data lives)."""

    def __init__(self, root: str | os.PathLike, clock: Callable[[], datetime] = local_now):
        self.root = Path(root)
        self.clock = clock

    def folder_for(self, catalogue_path: str | os.PathLike) -> Path:
        resolved = Path(catalogue_path).resolve()
        digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:10]
        return self.root / f"{resolved.stem}-{digest}"

    # -- listing -------------------------------------------------------------
    def list(self, catalogue_path: str | os.PathLike) -> list[Backup]:
        """This catalogue's backups and the files restores moved aside, newest first."""
        path = Path(catalogue_path)
        found = []
        folder = self.folder_for(path)
        for entry in folder.iterdir() if folder.is_dir() else ():
            m = _BACKUP_NAME.match(entry.name)
            if m and entry.is_file():
                reason = "daily" if m["tag"] == "daily" else f"before migration to schema {m['schema']}"
                found.append(Backup(entry, _parse_stamp(m["stamp"]), entry.stat().st_size, reason))
        aside = re.compile(rf"^{re.escape(path.stem)} \({BEFORE_RESTORE} (?P<stamp>{_STAMP_RE})\)"
                           rf"{re.escape(path.suffix)}$")
        for entry in path.parent.iterdir() if path.parent.is_dir() else ():
            m = aside.match(entry.name)
            if m and entry.is_file():
                found.append(Backup(entry, _parse_stamp(m["stamp"]), entry.stat().st_size, BEFORE_RESTORE))
        return sorted(found, key=lambda b: b.taken_at, reverse=True)

    def _rotating(self, catalogue_path) -> list[Backup]:
        return [b for b in self.list(catalogue_path) if b.reason != BEFORE_RESTORE]

    def due(self, catalogue_path: str | os.PathLike, now: datetime | None = None) -> bool:
        """True when the newest backup is a day old or more (or there is none)."""
        now = now or self.clock()
        backups = self._rotating(catalogue_path)
        return not backups or now - backups[0].taken_at >= DUE_AFTER

    # -- taking ----------------------------------------------------------------
    def take(self, conn: sqlite3.Connection, catalogue_path: str | os.PathLike,
             schema_before: int | None = None, now: datetime | None = None) -> Backup:
        """Back up the database open on `conn`: daily, or before migrating from schema_before.

        Raises OSError or sqlite3.Error when the folder or disk fails; nothing partial is left.
        """
        now = now or self.clock()
        path = Path(catalogue_path)
        folder = self.folder_for(path)
        folder.mkdir(parents=True, exist_ok=True)
        tag = "daily" if schema_before is None else f"before-schema-{schema_before + 1}"
        final = folder / f"{path.stem} {_stamp(now)} {tag}.gpkg"
        sqlite_file.copy_whole(conn, final)
        self.rotate(path, now)
        return next(b for b in self.list(path) if b.path == final)

    def on_open(self, conn: sqlite3.Connection, catalogue_path: str | os.PathLike,
                schema_version: int, latest_schema: int) -> str | None:
        """What opening for writing does: a backup before a migration, else a daily one when due.

        Returns a one-line warning when the backup failed; the open goes on regardless.
        """
        path = Path(catalogue_path)
        now = self.clock()
        try:
            if schema_version < latest_schema:
                self.take(conn, path, schema_before=schema_version, now=now)
            elif self.due(path, now):
                self.take(conn, path, now=now)
        except (OSError, sqlite3.Error) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            return f"Could not back up {path.name} into {self.root}: {reason}"
        return None

    # -- rotation --------------------------------------------------------------
    def keep(self, backups: list[Backup], now: datetime) -> set[Path]:
        """The newest backup of each of the last KEEP_DAILY days that have one, and of each of
        the last KEEP_WEEKLY ISO weeks that have one (days in the time zone of `now`)."""
        tz = now.tzinfo
        kept: set[Path] = set()
        for bucket, count in ((lambda d: d.date(), KEEP_DAILY),
                              (lambda d: tuple(d.isocalendar())[:2], KEEP_WEEKLY)):
            seen: list = []
            for b in sorted(backups, key=lambda b: b.taken_at, reverse=True):
                key = bucket(b.taken_at.astimezone(tz))
                if key not in seen:
                    if len(seen) == count:
                        break
                    seen.append(key)
                    kept.add(b.path)
        return kept

    def rotate(self, catalogue_path: str | os.PathLike, now: datetime | None = None) -> list[Path]:
        """Delete the backups `keep` does not keep; returns what was deleted.

        Files moved aside by a restore live beside the catalogue and are never deleted here.
        """
        now = now or self.clock()
        backups = self._rotating(catalogue_path)
        kept = self.keep(backups, now)
        deleted = []
        for b in backups:
            if b.path not in kept:
                b.path.unlink(missing_ok=True)
                deleted.append(b.path)
        return deleted

    # -- restoring ---------------------------------------------------------------
    def restore_into(self, conn: sqlite3.Connection, backup: Backup, catalogue_path: str | os.PathLike,
                     now: datetime | None = None) -> Path:
        """Restore `backup` into the catalogue open on `conn`; returns where its old content went.

        The content as it is now is first copied (backup API, one file) beside the catalogue
        as aside_path(..., "before restore"), which `list` shows, so restoring it undoes this.
        Then the backup is copied in through SQLite, in one transaction: other readers (QGIS)
        see the old or the new content, never a mix, and a failure leaves the file as it was.
        Reopen the catalogue afterwards (the backup may need migrating).
        """
        now = now or self.clock()
        path = Path(catalogue_path)
        aside = aside_path(path, BEFORE_RESTORE, now)
        if aside.exists():
            raise FileExistsError(f"{aside.name} already exists")
        try:
            sqlite_file.copy_whole(conn, aside)
            source = sqlite3.connect(f"{backup.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                source.backup(conn)
            finally:
                source.close()
        except (OSError, sqlite3.Error) as e:
            aside.unlink(missing_ok=True)   # nothing was restored, so nothing to undo
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise CatalogueError(f"could not restore the backup: {reason}") from None
        return aside

    def restore(self, backup: Backup, catalogue_path: str | os.PathLike, label: str = DAMAGED,
                now: datetime | None = None) -> Path | None:
        """Put `backup` at catalogue_path of a catalogue nobody has open (a damaged one).

        The file there is renamed aside first (move_aside), its bytes kept exactly; returns
        that path, None when there was no file. On failure the original is put back.
        """
        now = now or self.clock()
        path = Path(catalogue_path)
        staged = path.with_name(f".{path.name}.{os.getpid()}.restoring")
        try:
            shutil.copyfile(backup.path, staged)
            with open(staged, "rb+") as f:
                os.fsync(f.fileno())
            aside = move_aside(path, label, now) if path.exists() else None
            try:
                os.replace(staged, path)
            except OSError:
                if aside is not None:
                    os.replace(aside, path)
                raise
        finally:
            with contextlib.suppress(OSError):
                staged.unlink(missing_ok=True)
        return aside


def quick_check_file(path: str | os.PathLike) -> bool:
    """True when SQLite's quick_check passes on a backup file (read-only; nothing is written)."""
    try:
        # immutable: backups are single files we wrote; no -shm or -wal is created beside them.
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
