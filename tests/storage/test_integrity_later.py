"""The integrity check left for later (Catalogue.open(check_later=True), as the app opens).

quick_check then runs in a thread; every write waits for it, and a file it finds damaged
is never written: each write is refused with the one line the open would have given, and
closing leaves the file exactly as it was found. Opening that must write (a migration, a
backup due, a switch to WAL mode) checks first, as without check_later; so does opening a
file smaller than CHECK_LATER_BYTES.
"""
from __future__ import annotations

import sqlite3
import threading

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Organisation
from models.catalogue.search import Search
from models.errors import DamagedCatalogue
from models.storage import integrity, schema, store
from models.storage.backups import Backups
from tests.helpers.catalogues import file_digest, snapshot
from tests.helpers.damage import N_ORGS, damage_page_holding, damage_page_of, many_rows, sidecars


@pytest.fixture(autouse=True)
def every_file_checked_later(monkeypatch):
    """The app checks only large files later; these small ones stand for them."""
    monkeypatch.setattr(store, "CHECK_LATER_BYTES", 0)


def nothing_written_beside(path) -> bool:
    """No -wal holding anything. (SQLite may leave an empty -wal and its -shm beside a file whose
    last pages are damaged, as it does when such a file is refused at opening.)"""
    return all(p.stat().st_size == 0 for p in sidecars(path) if p.name.endswith("-wal"))


@pytest.fixture
def full_file(tmp_path):
    path = tmp_path / "full.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
    assert not sidecars(path)
    return path


def test_damage_found_later_refuses_every_write_and_leaves_the_file_as_found(full_file):
    damage_page_of(full_file, "history_changes")   # a table checked later, which opening does not read
    digest = file_digest(full_file)
    cat = Catalogue.open(full_file, check_later=True)
    assert cat.store.check_pending
    error = cat.store.check_result()
    assert isinstance(error, DamagedCatalogue) and error.path == full_file
    assert "\n" not in str(error) and str(error).startswith("full.gpkg is damaged")
    with pytest.raises(DamagedCatalogue) as refused:
        cat.organisations.add(Organisation("Not written"))
    assert str(refused.value) == str(error)
    with pytest.raises(sqlite3.DatabaseError):   # a write outside an edit is refused too
        cat.store.conn.execute("UPDATE organisations SET name='x' WHERE id=1")
    assert cat.store.check_pending, "still refused: the damage does not go away"
    cat.close()
    assert file_digest(full_file) == digest
    assert nothing_written_beside(full_file)


@pytest.fixture
def held_check(monkeypatch):
    """The check waits for the returned event before running (a large file, slowly read)."""
    go = threading.Event()
    real = integrity.check

    def held(conn, path, leaving=frozenset()):
        if not leaving:   # the thread's check, not the small tables' at opening
            go.wait(10)
        real(conn, path, leaving)
    monkeypatch.setattr(integrity, "check", held)
    return go


def test_writes_wait_for_the_check_then_go_through(full_file, held_check):
    cat = Catalogue.open(full_file, check_later=True)
    assert cat.store.checking
    assert len(cat.organisations.all()) == N_ORGS, "reading does not wait"
    with pytest.raises(sqlite3.DatabaseError):
        cat.store.conn.execute("DELETE FROM organisations WHERE id=1")
    assert Search(cat).count() == 300, "the search index (TEMP tables) is built meanwhile"
    threading.Timer(0.05, held_check.set).start()
    added = cat.organisations.add(Organisation("Written after the check"))   # waits, then writes
    assert not cat.store.check_pending
    assert cat.store.check_result() is None
    cat.close()
    with Catalogue.open(full_file) as again:
        assert again.organisations.get(added.id).name == "Written after the check"
        assert len(again.organisations.all()) == N_ORGS + 1


def test_closing_while_the_check_runs_stops_it_and_writes_nothing(full_file, monkeypatch):
    started = threading.Event()

    def endless(conn, path, leaving=frozenset()):   # stands for a check of a very large file
        if leaving:
            return
        started.set()
        conn.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                      "SELECT count(*) FROM n").fetchall()
    monkeypatch.setattr(integrity, "check", endless)
    digest = file_digest(full_file)
    cat = Catalogue.open(full_file, check_later=True)
    before = snapshot(cat)
    assert started.wait(10) and cat.store.checking
    cat.close()
    assert file_digest(full_file) == digest and not sidecars(full_file)
    monkeypatch.undo()
    with Catalogue.open(full_file) as again:   # and it opens (and checks) as before
        assert snapshot(again) == before


def test_a_sound_file_checked_later_closes_as_ever(full_file):
    cat = Catalogue.open(full_file, check_later=True)
    assert cat.store.check_result() is None
    cat.organisations.add(Organisation("One more"))
    cat.close()
    assert not sidecars(full_file), "the WAL folded back at close"


@pytest.mark.parametrize("must_write", ["backup due", "migration", "not in WAL mode"])
def test_opening_that_writes_checks_first(full_file, tmp_path, monkeypatch, must_write):
    backups = None
    if must_write == "backup due":
        backups = Backups(tmp_path / "Backups")   # none taken yet: one is due
    elif must_write == "migration":
        monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    else:
        conn = sqlite3.connect(full_file)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    damage_page_of(full_file, "history_changes")
    digest = file_digest(full_file)
    with pytest.raises(DamagedCatalogue):
        Catalogue.open(full_file, check_later=True, backups=backups)
    assert file_digest(full_file) == digest and nothing_written_beside(full_file)
    assert not (tmp_path / "Backups").exists(), "a damaged file is never backed up"


def test_a_small_file_is_checked_at_opening(full_file, monkeypatch):
    monkeypatch.setattr(store, "CHECK_LATER_BYTES", full_file.stat().st_size + 1)
    damage_page_of(full_file, "history_changes")
    with pytest.raises(DamagedCatalogue):
        Catalogue.open(full_file, check_later=True)


def test_the_tables_read_at_once_are_checked_at_opening(full_file):
    """Only the large tables are left for later: damage anywhere else is refused at once."""
    damage_page_holding(full_file, b"Org 0300")
    digest = file_digest(full_file)
    with pytest.raises(DamagedCatalogue) as info:
        Catalogue.open(full_file, check_later=True)
    assert str(info.value).startswith("full.gpkg is damaged")
    assert file_digest(full_file) == digest and not sidecars(full_file)


def test_without_a_second_connection_the_whole_file_is_checked_at_opening(full_file, monkeypatch):
    from models.storage import store as store_module

    real = store_module._connect
    opened = []

    def only_one(path, read_only):   # the thread's read-only connection cannot be made
        if opened:
            raise sqlite3.OperationalError("unable to open database file")
        opened.append(path)
        return real(path, read_only)
    monkeypatch.setattr(store_module, "_connect", only_one)
    damage_page_of(full_file, "history_changes")
    digest = file_digest(full_file)
    with pytest.raises(DamagedCatalogue):
        Catalogue.open(full_file, check_later=True)
    assert file_digest(full_file) == digest and nothing_written_beside(full_file)
