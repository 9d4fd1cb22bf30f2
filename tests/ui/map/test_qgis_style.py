"""What QGIS will draw follows what the researcher does on the map: a new or recoloured
area is in the file's default QGIS style at once, and Undo takes it back there too."""
import xml.etree.ElementTree as ET

from models.storage import styles
from tests.helpers.gui import make_window


def shown_in_qgis(cat):
    """(label, fill) of each category of the areas' default QGIS style."""
    qml = cat.store.conn.execute("SELECT styleQML FROM layer_styles WHERE f_table_name='areas' AND "
                                 "styleName=? AND useAsDefault", (styles.STYLE_NAME,)).fetchone()[0]
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    fills = {s.get("name"): s.find("layer/prop[@k='color']").get("v") for s in renderer.iter("symbol")}
    return [(c.get("label"), fills[c.get("symbol")]) for c in renderer.iter("category")]


def test_new_and_recoloured_areas_reach_the_qgis_style(grid_cat, qtbot, tmp_path):
    path = grid_cat.path
    grid_cat.close()
    window = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    window.tabs.setCurrentWidget(window.map_tab)
    areas = window.map_tab.area_list
    areas.new_area("Seen", colour="#D55E00")            # Map ▸ New area, name typed in its dialog
    assert shown_in_qgis(window.catalogue) == [("Seen", "213,94,0,76")]
    areas.recolour_area("#009E73")                       # the colour dialog's choice
    assert shown_in_qgis(window.catalogue) == [("Seen", "0,158,115,76")]
    window.undo_action.trigger()                         # Edit ▸ Undo
    assert window.map_tab.current_area().colour == "#D55E00"
    assert shown_in_qgis(window.catalogue) == [("Seen", "213,94,0,76")]
    window.undo_action.trigger()                         # Edit ▸ Undo
    assert shown_in_qgis(window.catalogue) == []
    window.map_tab.shutdown()
    window.close()
