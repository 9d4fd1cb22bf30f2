"""Every area's members read through a connection of their own (Areas.members_reader), as the
map reads them beside its layer's loading: the same as Areas.all reads."""
from __future__ import annotations

import threading

from models.catalogue.records import Area


def test_members_read_by_another_thread_equal_what_all_reads(grid_cat):
    cat = grid_cat
    layer = cat.layers.all()[0]
    ids = sorted(cat.layers.table(layer.id).ids.tolist())
    cat.areas.add(Area("Three", layer_id=layer.id, unit_ids=frozenset(ids[:3])))
    cat.areas.add(Area("Every other", layer_id=layer.id, unit_ids=frozenset(ids[::2])))
    cat.areas.add(Area("Drawn only", layer_id=layer.id))
    got = []
    reader = threading.Thread(target=lambda: got.append(cat.areas.members_reader()()))
    reader.start()
    reader.join()
    [members] = got
    assert {a.id: a.unit_ids for a in cat.areas.all() if a.unit_ids} == {
        area_id: frozenset(ids.tolist()) for area_id, ids in members.items()}
    assert cat.areas.all(outlines=False, members=members) == cat.areas.all(outlines=False)
    assert {a.name: len(a.unit_ids) for a in cat.areas.all(members=members)} == {
        "Three": 3, "Every other": len(ids[::2]), "Drawn only": 0}


def test_members_a_connection_of_its_own_cannot_read_are_none(grid_cat, tmp_path, monkeypatch):
    cat = grid_cat
    monkeypatch.setattr(cat.store, "path", tmp_path / "gone.gpkg")   # as a file moved away meanwhile
    assert cat.areas.members_reader()() is None
    monkeypatch.undo()
    assert cat.areas.members_reader()() == {}
