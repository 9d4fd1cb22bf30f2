"""The tabs follow each other: an overlap picked in the Overlaps tab shows on the map, and
the year slider drives the partnership list and the map (example over the London wards)."""
import pytest
from PySide6.QtCore import QSettings

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS


@pytest.fixture
def window(qtbot, tmp_path):
    from ui.main_window import MainWindow
    cat = Catalogue.create(tmp_path / "example.gpkg")
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    w = MainWindow(cat, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                   data_folder=tmp_path)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.map_tab.shutdown()


def test_a_matrix_pair_is_shown_on_the_map(window):
    cat = window.catalogue
    olympic = next(a for a in cat.areas.all() if a.name.startswith("Olympic host boroughs Joint"))
    nlwa = next(a for a in cat.areas.all() if a.name == "North London Waste Authority")
    window.overlaps_tab.pair_selected.emit(olympic.id, nlwa.id)
    fill = window.map_tab.view.effective_fill()
    ids = window.map_tab.layer.table.ids
    shared = {int(u) for u in ids[fill == 1]}
    assert shared == olympic.unit_ids & nlwa.unit_ids and len(shared) == 41  # Hackney + Waltham Forest
    assert {int(u) for u in ids[fill == 2]} == olympic.unit_ids - nlwa.unit_ids
    assert {int(u) for u in ids[fill == 3]} == nlwa.unit_ids - olympic.unit_ids
    assert [row.text for row in window.map_tab.legend.rows][0] == "In both (41)"
    assert "Map tab" in window.statusBar().currentMessage()


def test_the_year_slider_drives_list_and_map(window):
    window.overlaps_tab.set_year(2008)
    assert window.catalogue_view.list.year.value() == 2008
    assert "Northumbria 101" in _listed(window)
    window.overlaps_tab.set_year(2010)
    assert window.catalogue_view.list.year.value() == 2010
    assert "Northumbria 101" not in _listed(window)
    # the map shows only areas of partnerships active in 2010
    active = {a.partnership_id for a in window.map_tab.areas}
    assert all(window.catalogue.partnerships.get(p).end is None or
               window.catalogue.partnerships.get(p).end >= "2010" for p in active if p)


def _listed(window):
    model = window.catalogue_view.list.table.model()
    return {model.index(r, 0).data() for r in range(model.rowCount())}


def test_the_example_with_wards_opens_with_its_areas_on_the_map(qtbot, tmp_path):
    from ui.main_window import MainWindow
    w = MainWindow(Catalogue.create(tmp_path / "mine.gpkg"),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                   data_folder=tmp_path / "data")
    qtbot.addWidget(w)
    assert w.files.open_example()
    assert w.windowTitle().startswith("Example catalogue.gpkg")
    assert w.map_tab.area_list.count() == 17
    assert "Map tab" in w.statusBar().currentMessage()
    w.map_tab.shutdown()
