"""A derived area on the map follows the Overlaps year slider: a person ticks "As of
year" and moves the slider with the keyboard; the map's outline of the area changes
(a borough that left in 2014 drops out). Undo of the leaving restores it."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from models.catalogue import Catalogue
from models.catalogue.records import Membership, Organisation, Partnership
from tests.helpers.gui import make_window

SHOTS = os.environ.get("DERIVED_SHOTS")   # a folder: save what the test shows


@pytest.fixture
def derived_window(grid_cat, qtbot, tmp_path):
    cat = grid_cat
    layer_id = cat.layers.all()[0].id
    b1 = cat.organisations.add(Organisation("Borough One", kind="local authority", gss_code="B1")).id
    b2 = cat.organisations.add(Organisation("Borough Two", kind="local authority", gss_code="B2")).id
    pid = cat.partnerships.add(Partnership("Shared services", start="2005"),
                               [Membership(0, b1, joined="2005"), Membership(0, b2, joined="2005",
                                                                              left="2014")]).id
    area_id = cat.areas.from_partnership(pid, layer_id, name="Shared area", kind="derived").id
    path = cat.store.path
    cat.close()
    w = make_window(qtbot, Catalogue.open(path), tmp_path / "settings.ini", tmp_path / "data")
    yield w, area_id
    if w.document is not None:
        w.close()


def _km2(window, area_id) -> float:
    geom = window.map_tab.shapes.geometry(area_id)
    return 0.0 if geom is None else round(geom.area / 1e6, 3)


def _shot(window, name: str) -> None:
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, name))


def test_moving_the_year_slider_redraws_a_derived_area_as_its_members_then(derived_window, qtbot):
    window, area_id = derived_window
    window.tabs.setCurrentWidget(window._map_slot)
    mp = window.map_tab
    qtbot.waitUntil(lambda: mp.layer.loaded)
    assert _km2(window, area_id) == 12.0           # at any time: both boroughs' 12 wards
    overlaps = window.overlaps_tab
    window.tabs.setCurrentWidget(window._overlaps_slot)
    qtbot.mouseClick(overlaps.as_of, Qt.MouseButton.LeftButton,
                     pos=overlaps.as_of.rect().topLeft() + overlaps.as_of.rect().center() / 4)
    assert overlaps.as_of.isChecked()
    overlaps.year.setFocus()
    qtbot.keyClick(overlaps.year, Qt.Key.Key_Home)        # the first year: 2005, both members
    assert overlaps.year.value() == 2005
    assert mp.year == 2005 and _km2(window, area_id) == 12.0
    while overlaps.year.value() < 2015:
        qtbot.keyClick(overlaps.year, Qt.Key.Key_Right)
    assert mp.year == 2015
    assert _km2(window, area_id) == 6.0            # Borough Two left in 2014: its 6 wards are gone
    window.tabs.setCurrentWidget(window._map_slot)
    mp.area_list.select_area(area_id)
    assert "follows its members (as of 2015)" in mp.panel.text("kind")
    _shot(window, "derived-2015.png")
    window.tabs.setCurrentWidget(window._overlaps_slot)
    qtbot.keyClick(overlaps.year, Qt.Key.Key_Left)
    qtbot.keyClick(overlaps.year, Qt.Key.Key_Left)
    assert mp.year == 2013 and _km2(window, area_id) == 12.0
    window.tabs.setCurrentWidget(window._map_slot)
    _shot(window, "derived-2013.png")


def test_follow_members_and_keep_as_drawn_from_the_context_menu_are_one_undo_step_each(derived_window, qtbot):
    window, area_id = derived_window
    window.tabs.setCurrentWidget(window._map_slot)
    mp = window.map_tab
    qtbot.waitUntil(lambda: mp.layer.loaded)
    mp.area_list.select_area(area_id)
    keep, follow = mp.area_list.kind_actions["keep"], mp.area_list.kind_actions["follow"]
    assert keep.isEnabled() and not follow.isEnabled()
    assert keep in mp.area_list.list.actions() and follow in mp.area_list.list.actions()
    mp.set_year(2015)
    keep.trigger()
    area = window.document.catalogue.areas.get(area_id)
    assert area.kind == "drawn" and len(area.unit_ids) == 6     # kept as the map showed it in 2015
    assert follow.isEnabled() and not keep.isEnabled()
    assert mp.panel.text("kind") == "drawn"
    window.document.undo_stack.undo()
    assert window.document.catalogue.areas.get(area_id).kind == "derived"
    assert mp.panel.text("kind").startswith("follows its members")


def test_the_area_panel_warns_beside_an_area_whose_members_and_wards_disagree(derived_window, qtbot):
    window, area_id = derived_window
    cat = window.document.catalogue
    window.tabs.setCurrentWidget(window._map_slot)
    mp = window.map_tab
    qtbot.waitUntil(lambda: mp.layer.loaded)
    mp.area_list.select_area(area_id)
    keep = mp.area_list.kind_actions["keep"]
    mp.set_year(2015)
    keep.trigger()                      # now drawn: Borough One's 6 wards only
    mp.set_year(2013)                   # Borough Two was still a member then
    check = mp.panel.text("check")
    assert "⚠" in check and "member outside area — Borough Two" in check
    mp.set_year(2015)
    assert mp.panel.text("check") == "agree with its wards"
    # A membership edit elsewhere (no derived area left to reload) refreshes the warning.
    m = next(m for m in cat.partnerships.memberships() if m.left == "2014")
    window.document.edit("Member back", lambda: cat.partnerships.update_member(replace(m, left=None)))
    assert "member outside area — Borough Two" in mp.panel.text("check")
