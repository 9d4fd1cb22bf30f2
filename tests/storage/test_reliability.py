"""The kill harness (bench/reliability/kill.py): a short run, and proof that its checks can fail."""
import json
import os
import random
import sqlite3

import pytest

from bench.reliability import kill, kill_child
from models.catalogue import Catalogue


def test_a_few_kills_lose_nothing(tmp_path):
    result = kill.run(trials=3, seed=11, workdir=tmp_path)
    assert result["problems"] == []
    assert result["trials"] == 3
    assert result["corrupt"] == result["lost_edits"] == result["mismatched"] == 0
    assert result["outline_errors"] == result["child_failures"] == 0
    # The clock before the kill starts once the child's first edit is logged.
    assert result["edits"] >= 3


@pytest.fixture
def seeded(tmp_path):
    """A seeded catalogue, its state, and an editor that logs to a file like the child does."""
    path = kill.seed_catalogue(tmp_path / "k.gpkg")
    with Catalogue.open(path, read_only=True) as cat:
        before = kill.read_state(cat.store.conn)
    log = tmp_path / "edits.log"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    cat = Catalogue.open(path)
    editor = kill_child.Editor(cat, fd, random.Random(5))
    yield path, before, log, editor
    os.close(fd)
    cat.close()  # closing twice is harmless


def _finish(editor):
    editor.cat.close()


def test_random_edits_replay_to_what_the_file_holds(seeded):
    path, before, log, editor = seeded
    for _ in range(60):
        editor.step()
    _finish(editor)
    verdict, found = kill.check(path, before, log)
    assert verdict.logged == 60 and verdict.lost == 0 and verdict.matched and not verdict.corrupt
    kinds = {json.loads(line)["op"] for line in log.read_text().splitlines()}
    assert {"partnership_add", "membership_add", "area_add", "area_stroke"} <= kinds
    assert found != before


def test_a_logged_edit_the_file_lacks_counts_as_lost(seeded):
    path, before, log, editor = seeded
    for _ in range(10):
        editor.step()
    editor.step({"op": "partnership_add", "name": "Vanishes"})
    editor.undo.pop()()  # taken back behind the log's back, as a lost commit would be
    _finish(editor)
    verdict, _ = kill.check(path, before, log)
    assert verdict.lost == 1 and verdict.matched
    assert "state after edit 10 of 11" in verdict.problems[0]


def test_an_invented_log_line_counts_as_lost(seeded):
    path, before, log, editor = seeded
    _finish(editor)
    log.write_text(json.dumps({"t": "done", "n": 1, "op": "partnership_add", "name": "Never",
                                    "id": 999}) + "\n")
    verdict, _ = kill.check(path, before, log)
    assert verdict.lost == 1


def test_a_changed_row_nobody_logged_is_a_mismatch(seeded):
    path, before, log, editor = seeded
    editor.step({"op": "partnership_add", "name": "Kept"})
    _finish(editor)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE partnerships SET name='Tampered'")
    conn.commit()
    conn.close()
    verdict, _ = kill.check(path, before, log)
    assert not verdict.matched and verdict.lost == 1


def test_only_the_edit_in_flight_may_be_in_the_file_unlogged(seeded):
    path, before, log, editor = seeded
    editor.step({"op": "organisation_add", "name": "Logged"})
    # The kill came after this commit returned but before its "done" line.
    editor._log({"t": "intent", "n": 2, "op": "organisation_add", "name": "In flight"})
    editor.run({"op": "organisation_add", "name": "In flight"})
    _finish(editor)
    verdict, _ = kill.check(path, before, log)
    assert verdict.lost == 0 and verdict.in_flight and verdict.in_flight_committed
    # A second unlogged edit is not excused.
    with Catalogue.open(path) as cat:
        kill_child.Editor(cat, os.open(os.devnull, os.O_WRONLY), random.Random(1)).run(
            {"op": "organisation_add", "name": "Unlogged"})
    verdict, _ = kill.check(path, before, log)
    assert not verdict.matched


def test_a_torn_last_line_was_never_logged(seeded):
    path, before, log, editor = seeded
    editor.step({"op": "partnership_add", "name": "Whole"})
    _finish(editor)
    with open(log, "a") as f:
        f.write('{"t": "done", "n": 2, "op": "partnership_add", "na')
    verdict, _ = kill.check(path, before, log)
    assert verdict.logged == 1 and verdict.lost == 0


def test_a_damaged_page_counts_as_corrupt(seeded):
    path, before, log, editor = seeded
    _finish(editor)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='boundary_units'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * 64)
    verdict, found = kill.check(path, before, log)
    assert verdict.corrupt and verdict.problems


def test_a_rebase_in_the_log_replays_to_what_the_file_holds(seeded):
    path, before, log, editor = seeded
    editor.step({"op": "area_add", "name": "Moved", "partnership": None, "units": editor.units[:6]})
    editor.step(_rebase_op(editor))
    for _ in range(10):
        editor.step()
    _finish(editor)
    verdict, found = kill.check(path, before, log)
    assert verdict.lost == 0 and verdict.matched and not verdict.corrupt and verdict.outline_errors == 0
    moved = [json.loads(line) for line in log.read_text().splitlines()][3]
    assert moved["op"] == "area_rebase" and moved["t"] == "done" and moved["to"] == kill.VINTAGE_LAYER
    assert len(moved["moves"][0][1]) == 6 and set(moved["moves"][0][1]).isdisjoint(editor.units)


def _rebase_op(editor):
    rng = editor.rng
    editor.rng = type(rng)(0)
    try:
        op = None
        while op is None or op["op"] != "area_rebase":
            op = editor.choose()
        return op
    finally:
        editor.rng = rng
