"""The map as of the Overlaps tab's year: areas of partnerships active or attested then; those
of unknown state only when "include undated" is ticked, and the status line says how many."""
from PySide6.QtCore import QPoint, Qt

from models.catalogue import Catalogue
from tests.helpers.evidence import add_undated
from tests.helpers.gui import make_window
from tests.helpers.overlaps_gui import settle


def test_the_maps_year_leaves_unknown_out_until_asked(qtbot, grid, tmp_path):
    cat, _, _ = grid
    add_undated(cat)   # P3: undated, cited by a report of 2009, area D; P4: no evidence, area E
    path = cat.path
    cat.close()
    window = make_window(qtbot, Catalogue.open(path), tmp_path / "settings.ini", tmp_path / "data")
    bar = window.tabs.tabBar()
    overlaps_index = [window.tabs.tabText(k).replace("&", "") for k in range(window.tabs.count())].index("Overlaps")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(overlaps_index).center())
    tab = window.overlaps_tab
    settle()
    qtbot.mouseClick(tab.as_of, Qt.MouseButton.LeftButton, pos=QPoint(8, tab.as_of.height() // 2))
    qtbot.keyClick(tab.year, Qt.Key.Key_Home)
    for _ in range(2009 - tab.year.minimum()):
        qtbot.keyClick(tab.year, Qt.Key.Key_Right)
    settle()
    map_tab = window.map_tab
    assert map_tab.year == 2009
    # A (P1) ended in 2008; B and C (P2) are dated; D (P3) attested; E (P4) unknown: left out.
    assert sorted(a.name for a in map_tab.areas) == ["B", "C", "D"]
    assert "1 with no evidence for 2009 left out" in map_tab.status.text()
    box = tab.include_unknown
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    settle()
    assert sorted(a.name for a in map_tab.areas) == ["B", "C", "D", "E"]
    assert "and 1 of unknown state" in map_tab.status.text()
    assert window.catalogue_view.list.include_unknown.isChecked()   # the list follows, as its year does
    window.close()
