"""The map of a layer whose levels of detail were stored at import: the first frame comes
from them, and the full geometry and the picker's index wait for the first hover."""
import shapely
from PySide6.QtWidgets import QApplication

from models.formats.boundary_import import import_boundaries, prepare_map_levels
from tests.helpers.data import LONDON_WARDS
from tests.helpers.map_gui import at, open_map_tab


def test_the_first_frame_needs_no_full_geometry_and_a_hover_finds_the_ward(cat, qtbot):
    revert, data = import_boundaries(cat, LONDON_WARDS)
    prepare_map_levels(cat, revert.id, data.geometries, data.parent_codes)
    tab = open_map_tab(qtbot, cat)
    view = tab.view
    view.viewport().grab()   # the first frame
    assert view._level in (40.0, 160.0, 640.0) and not tab.layer.table.decoded
    ward = data.codes.index("E05000405")   # a ward in the middle of London (Bloomsbury)
    x, y = shapely.point_on_surface(data.geometries[ward]).coords[0]
    with qtbot.waitSignal(view.unit_hovered) as hovered:
        qtbot.mouseMove(view.viewport(), at(tab, x, y))
        QApplication.processEvents()
    row = hovered.args[0]
    assert tab.layer.table.codes[row] == "E05000405" and tab.layer.table.decoded
    assert shapely.contains_xy(tab.layer.table.geometries[row], x, y)


def test_a_big_layer_is_decoded_in_the_background_only_after_the_first_frame(cat, qtbot, monkeypatch):
    # London's wards taken for a big layer: the map warms them with its background worker.
    for module in ("ui.map.layer", "ui.map.view", "ui.map.detail", "ui.map.area_items"):
        monkeypatch.setattr(f"{module}.BACKGROUND_UNITS", 100)
    from ui.document import Document
    from ui.map.tab import MapTab

    revert, data = import_boundaries(cat, LONDON_WARDS)
    prepare_map_levels(cat, revert.id, data.geometries, data.parent_codes)
    tab = MapTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    qtbot.wait(2500)   # a first frame slow to come: the worker still waits for it
    assert not tab.layer.table.decoded
    tab.show()
    tab.view.viewport().grab()   # the first frame
    qtbot.waitUntil(lambda: tab.layer.table.decoded and tab.layer._picker is not None, timeout=20000)
    tab.view.shutdown(wait=True)
