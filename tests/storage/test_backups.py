"""Rotating backups: taken with the backup API on open and before migrations, rotated, restored."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Organisation
from models.errors import CatalogueError
from models.storage import schema
from models.storage.backups import BEFORE_RESTORE, Backups, quick_check_file
from tests.helpers.catalogues import file_digest, small_catalogue, snapshot

T0 = datetime(2024, 3, 4, 12, 0, tzinfo=timezone.utc)   # a Monday, noon


class Clock:
    """The time a test says it is."""

    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "work" / "catalogue.gpkg"
    path.parent.mkdir()
    with Catalogue.create(path) as cat:
        small_catalogue(cat)
    return path


def _journal_mode_byte(path) -> int:
    return path.read_bytes()[18]   # 1: rollback journal (one file), 2: WAL


def test_take_writes_one_complete_file(small, tmp_path):
    backups = Backups(tmp_path / "Backups", Clock())
    with Catalogue.open(small) as cat:
        expected = snapshot(cat)
        backup = backups.take(cat.store.conn, small)
    assert backup.reason == "daily" and backup.taken_at == T0
    assert backup.path.parent == backups.folder_for(small)
    assert backup.path.name == "catalogue 2024-03-04T120000Z daily.gpkg"
    assert backup.size == backup.path.stat().st_size > 0
    assert _journal_mode_byte(backup.path) == 1
    assert [p.name for p in backup.path.parent.iterdir()] == [backup.path.name], "no partial file left"
    with Catalogue.open(backup.path, read_only=True) as copy:
        assert snapshot(copy) == expected


def test_same_name_in_two_folders_never_mixes(tmp_path):
    backups = Backups(tmp_path / "Backups", Clock())
    a, b = tmp_path / "a" / "catalogue.gpkg", tmp_path / "b" / "catalogue.gpkg"
    assert backups.folder_for(a) != backups.folder_for(b)
    assert backups.folder_for(a).name.startswith("catalogue-")
    assert backups.folder_for(a) == backups.folder_for(tmp_path / "a" / ".." / "a" / "catalogue.gpkg")


def test_a_failed_backup_leaves_nothing_partial(small, tmp_path):
    backups = Backups(tmp_path / "Backups", Clock())
    conn = sqlite3.connect(small)
    conn.close()   # the backup API fails on a closed connection, after the temporary file exists
    with pytest.raises(sqlite3.Error):
        backups.take(conn, small)
    assert list(backups.folder_for(small).iterdir()) == []


def test_rotation_keeps_seven_days_and_four_weeks(small, tmp_path):
    clock = Clock()
    backups = Backups(tmp_path / "Backups", clock)
    days = [T0 + timedelta(days=d) for d in range(60)]
    with Catalogue.open(small) as cat:
        for day in days:
            clock.now = day
            backups.take(cat.store.conn, small)
            # a second backup the same day (e.g. before a migration) makes the first redundant
            if day.day % 10 == 0:
                clock.now = day + timedelta(hours=3)
                backups.take(cat.store.conn, small, schema_before=0)
    kept = sorted(b.taken_at for b in backups.list(small))
    last = clock.now
    # Independently: the newest of each of the 7 latest days, and of each of the 4 latest ISO weeks.
    all_taken = days + [d + timedelta(hours=3) for d in days if d.day % 10 == 0]
    newest_per = {}
    for t in all_taken:
        newest_per.setdefault(("day", t.date()), []).append(t)
        newest_per.setdefault(("week", t.isocalendar()[:2]), []).append(t)
    day_keys = sorted(k for k in newest_per if k[0] == "day")[-7:]
    week_keys = sorted(k for k in newest_per if k[0] == "week")[-4:]
    expected = sorted({max(newest_per[k]) for k in day_keys + week_keys})
    assert kept == expected
    assert len(kept) in (8, 9, 10)   # 7 days reach into 2 weeks; 2 or 3 older weeks add one each
    assert kept[-1] == last
    assert min(kept) >= last - timedelta(weeks=4)


def test_open_backs_up_once_a_day(small, tmp_path):
    clock = Clock()
    backups = Backups(tmp_path / "Backups", clock)
    Catalogue.open(small, backups=backups).close()
    assert [b.reason for b in backups.list(small)] == ["daily"]
    clock.now = T0 + timedelta(hours=23, minutes=59)
    Catalogue.open(small, backups=backups).close()
    assert len(backups.list(small)) == 1, "the newest backup is less than a day old"
    clock.now = T0 + timedelta(days=1)
    Catalogue.open(small, backups=backups).close()
    assert [b.taken_at for b in backups.list(small)] == [T0 + timedelta(days=1), T0]
    Catalogue.open(small, read_only=True, backups=backups).close()
    clock.now = T0 + timedelta(days=5)
    Catalogue.open(small, read_only=True, backups=backups).close()
    assert len(backups.list(small)) == 2, "read-only opens take no backup"


def test_backup_before_a_migration_holds_the_old_schema(small, tmp_path, monkeypatch):
    clock = Clock()
    backups = Backups(tmp_path / "Backups", clock)
    Catalogue.open(small, backups=backups).close()   # today's daily backup exists already

    def migration_next(conn):
        conn.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    following = len(schema.MIGRATIONS) + 1
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, migration_next))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", following)
    clock.now = T0 + timedelta(hours=1)
    with Catalogue.open(small, backups=backups) as cat:
        assert cat.store.conn.execute("SELECT 1 FROM extra").fetchall() == []
        assert cat.store.backup_warning is None
    newest = backups.list(small)[0]
    assert newest.reason == f"before migration to schema {following}" and newest.taken_at == clock.now
    # one backup per day is kept: the newer, pre-migration one replaces the morning's
    assert len(backups.list(small)) == 1
    conn = sqlite3.connect(newest.path)
    assert conn.execute("SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone() == (
        str(following - 1),)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='extra'").fetchone() is None
    conn.close()


def test_a_failing_backup_does_not_stop_the_open(small, tmp_path):
    blocker = tmp_path / "Backups"
    blocker.write_text("a file where the backups folder should be")
    backups = Backups(blocker, Clock())
    with Catalogue.open(small, backups=backups) as cat:
        assert cat.store.backup_warning.startswith("Could not back up catalogue.gpkg")
        assert "\n" not in cat.store.backup_warning
        cat.organisations.add(Organisation("Still editable"))


def test_restore_into_the_open_catalogue_keeps_its_content_beside_it(small, tmp_path):
    clock = Clock()
    backups = Backups(tmp_path / "Backups", clock)
    with Catalogue.open(small, backups=backups) as cat:
        before = snapshot(cat)
        cat.organisations.add(Organisation("Added after the backup"))
        edited = snapshot(cat)
        backup = backups.list(small)[0]
        backup_digest = file_digest(backup.path)
        clock.now = T0 + timedelta(hours=2)
        aside = backups.restore_into(cat.store.conn, backup, small)
    assert aside.name == "catalogue (before restore 2024-03-04T140000Z).gpkg"
    assert file_digest(backup.path) == backup_digest
    assert _journal_mode_byte(small) == 2, "the catalogue stays in WAL mode"
    with Catalogue.open(small) as cat:
        assert snapshot(cat) == before
    with Catalogue.open(aside, read_only=True) as cat:
        assert snapshot(cat) == edited
    listed = backups.list(small)
    assert [b.reason for b in listed] == [BEFORE_RESTORE, "daily"]
    assert not [p for p in small.parent.iterdir() if p.name.startswith(".")], "no partial file left"

    clock.now = T0 + timedelta(hours=3)
    with Catalogue.open(small) as cat:
        backups.restore_into(cat.store.conn, listed[0], small)   # undo: restore what was kept
    with Catalogue.open(small) as cat:
        assert snapshot(cat) == edited
    assert len([b for b in backups.list(small) if b.reason == BEFORE_RESTORE]) == 2
    backups.rotate(small, clock.now)
    assert len([b for b in backups.list(small) if b.reason == BEFORE_RESTORE]) == 2, \
        "files kept by a restore are the user's, never rotated away"


def test_a_failed_restore_changes_nothing(small, tmp_path):
    backups = Backups(tmp_path / "Backups", Clock())
    with Catalogue.open(small, backups=backups) as cat:
        backup = backups.list(small)[0]
        backup.path.write_bytes(b"not a database" * 1000)
        before = snapshot(cat)
        with pytest.raises(CatalogueError, match="could not restore the backup"):
            backups.restore_into(cat.store.conn, backup, small)
        assert snapshot(cat) == before
    assert sorted(p.name for p in small.parent.iterdir()) == ["catalogue.gpkg"]


def test_restore_of_a_damaged_file_renames_it_aside(small, tmp_path):
    clock = Clock()
    backups = Backups(tmp_path / "Backups", clock)
    with Catalogue.open(small, backups=backups) as cat:
        before = snapshot(cat)
    small.write_bytes(small.read_bytes()[:8192])   # damaged
    damaged_digest = file_digest(small)
    clock.now = T0 + timedelta(days=1)
    aside = backups.restore(backups.list(small)[0], small)
    assert aside.name == "catalogue (damaged 2024-03-05T120000Z).gpkg"
    assert file_digest(aside) == damaged_digest
    with Catalogue.open(small) as cat:
        assert snapshot(cat) == before
    assert [b.reason for b in backups.list(small)] == ["daily"], "a damaged file is not offered back"


def test_quick_check_file(small, tmp_path):
    backups = Backups(tmp_path / "Backups", Clock())
    with Catalogue.open(small) as cat:
        backup = backups.take(cat.store.conn, small)
    assert quick_check_file(backup.path)
    data = bytearray(backup.path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = bytes(range(256)) * 16
    backup.path.write_bytes(bytes(data))
    assert not quick_check_file(backup.path)
    assert not (backup.path.parent / f"{backup.path.name}-shm").exists()
