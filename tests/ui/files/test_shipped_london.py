"""The example on a fresh machine: London's boundaries ship with the app, so the welcome
view's example is complete, offline, and asks nothing."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.catalogue import Catalogue
from tests.helpers.data import LONDON_WARDS_2022
from tests.helpers.gui import make_window


def test_the_welcome_views_example_has_londons_layers_and_asks_nothing(qtbot, tmp_path):
    path = tmp_path / "mine.gpkg"
    Catalogue.create(path).close()
    w = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    asked = []

    def close_any_question():   # a question would block the click; note it and answer Cancel
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                asked.append(box.text())
                box.reject()
    timer = QTimer()
    timer.timeout.connect(close_any_question)
    timer.start(50)
    qtbot.mouseClick(w.catalogue_view.welcome.buttons["example"], Qt.MouseButton.LeftButton)
    timer.stop()
    assert asked == []
    assert w.windowTitle() == "Example catalogue.gpkg — Partnership Atlas"
    cat = w.catalogue
    layers = {layer.name: layer for layer in cat.layers.all()}
    assert sorted(layers) == ["London boroughs 2020", "London wards 2020", "London wards 2022"]
    assert [cat.layers.unit_count(layers[n].id) for n in sorted(layers)] == [33, 657, 704]
    assert all("Open Government Licence v.3.0" in layer.licence for layer in layers.values())
    areas = cat.areas.all(outlines=False)
    assert len(areas) == 17 and {a.layer_id for a in areas} == {layers["London wards 2020"].id}
    assert w.map_tab.area_list.count() == 17
    table = cat.layers.table(layers["London wards 2020"].id)
    assert sum(p for p in table.population if p == p) == 9002488
    w.map_tab.shutdown()
    w.close()


def test_the_boundary_dialog_says_where_other_files_come_from(window, tmp_path, qtbot):
    from ui.files.boundary_dialog import BoundaryImportDialog
    seen = []

    def read_and_cancel():
        for dialog in QApplication.topLevelWidgets():
            if isinstance(dialog, BoundaryImportDialog) and dialog.isVisible():
                where = getattr(dialog, "where", None)   # the note, if the dialog has one
                seen.append(where.text() if where else "")
                qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    QTimer.singleShot(200, read_and_cancel)
    assert not window.files.import_boundaries(LONDON_WARDS_2022)   # File ▸ Import ▸ Boundaries, then Esc
    (note,) = seen
    for words in ("ONS Open Geography Portal", "Wards (December 2022) Boundaries UK BGC", "BSC",
                  "GeoJSON or Shapefile", "come with the app"):
        assert words in note
    assert window.catalogue.layers.all() == []
