"""Reference geographies outlined over the map: one item per geography, names that never
meet, kept clear by the map's own labels, and gone again when switched off or when the map
shows another layer (on the grid of 1 km² wards)."""
import shapely
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsPathItem

from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.map_gui import open_map_tab
from ui.map.reference_outlines import ReferenceOutlines

X0, Y0 = GRID_ORIGIN


def _halves():
    west = shapely.box(X0, Y0, X0 + 2 * CELL, Y0 + 3 * CELL)
    east = shapely.box(X0 + 2 * CELL, Y0, X0 + 4 * CELL, Y0 + 3 * CELL)
    return [("West half", west), ("East half", east)]


def _path_items(view):
    return [i for i in view.scene().items() if isinstance(i, QGraphicsPathItem) and i.zValue() == 3.5]


def test_each_geography_is_one_item_and_its_names_do_not_meet(qtbot, grid_cat):
    tab = open_map_tab(qtbot, grid_cat)
    outlines = ReferenceOutlines(tab.view)
    tab.view.reference_rects = lambda: outlines.placed
    outlines.set_geography(1, "Halves", _halves())
    # Twelve squares, each its own area with a long name: the names cannot all fit.
    squares = [(f"A long reference area name {k}", shapely.box(X0 + (k % 4) * CELL, Y0 + (k // 4) * CELL,
                                                               X0 + (k % 4 + 1) * CELL, Y0 + (k // 4 + 1) * CELL))
               for k in range(12)]
    outlines.set_geography(2, "Squares", squares)
    assert _path_items(tab.view) == []          # set, not shown yet
    outlines.set_visible(1, True)
    outlines.set_visible(2, True)
    assert len(_path_items(tab.view)) == 2      # 14 areas, two items
    tab.view.grab()
    names = outlines.placed
    assert 2 <= len(names) < 14
    assert all(not a.intersects(b) for i, a in enumerate(names) for b in names[i + 1:])
    # The halves are placed first (switched on first), the squares' names only where free.
    assert outlines.geographies[1].names == ["West half", "East half"]
    # The map's ward and borough labels keep off the reference names.
    blocked = tab.view._overlay_rects()
    assert all(any(b.contains(r) for b in blocked) for r in names)
    outlines.set_visible(2, False)
    assert len(_path_items(tab.view)) == 1
    tab.view.grab()
    assert len(outlines.placed) == 2


def test_the_menu_lists_no_geography_on_a_catalogue_without_any(qtbot, grid_cat):
    tab = open_map_tab(qtbot, grid_cat)
    menu = tab.references.menu
    assert [a.text() for a in menu.actions()] == ["No reference geographies: File ▸ Import ▸ London Starter Pack"]
    assert not menu.actions()[0].isEnabled()


def test_a_new_layer_drops_the_old_items(qtbot, grid_cat):
    tab = open_map_tab(qtbot, grid_cat)
    outlines = tab.references.outlines
    outlines.set_geography(1, "Halves", _halves())
    outlines.set_visible(1, True)
    assert len(_path_items(tab.view)) == 1
    tab.view.show_layer()          # what choosing another layer does: the scene is cleared
    outlines.after_new_layer()
    assert _path_items(tab.view) == [] and outlines.order == [1] and outlines.geographies == {}
    outlines.set_visible(2, True)   # switched on, never drawn (its outlines could not be made)
    outlines.set_geography(1, "Halves", _halves())
    tab.view.grab()
    assert outlines.order == [1, 2] and len(outlines.placed) == 2
    assert len(_path_items(tab.view)) == 1


def _add_halves(cat):
    from models.catalogue.reference_geographies import NewArea, NewGeography
    return cat.references.add(NewGeography("Grid halves", agency="test"),
                              [NewArea("West", authorities=[("B1", "")]),
                               NewArea("East", authorities=[("B2", "")])]).id


def _click_menu_entry(qtbot, tab, text):
    """Open the References menu with a click on its button and click the entry `text`."""
    from PySide6.QtCore import Qt, QTimer
    menu = tab.references.menu

    def pick():
        action = next(a for a in menu.actions() if a.text() == text)
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(150, pick)
    qtbot.mouseClick(tab.references.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not menu.isVisible())


def test_a_geography_is_toggled_from_the_references_menu(qtbot, grid_cat):
    gid = _add_halves(grid_cat)
    tab = open_map_tab(qtbot, grid_cat)
    assert [a.text() for a in tab.references.menu.actions()] == ["Grid halves (2)"]
    _click_menu_entry(qtbot, tab, "Grid halves (2)")
    assert tab.references.shown() == [gid]
    items = _path_items(tab.view)
    assert len(items) == 1
    r = items[0].path().boundingRect()   # the two halves' outlines: the whole grid
    assert (r.left(), r.right(), r.top(), r.bottom()) == (X0, X0 + 4 * CELL, -(Y0 + 3 * CELL), -Y0)
    assert tab.references.outlines.geographies[gid].names == ["East", "West"]   # equal areas: by name
    tab.view.grab()
    assert len(tab.references.outlines.placed) == 2
    _click_menu_entry(qtbot, tab, "Grid halves (2)")
    assert tab.references.shown() == [] and _path_items(tab.view) == []


def test_deleting_a_shown_geography_takes_its_outlines_off(qtbot, grid_cat):
    from ui.document import Changes
    gid = _add_halves(grid_cat)
    tab = open_map_tab(qtbot, grid_cat)
    tab.references.show(gid, True)
    assert len(_path_items(tab.view)) == 1
    revert = grid_cat.references.delete(gid)
    tab.document.changed.emit(Changes(revert.tables))
    assert _path_items(tab.view) == [] and tab.references.shown() == []


def test_outlines_are_cached_and_simplified_to_the_scale_drawn(qtbot):
    from PySide6.QtWidgets import QGraphicsItem

    from ui.map.reference_outlines import Geography
    # A wiggly square: 400 vertices a metre or two off its edges.
    t = [k / 100 for k in range(100)]
    ring = ([(X0 + 1000 * s, Y0 + (k % 2)) for k, s in enumerate(t)] + [(X0 + 1000 - (k % 2), Y0 + 1000 * s)
                                                                        for k, s in enumerate(t)]
            + [(X0 + 1000 - 1000 * s, Y0 + 1000 - (k % 2)) for k, s in enumerate(t)]
            + [(X0 + (k % 2), Y0 + 1000 - 1000 * s) for k, s in enumerate(t)])
    item = Geography("Wiggly", [("W", shapely.Polygon(ring))], QColor("black"), (4.0, 4.0)).item
    assert item.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache   # a pan copies its pixmap
    fine, coarse = item.path_at(1.0), item.path_at(50.0)   # a metre a pixel; 50 m a pixel
    assert fine.elementCount() > 300 and coarse.elementCount() < 20
    assert item.path_at(60.0) is coarse                    # same level (16 m), made once
