"""One writer per catalogue: the second is told who has it and reads it read-only."""
import json
import os
import subprocess
import sys

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from models.errors import CatalogueInUse
from models.storage import lock
from tests.helpers.data import ROOT


def test_second_open_for_writing_in_the_same_process_is_refused(cat):
    path = cat.path
    assert lock.lock_path(path).exists()
    info = json.loads(lock.lock_path(path).read_text())
    assert info["pid"] == os.getpid()
    with pytest.raises(CatalogueInUse, match=f"open for editing by .*process {os.getpid()}") as e:
        Catalogue.open(path)
    assert f"process {os.getpid()}" in e.value.holder and "\n" not in str(e.value)
    assert lock.holder(path) == e.value.holder
    with Catalogue.open(path, read_only=True) as reader:   # reading needs no lock
        assert reader.read_only
    cat.partnerships.add(Partnership("Still mine"))        # the first one still writes
    cat.close()
    assert not lock.lock_path(path).exists()
    assert lock.holder(path) is None
    with Catalogue.open(path) as again:
        assert [p.name for p in again.partnerships.all()] == ["Still mine"]


def test_stale_lock_file_is_taken_over(tmp_path):
    path = tmp_path / "c.gpkg"
    Catalogue.create(path).close()
    stale = {"user": "ghost", "host": "gone", "pid": 999999, "since": "2020-01-01T09:00"}
    lock.lock_path(path).write_text(json.dumps(stale))      # left by a crash: no OS lock behind it
    assert lock.holder(path) is None
    with Catalogue.open(path):
        assert json.loads(lock.lock_path(path).read_text())["pid"] == os.getpid()
    assert not lock.lock_path(path).exists()


def test_opens_unlocked_where_no_lock_file_can_be_made(tmp_path, monkeypatch):
    path = tmp_path / "c.gpkg"
    Catalogue.create(path).close()
    monkeypatch.setattr(lock, "lock_path", lambda catalogue: tmp_path / "no such folder" / "c.lock")
    with Catalogue.open(path) as cat:
        assert cat.store.lock is None
        cat.partnerships.add(Partnership("Unlocked but editable"))


def test_holder_in_words():
    assert lock.describe({"user": "alice", "host": "laptop", "pid": 1234, "since": "2026-05-09T14:05"}) == \
        "alice on laptop, process 1234, since 2026-05-09 14:05"


CHILD = """
import sys
sys.path.insert(0, {root!r})
from models.catalogue import Catalogue
from models.catalogue.records import Partnership
cat = Catalogue.open({path!r})
print("ready", flush=True)
if sys.stdin.readline().strip() == "go":
    for i in range({n}):
        cat.partnerships.add(Partnership(f"Edit {{i:03d}}"))
    print("edited", flush=True)
if sys.stdin.readline().strip() == "close":
    cat.close()
"""


def _child(path, n):
    return subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path), n=n)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def test_two_processes_one_writes_one_reads(tmp_path):
    path = tmp_path / "shared.gpkg"
    Catalogue.create(path).close()
    n = 150
    child = _child(path, n)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(CatalogueInUse) as e:
            Catalogue.open(path)
        assert f"process {child.pid}" in e.value.holder
        with Catalogue.open(path, read_only=True) as reader:
            child.stdin.write("go\n")
            child.stdin.flush()
            seen = []
            while child.poll() is None and len(seen) < 10_000:
                seen.append(len(reader.partnerships.all()))   # reads while the child writes
                if seen[-1] == n:
                    break
            assert child.stdout.readline().strip() == "edited"
            seen.append(len(reader.partnerships.all()))
            assert seen == sorted(seen) and seen[-1] == n     # only ever whole edits, in order
        child.stdin.write("close\n")
        child.stdin.flush()
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    with Catalogue.open(path) as cat:
        assert cat.store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [p.name for p in cat.partnerships.all()] == [f"Edit {i:03d}" for i in range(n)]


def test_a_crashed_holder_leaves_a_lock_that_is_taken_over(tmp_path):
    path = tmp_path / "crash.gpkg"
    Catalogue.create(path).close()
    child = _child(path, 5)
    try:
        assert child.stdout.readline().strip() == "ready"
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "edited"
        assert f"process {child.pid}" in lock.holder(path)
    finally:
        child.kill()   # no close: the lock file stays, the OS lock goes with the process
        child.wait()
    assert lock.lock_path(path).exists() and lock.holder(path) is None
    with Catalogue.open(path) as cat:
        assert len(cat.partnerships.all()) == 5
        assert cat.store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
