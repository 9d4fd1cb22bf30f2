"""The map's layer object, the area list as a widget of its own, and reloading only on
changes that concern the map (on the grid: columns 0-1 are borough B1, 2-3 are B2)."""
from dataclasses import replace

import pytest

from models.catalogue.records import Organisation, Partnership
from ui.document import Changes, Document
from ui.map.area_list import AreaList
from ui.map.layer import MapLayer
from ui.map.tab import MapTab


def grid_layer(cat) -> MapLayer:
    layer = MapLayer()
    layer.load(cat, cat.layers.all()[0].id)
    return layer


def test_a_loaded_layer_answers_what_the_tools_ask(grid_cat):
    layer = grid_layer(grid_cat)
    assert layer.loaded and len(layer) == 12 and layer.id == grid_cat.layers.all()[0].id
    t = layer.table
    rows = layer.rows([int(t.ids[0]), int(t.ids[5]), -1])   # an id not in the layer is skipped
    assert rows == [0, 5] and layer.ids(rows) == [int(t.ids[0]), int(t.ids[5])]
    w12 = t.codes.index("W12")
    assert layer.name(w12) == "Ward 1-2" and layer.borough_name(w12) == "B2"
    assert sorted(t.codes[i] for i in layer.same_borough(w12)) == ["W02", "W03", "W12", "W13", "W22", "W23"]
    x, y = layer.geometry.full[w12].representative_point().coords[0]
    assert layer.picker.at(x, y) == w12


def test_an_empty_layer_holds_nothing(grid_cat):
    layer = grid_layer(grid_cat)
    layer.clear()
    assert not layer.loaded and len(layer) == 0 and layer.id is None
    assert layer.rows([1, 2]) == [] and layer.borough_names == {}


def test_the_area_list_is_a_widget_of_its_own(grid_cat, qtbot):
    document = Document(grid_cat)
    areas = AreaList(document, grid_layer(grid_cat))
    qtbot.addWidget(areas)
    assert not areas.buttons["Rename"].isEnabled()
    with qtbot.waitSignal(areas.selected):
        new = areas.new_area("Mine")
    assert areas.area_id == new and areas.current().name == "Mine"
    assert areas.current().layer_id == grid_cat.layers.all()[0].id   # drawn on the list's layer
    assert areas.buttons["Rename"].isEnabled()
    areas.show_areas(grid_cat.areas.all(outlines=False))
    assert areas.count() == 1 and areas.list.item(0).text() == "Mine" and areas.area_id == new
    with qtbot.waitSignal(areas.message) as said:
        areas.rename_area("  ")
    assert "name" in said.args[0] and areas.current().name == "Mine"
    areas.show_areas([])   # the selected area is no longer listed: nothing is selected
    assert areas.area_id is None and areas.current() is None and not areas.buttons["Rename"].isEnabled()


@pytest.fixture
def counted(grid_cat, qtbot):
    tab = MapTab(Document(grid_cat))
    qtbot.addWidget(tab)
    reloads = []
    tab.reload = lambda: reloads.append(1)
    return tab, reloads


def test_changes_elsewhere_do_not_reload_the_map(counted, grid_cat):
    tab, reloads = counted
    doc = tab.document
    org = grid_cat.organisations.get(doc.edit("Add", lambda: grid_cat.organisations.add(Organisation("Council"))).id)
    doc.edit("Notes", lambda: grid_cat.organisations.update(replace(org, notes="met in May")))
    doc.undo_stack.undo()
    assert reloads == []


def test_changes_to_areas_layers_and_partnerships_reload_the_map(counted, grid_cat):
    tab, reloads = counted
    doc = tab.document
    area = tab.area_list.new_area("Reloaded")
    assert len(reloads) == 1
    t = tab.layer.table
    doc.edit("Brush", lambda: grid_cat.areas.change_units(area, add=[int(t.ids[0]), int(t.ids[1])]))
    assert len(reloads) == 2
    doc.undo_stack.undo()
    assert len(reloads) == 3
    doc.edit("Add", lambda: grid_cat.partnerships.add(Partnership("Joint board")))  # names an area's link
    assert len(reloads) == 4
    for tables in (("boundary_layers",), ("boundary_units",), ("area_units",)):
        doc.changed.emit(Changes(tables))
    assert len(reloads) == 7
