"""Ward vintages on the map and Map ▸ Re-base Areas…, driven with clicks and keys on the
example over London's 2020 and 2022 wards."""
import shutil

import pytest
from PySide6.QtCore import QPoint, Qt

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.gui import make_window, show_active
from ui.map.rebase_dialog import RebaseDialog


@pytest.fixture(scope="module")
def example_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("rebase-gui") / "example.gpkg"
    with Catalogue.create(path) as cat:
        build_example(cat, shipped=True)
        # Kept as drawn (the example's follow their members), so the review has wards near the cut.
        for a in cat.areas.all(outlines=False):
            cat.areas.keep_as_drawn(a.id)
    return path


@pytest.fixture
def win(qtbot, example_file, tmp_path):
    path = tmp_path / "example.gpkg"
    shutil.copy(example_file, path)
    w = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    yield w
    w.map_tab.shutdown()
    w.close()


def _layer_ids(cat):
    return {l.name: l.id for l in cat.layers.all()}


def test_the_as_of_year_chooses_the_wards_in_force_unless_one_is_pinned(qtbot, win):
    ids = _layer_ids(win.catalogue)
    tab = win.show_map()
    overlaps = win.overlaps_tab
    win.tabs.setCurrentWidget(win._overlaps_slot)
    qtbot.mouseClick(overlaps.as_of, Qt.MouseButton.LeftButton)
    assert overlaps.as_of.isChecked()
    lo, hi = overlaps.year.minimum(), overlaps.year.maximum()
    assert lo < 2022 <= hi
    overlaps.year.setFocus()
    qtbot.keyClick(overlaps.year, Qt.Key.Key_End)       # the latest year: the 2022 wards
    assert tab.year == hi and tab.layer.id == ids["London wards 2022"]
    assert tab.layer_combo.currentData() == ids["London wards 2022"]
    qtbot.keyClick(overlaps.year, Qt.Key.Key_Home)      # before 2022: the 2020 wards
    assert tab.year == lo and tab.layer.id == ids["London wards 2020"]
    # The researcher pins the 2022 wards in the map's layer combo: the year no longer moves it.
    win.tabs.setCurrentWidget(win._map_slot)
    combo = tab.layer_combo
    combo.setFocus()
    while combo.currentData() != ids["London wards 2022"]:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert tab.layer.id == ids["London wards 2022"] and tab.layer_pinned
    win.tabs.setCurrentWidget(win._overlaps_slot)
    overlaps.year.setFocus()
    qtbot.keyClick(overlaps.year, Qt.Key.Key_End)
    qtbot.keyClick(overlaps.year, Qt.Key.Key_Home)
    assert tab.layer.id == ids["London wards 2022"]


def test_rebase_dialog_review_decide_accept_and_undo_in_one_step(qtbot, win):
    cat = win.catalogue
    ids = _layer_ids(cat)
    tab = win.show_map()
    steps = win.document.undo_stack.count()
    win.rebase_action.trigger()                         # Map ▸ Re-base Areas…
    dialog = tab.findChild(RebaseDialog)
    assert dialog is not None and dialog.isVisible()
    show_active(qtbot, dialog)
    on_2020 = [a for a in cat.areas.all(outlines=False) if a.layer_id == ids["London wards 2020"]]
    assert dialog.table.rowCount() == len(on_2020) == 17
    assert dialog.target.currentData() == ids["London wards 2022"]
    # Click the row of an area with a ward near the cut: the review lists it, shaded in the preview.
    row = next(r for r in range(dialog.table.rowCount())
               if dialog.table.item(r, 0).text() == "North London Waste Authority")
    rect = dialog.table.visualItemRect(dialog.table.item(row, 0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.table.currentRow() == row
    plan = dialog.plans[row]
    assert dialog.review.count() == len(plan.review) >= 1
    assert len(dialog.scene.items()) > len(plan.codes_after)   # new wards shaded, the old outline
    item = dialog.review.item(0)
    code = plan.review[0]
    joined = code in plan.codes_after
    # Tick or untick it by clicking its check box (the left of its row).
    rect = dialog.review.visualItemRect(item)
    qtbot.mouseClick(dialog.review.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 10, rect.center().y()))
    assert (code in plan.codes_after) != joined
    assert dialog.table.item(row, 2).text() == f"{len(plan.codes_after):,}"
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert win.document.undo_stack.count() == steps + 1
    new = cat.layers.table(ids["London wards 2022"])
    for p in dialog.plans:
        area = cat.areas.get(p.area_id)
        assert area.layer_id == ids["London wards 2022"]
        assert {new.codes[new.index_of()[u]] for u in area.unit_ids} == set(p.codes_after)
    nlwa = cat.areas.get(plan.area_id)
    assert (code in {new.codes[new.index_of()[u]] for u in nlwa.unit_ids}) != joined
    # The map now shows the wards the areas are on, and the panel says their vintage and
    # where the area came from, with its figures taken on the new wards.
    assert tab.layer.id == tab.layer_combo.currentData() == ids["London wards 2022"]
    tab.area_list.select_area(nlwa.id)
    tab._update_stats()
    assert tab.panel.text("wards") == f"{len(nlwa.unit_ids):,}"
    assert "London wards 2022 (2022)" in tab.panel.text("vintage")
    assert "re-based from London wards 2020 (2020)" in tab.panel.text("vintage")
    # One Ctrl+Z takes every area back to the 2020 wards.
    show_active(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert {cat.areas.get(a.id).layer_id for a in on_2020} == {ids["London wards 2020"]}
    assert {cat.areas.get(a.id).unit_ids for a in on_2020} == {a.unit_ids for a in on_2020}

