"""The Network tab in the main window, on the example over the London wards: a click on a node
selects it for every tab (the map paints its partnerships' areas), the measures table sorts,
the exports read back, and awkward catalogues draw without an error."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest
from PySide6.QtCore import Qt

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS
from tests.helpers.gui import make_window

HACKNEY_PARTNERSHIPS = {"London Connects", "North London Waste Authority",
                        "Olympic host boroughs Joint Borough Central Unit",
                        "Olympic host boroughs residents' newsletter printing"}


@pytest.fixture
def window(qtbot, tmp_path):
    cat = Catalogue.create(tmp_path / "example.gpkg")
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path)
    w.resize(1500, 950)
    yield w
    if w.built("map"):
        w.map_tab.shutdown()


def open_network(qtbot, window):
    assert not window.built("network")      # built when first shown, like the map
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget().objectName() == "network-tab"
    tab = window.network_tab
    qtbot.waitUntil(lambda: tab.net is not None and tab.plot.isVisible())
    return tab


def click_node(qtbot, tab, label):
    (row,) = [k for k, x in enumerate(tab.net.labels) if x == label]
    plot = tab.plot
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.viewport_point(row))
    return row


def test_clicking_hackney_highlights_its_partnerships_and_their_areas_on_the_map(qtbot, window):
    cat = window.catalogue
    map_tab = window.map_tab          # the map has been opened before
    tab = open_network(qtbot, window)
    hackney = cat.organisations.find("Hackney")
    row = click_node(qtbot, tab, "Hackney")
    assert (window.selection.kind, window.selection.id) == ("organisation", hackney.id)
    # the network: Hackney and its four partnerships
    assert {tab.net.labels[k] for k in tab.plot.highlighted} == HACKNEY_PARTNERSHIPS | {"Hackney"}
    assert row in tab.plot.highlighted
    # the map: the four partnerships' areas painted, Hackney's territory outlined
    areas = [a for a in cat.areas.all() if a.partnership_id is not None
             and cat.partnerships.get(a.partnership_id).name in HACKNEY_PARTNERSHIPS]
    assert len(areas) == 4
    legend = {r.text for r in map_tab.legend.rows}
    assert {a.name for a in areas} <= legend
    painted = {int(u) for u in map_tab.layer.table.ids[map_tab.view.effective_fill() > 0]}
    assert painted == set().union(*(a.unit_ids for a in areas))
    assert not map_tab.view.highlight.path().isEmpty()
    # the Organisations tab follows
    assert window.organisations_view.current.id == hackney.id
    # a click on empty space clears the selection, and the map paints its areas again
    qtbot.mouseClick(tab.plot.viewport(), Qt.MouseButton.LeftButton, pos=tab.plot.viewport().rect().topLeft()
                     + type(tab.plot.viewport_point(0))(5, 5))
    assert window.selection.kind is None and tab.plot.highlighted == []


def test_a_partnership_chosen_in_the_catalogue_marks_its_members(qtbot, window):
    tab = open_network(qtbot, window)
    cat = window.catalogue
    wla = cat.partnerships.find("West London Alliance")
    window.tabs.setCurrentWidget(window.catalogue_view)
    table = window.catalogue_view.list.table
    row = window.catalogue_view.list.model.row_of(wla.id)
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert (window.selection.kind, window.selection.id) == ("partnership", wla.id)
    names = {tab.net.labels[k] for k in tab.plot.highlighted}
    assert names == {"West London Alliance", "Brent", "Ealing", "Hammersmith and Fulham", "Harrow",
                     "Hillingdon", "Hounslow"}
    # in the organisations' projection the selection is its members
    tab.projection.setCurrentIndex(1)
    assert {tab.net.labels[k] for k in tab.plot.highlighted} == names - {"West London Alliance"}


def test_the_measures_table_sorts_and_the_projections_change_the_nodes(qtbot, window):
    tab = open_network(qtbot, window)
    model = tab.table.model()
    header = tab.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + type(header.rect().center())(
                         header.sectionViewportPosition(2) + 5, 5))
    links = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert links in (sorted(links), sorted(links, reverse=True)) and len(set(links)) > 1
    assert model.index(0, 3).data() is not None
    assert model.rowCount() == len(tab.net)
    tab.projection.setCurrentIndex(2)
    assert set(tab.net.kinds) == {"partnership"} and model.rowCount() == len(tab.net)
    tab.set_year(2008)
    assert tab.net.as_of == "2008" and "as of 2008" in tab.summary.text()


def test_labels_never_overlap(qtbot, window):
    tab = open_network(qtbot, window)
    tab.plot.grab()
    placed = tab.plot.names.placed
    assert len(placed) > 10
    h = tab.plot.names.metrics.height()
    boxes = [(left, top, left + tab.plot.names.widths[k], top + h) for k, left, top in placed]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_exports(qtbot, window, tmp_path):
    tab = open_network(qtbot, window)
    for suffix in (".png", ".svg", ".graphml", ".gexf"):
        out = tab.export(tmp_path / f"net{suffix}")
        assert out.stat().st_size > 500
    ET.parse(tmp_path / "net.svg")
    g = nx.read_graphml(tmp_path / "net.graphml")
    assert g.number_of_nodes() == len(tab.net)
    assert nx.read_gexf(tmp_path / "net.gexf").number_of_edges() == len(tab.net.edges)
    from models.errors import CatalogueError
    with pytest.raises(CatalogueError, match="export as"):
        tab.export(tmp_path / "net.txt")


def test_an_empty_catalogue_and_awkward_ones_draw(qtbot, tmp_path):
    from models.catalogue.records import Membership, Organisation, Partnership
    from ui.document import Document
    from ui.network.tab import NetworkTab

    cat = Catalogue.create(tmp_path / "empty.gpkg")
    document = Document(cat)
    tab = NetworkTab(document)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    assert len(tab.net) == 0 and "Nothing to show" in tab.summary.text()
    tab.plot.grab()
    # edits reach the tab: an empty partnership, an organisation in nothing, two pieces
    a = cat.organisations.add(Organisation("A <b>")).id
    document.edit("Add", lambda: cat.partnerships.add(Partnership("P & Q"), [Membership(0, a)]))
    document.edit("Add", lambda: cat.partnerships.add(Partnership("Empty")))
    document.edit("Add", lambda: cat.organisations.add(Organisation("Alone")))
    assert len(tab.net) == 4 and tab.measures.components == 3
    assert np.isfinite(tab.positions).all()
    tab.layout_choice.setCurrentIndex(1)
    tab.size_choice.setCurrentIndex(1)
    tab.plot.grab()
    cat.close()


def test_the_overlaps_year_and_the_organisations_tab_reach_the_network(qtbot, window):
    tab = open_network(qtbot, window)
    window.overlaps_tab.set_year(2008)
    assert tab.as_of.isChecked() and tab.net.as_of == "2008"
    window.overlaps_tab.set_year(None)
    assert not tab.as_of.isChecked() and tab.net.as_of is None
    # an organisation chosen in the Organisations tab: its partnerships are marked
    cat = window.catalogue
    window.tabs.setCurrentWidget(window.organisations_view)
    view = window.organisations_view
    view.filter.setText("Hackney")
    table = view.table
    index = table.model().index(0, 0)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert (window.selection.kind, window.selection.id) == ("organisation", cat.organisations.find("Hackney").id)
    assert {tab.net.labels[k] for k in tab.plot.highlighted} == HACKNEY_PARTNERSHIPS | {"Hackney"}
    # and in the partnerships' projection, the partnerships it is in
    tab.projection.setCurrentIndex(2)
    assert {tab.net.labels[k] for k in tab.plot.highlighted} == HACKNEY_PARTNERSHIPS
