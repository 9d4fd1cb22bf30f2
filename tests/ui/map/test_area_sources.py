"""The area panel's sources mark: a click cites a source for the selected area, in one undo step."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox

from models.catalogue import Catalogue
from models.catalogue.records import Area, Source
from tests.helpers.gui import make_window
from ui.catalogue.citations_panel import CiteDialog


def test_clicking_the_area_panels_mark_cites_a_source_for_the_area(grid_cat, qtbot, tmp_path):
    cat = grid_cat
    layer = cat.layers.all()[0]
    area_id = cat.areas.add(Area("Drawn area", layer_id=layer.id, unit_ids=frozenset(
        u.id for u in cat.layers.units(layer.id)[:3]))).id
    cat.sources.add(Source("Area map", publisher="County council", year=2011))
    path = cat.store.path
    cat.close()
    window = make_window(qtbot, Catalogue.open(path), tmp_path / "settings.ini", tmp_path / "data")
    window.tabs.setCurrentWidget(window._map_slot)
    mp = window.map_tab
    qtbot.waitUntil(lambda: mp.layer.loaded)
    mp.area_list.select_area(area_id)
    mark = mp.panel.sources
    assert mark.isEnabled() and not mark.cited and "Area: no source yet" in mark.toolTip()

    def fill():
        dialog = next(w for w in window.findChildren(CiteDialog) if w.isVisible())
        qtbot.keyClicks(dialog.page, "Map 2")
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    QTimer.singleShot(0, fill)
    qtbot.mouseClick(mark, Qt.MouseButton.LeftButton)
    (c,) = window.catalogue.sources.citations(area_id=area_id)
    assert (c.page, c.field) == ("Map 2", None)
    assert mark.cited and "Area map (County council, 2011), Map 2" in mark.toolTip()
    assert window.undo_action.text().replace("&", "") == "Undo Cite source"
    window.undo_action.trigger()
    assert window.catalogue.sources.citations(area_id=area_id) == []
    assert not mark.cited   # the mark follows the undo
    window.close()
