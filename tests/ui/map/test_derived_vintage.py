"""Areas that follow their members need no re-basing: when the year brings in another
vintage of wards, the map shows them as their members' wards on it (the example over
London's 2020 and 2022 wards, driven with the year slider's keys)."""
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.helpers.gui import make_window


@pytest.fixture
def win(qtbot, london_example, tmp_path):
    w = make_window(qtbot, london_example, tmp_path / "settings.ini", tmp_path / "data")
    yield w
    w.map_tab.shutdown()
    w.close()


def wards_of(table, boroughs: set[str]) -> set[str]:
    return {c for c, p in zip(table.codes, table.parent_codes) if p in boroughs}


def test_a_derived_area_is_drawn_on_the_wards_in_force_and_kept_there(qtbot, win):
    cat = win.catalogue
    layers = {l.name: l.id for l in cat.layers.all()}
    tab = win.show_map()
    wla = cat.areas.all(outlines=False)
    wla = next(a for a in wla if a.name == "West London Alliance")
    assert wla.kind == "derived" and wla.layer_id == layers["London wards 2020"]
    old = cat.layers.table(layers["London wards 2020"])
    boroughs = {old.parent_codes[old.index_of()[u]] for u in wla.unit_ids}
    overlaps = win.overlaps_tab
    win.tabs.setCurrentWidget(win._overlaps_slot)
    qtbot.mouseClick(overlaps.as_of, Qt.MouseButton.LeftButton)
    # The alliance's sources are of 2008 and 2010: today it is of unknown state, shown when asked.
    box = overlaps.include_unknown
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))   # its tick box
    assert box.isChecked()
    overlaps.year.setFocus()
    qtbot.keyClick(overlaps.year, Qt.Key.Key_End)           # today: the 2022 wards are in force
    assert tab.layer.id == layers["London wards 2022"]
    shown = next(a for a in tab.areas if a.id == wla.id)
    new = tab.layer.table
    assert shown.layer_id == new.layer_id
    assert {new.codes[new.index_of()[u]] for u in shown.unit_ids} == wards_of(new, boroughs)
    assert wla.id in tab.shapes.items                         # drawn, not left off the map
    # Keep as drawn there: the area stays on the 2022 wards, one undo step back to following.
    tab.area_list.select_area(wla.id)
    steps = win.document.undo_stack.count()
    tab.area_list.keep_as_drawn()
    kept = cat.areas.get(wla.id)
    assert (kept.kind, kept.layer_id) == ("drawn", new.layer_id)
    assert {new.codes[new.index_of()[u]] for u in kept.unit_ids} == wards_of(new, boroughs)
    assert win.document.undo_stack.count() == steps + 1
    win.document.undo_stack.undo()
    back = cat.areas.get(wla.id)
    assert (back.kind, back.layer_id, back.unit_ids) == ("derived", wla.layer_id, wla.unit_ids)
