"""Importing boundaries in the window also prepares the map's simplified outlines and keeps
them in the catalogue, so the map's first open draws from them instead of computing them."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tests.helpers.data import LONDON_WARDS
from ui.files.boundary_dialog import BoundaryImportDialog


def test_a_boundary_import_in_the_window_stores_the_maps_levels(window, qtbot):
    pressed = []

    def press_import():
        for dialog in QApplication.topLevelWidgets():
            if isinstance(dialog, BoundaryImportDialog) and dialog.isVisible():
                pressed.append(dialog)
                qtbot.keyClick(dialog, Qt.Key.Key_Return)   # Import, with the dialog's own guesses
    QTimer.singleShot(200, press_import)
    assert window.files.import_boundaries(LONDON_WARDS)   # File ▸ Import ▸ Boundaries…
    assert pressed
    cat = window.catalogue
    (layer,) = [l for l in cat.layers.all() if cat.layers.unit_count(l.id) == 657]
    assert cat.layers.level_tolerances(layer.id) == [40.0, 160.0, 640.0]
    assert "Imported 657 units" in window.statusBar().currentMessage()
    tab = window.map_tab   # the map opens on the new layer from the stored levels
    assert tab.layer.id == layer.id and tab.layer.geometry.has(640.0)
