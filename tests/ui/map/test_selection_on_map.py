"""The window's selection on the map, on the example over the London wards: a partnership clicked
in the Catalogue list is highlighted over every other area (which stay, faint), a chip names it,
Esc on the map or the chip's ✕ clears it in every tab, and a map built after the selection
shows it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS
from tests.helpers.gui import make_window
from ui.map.style import blend


@pytest.fixture
def window(qtbot, tmp_path):
    cat = Catalogue.create(tmp_path / "example.gpkg")
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path)
    w.resize(1500, 950)
    yield w
    if w.built("map"):
        w.map_tab.shutdown()


def press_tab(qtbot, window, number: int, name: str):
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget().objectName() == name


def click_in_list(qtbot, window, pid: int) -> None:
    press_tab(qtbot, window, 1, "catalogue-tab")
    plist = window.catalogue_view.list
    index = plist.table.model().index(plist.model.row_of(pid), 0)
    plist.table.scrollTo(index)
    qtbot.mouseClick(plist.table.viewport(), Qt.MouseButton.LeftButton, pos=plist.table.visualRect(index).center())


def open_map(qtbot, window):
    press_tab(qtbot, window, 3, "map-tab")
    map_tab = window.map_tab
    qtbot.waitUntil(lambda: map_tab.view.isVisible())
    return map_tab


def painted(map_tab) -> set[int]:
    return {int(u) for u in map_tab.layer.table.ids[map_tab.view.effective_fill() > 0]}


def check_highlighted(map_tab, areas, everything) -> None:
    """These areas filled and drawn as usual; every other area still drawn, faintly."""
    ids = {a.id for a in areas}
    assert set(map_tab.shapes.items) == everything          # nothing hidden
    assert map_tab.shapes.dimmed == everything - ids         # the rest faint
    assert painted(map_tab) == set().union(*(a.unit_ids for a in areas))
    # drawn on top of the faint ones
    order = map_tab.shapes.items
    assert min(order[k] for k in ids) > max(order[k] for k in everything - ids)


def test_a_partnership_clicked_in_the_list_is_highlighted_over_every_area(qtbot, window):
    cat = window.catalogue
    map_tab = open_map(qtbot, window)        # the map is open before the click
    everything = set(map_tab.shapes.items)
    assert len(everything) > 5 and not map_tab.shapes.dimmed and not map_tab.chip.isVisible()
    wla = cat.partnerships.find("West London Alliance")
    areas = [a for a in cat.areas.all() if a.partnership_id == wla.id]
    assert areas

    click_in_list(qtbot, window, wla.id)
    assert (window.selection.kind, window.selection.id) == ("partnership", wla.id)
    open_map(qtbot, window)                  # back with the keyboard
    check_highlighted(map_tab, areas, everything)
    assert map_tab.chip.isVisible() and map_tab.chip.label.text() == "Selected: West London Alliance"
    assert map_tab.legend.title.startswith("Selected: West London Alliance")
    assert {a.name for a in areas} <= {r.text for r in map_tab.legend.rows}
    # the chip sits on the map, clear of the find box
    assert map_tab.view.rect().contains(map_tab.chip.geometry())
    assert not map_tab.chip.geometry().intersects(map_tab.find_box.geometry())

    # another partnership: the highlight moves, the other areas stay
    lc = cat.partnerships.find("London Connects")
    click_in_list(qtbot, window, lc.id)
    open_map(qtbot, window)
    check_highlighted(map_tab, [a for a in cat.areas.all() if a.partnership_id == lc.id], everything)

    # Esc on the map clears it, here and in the other tabs (the same Selection)
    map_tab.view.setFocus()
    qtbot.keyClick(map_tab.view, Qt.Key.Key_Escape)
    assert window.selection.kind is None
    assert not map_tab.chip.isVisible() and map_tab.selection is None
    assert set(map_tab.shapes.items) == everything and not map_tab.shapes.dimmed
    assert painted(map_tab) == set()
    assert window.catalogue_view.list.selected_ids() == []


def test_the_chips_cross_clears_the_selection_everywhere(qtbot, window):
    cat = window.catalogue
    press_tab(qtbot, window, 5, "network-tab")
    network = window.network_tab
    qtbot.waitUntil(lambda: network.net is not None)
    map_tab = open_map(qtbot, window)
    hackney = cat.organisations.find("Hackney")
    window.selection.select("organisation", hackney.id)
    assert map_tab.chip.label.text() == "Selected: Hackney (4 partnerships)"
    assert not map_tab.view.highlight.path().isEmpty()     # the territory outlined
    assert network.plot.highlighted
    qtbot.mouseClick(map_tab.chip.close_button, Qt.MouseButton.LeftButton)
    assert window.selection.kind is None
    assert not map_tab.chip.isVisible() and not map_tab.shapes.dimmed
    assert map_tab.view.highlight.path().isEmpty()
    assert network.plot.highlighted == []
    assert window.organisations_view.current is None


def test_a_map_built_after_the_selection_shows_it(qtbot, window):
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    click_in_list(qtbot, window, wla.id)
    assert not window.built("map")
    map_tab = open_map(qtbot, window)        # built now, by the keyboard
    areas = [a for a in cat.areas.all() if a.partnership_id == wla.id]
    check_highlighted(map_tab, areas, set(map_tab.shapes.items))
    assert map_tab.chip.isVisible() and "West London Alliance" in map_tab.chip.label.text()


def test_esc_while_drawing_a_polygon_abandons_it_and_keeps_the_selection(qtbot, window):
    cat = window.catalogue
    map_tab = open_map(qtbot, window)
    wla = cat.partnerships.find("West London Alliance")
    window.selection.select("partnership", wla.id)
    # an area of another partnership chosen to draw on: drawn and filled in its own colour, not faint
    other = next(a for a in cat.areas.all() if a.name.startswith("Westminster Family Recovery"))
    map_tab.area_list.select_area(other.id)
    assert other.id in map_tab.shapes.items and other.id not in map_tab.shapes.dimmed
    fill = map_tab.view.effective_fill()
    assert {map_tab.view._palette[k].name() for k in fill[map_tab.layer.rows(other.unit_ids)]} == {
        blend(QColor(other.colour)).name()}
    wla_area = next(a for a in cat.areas.all() if a.partnership_id == wla.id)
    outside = sorted(wla_area.unit_ids - other.unit_ids)
    assert {map_tab.view._palette[k].name() for k in fill[map_tab.layer.rows(outside)]} == {
        blend(QColor(wla_area.colour)).name()}
    map_tab.view.setFocus()
    qtbot.keyClick(map_tab, Qt.Key.Key_P)    # the polygon tool
    view = map_tab.view.viewport()
    centre = view.rect().center()
    for dx, dy in ((0, 0), (60, 0)):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre + type(centre)(dx, dy))
    assert map_tab.view.tool.drawing
    qtbot.keyClick(map_tab.view, Qt.Key.Key_Escape)   # abandons the polygon only
    assert not map_tab.view.tool.drawing
    assert window.selection.kind == "partnership" and map_tab.chip.isVisible()
    qtbot.keyClick(map_tab.view, Qt.Key.Key_Escape)   # nothing being drawn: now the selection
    assert window.selection.kind is None


def test_a_network_built_after_the_selection_shows_it(qtbot, window):
    wla = window.catalogue.partnerships.find("West London Alliance")
    click_in_list(qtbot, window, wla.id)
    assert not window.built("network")
    press_tab(qtbot, window, 5, "network-tab")
    network = window.network_tab
    qtbot.waitUntil(lambda: network.net is not None)
    assert {network.net.labels[k] for k in network.plot.highlighted} == {
        "West London Alliance", "Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow"}
