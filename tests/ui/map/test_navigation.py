"""Finding one's way on the map as a user does: wheel and keys zoom about the pointer,
dragging pans by default, the brush circle and stale hints go away, the find box jumps.

The grid: 4 x 3 square wards of 1 km²; columns 0-1 are borough B1, 2-3 are B2.
"""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QToolBar

from models.catalogue.records import Area
from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.gui import show_active
from tests.helpers.map_gui import centre
from ui.document import Document
from ui.map.tab import MapTab

X0, Y0 = GRID_ORIGIN
LEFT = Qt.MouseButton.LeftButton


def scene_under(view, pos: QPoint) -> QPointF:
    """The scene point (metres) shown at a viewport pixel, unrounded."""
    return view.viewportTransform().inverted()[0].map(QPointF(pos))


def wheel(view, pos: QPoint, notches: int = 1) -> None:
    """A real wheel event over the viewport, as a mouse sends it (120 per notch)."""
    vp = view.viewport()
    event = QWheelEvent(QPointF(pos), QPointF(vp.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(vp, event)


def assert_fixed(view, pos: QPoint, before: QPointF) -> None:
    after = scene_under(view, pos)
    pixel = view.metres_per_pixel()
    assert abs(after.x() - before.x()) <= pixel and abs(after.y() - before.y()) <= pixel, (before, after, pixel)


# -- 1. zoom keeps the point under the pointer -----------------------------------
@pytest.mark.parametrize("where", [(0.8, 0.25), (0.15, 0.8), (0.5, 0.5)])
def test_one_wheel_notch_keeps_the_point_under_the_pointer(tab, qtbot, where):
    view, vp = tab.view, tab.view.viewport()
    pos = QPoint(int(vp.width() * where[0]), int(vp.height() * where[1]))
    qtbot.mouseMove(vp, pos)  # the pointer arrives over the map first, as it must
    before, mpp = scene_under(view, pos), view.metres_per_pixel()
    wheel(view, pos)
    assert view.metres_per_pixel() == pytest.approx(mpp / 1.25)
    assert_fixed(view, pos, before)
    wheel(view, pos, -1)  # and back out
    assert view.metres_per_pixel() == pytest.approx(mpp)
    assert_fixed(view, pos, before)


def test_wheel_over_a_moved_pointer_zooms_there_not_where_it_was(tab, qtbot):
    view, vp = tab.view, tab.view.viewport()
    first, second = QPoint(100, 100), QPoint(vp.width() - 120, vp.height() - 90)
    qtbot.mouseMove(vp, first)
    wheel(view, first)
    qtbot.mouseMove(vp, second)
    before = scene_under(view, second)
    wheel(view, second, 2)
    assert_fixed(view, second, before)


def test_plus_and_minus_zoom_about_the_pointer_or_else_the_centre(tab, qtbot):
    view, vp = tab.view, tab.view.viewport()
    view.setFocus()
    pos = QPoint(int(vp.width() * 0.8), int(vp.height() * 0.3))
    qtbot.mouseMove(vp, pos)
    before = scene_under(view, pos)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert_fixed(view, pos, before)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert_fixed(view, pos, before)
    # Once the pointer has left the map, the keys zoom about the centre.
    QApplication.sendEvent(vp, QEvent(QEvent.Type.Leave))
    mid = QPoint(vp.width() // 2, vp.height() // 2)
    before = scene_under(view, mid)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert_fixed(view, mid, before)


# -- 3. panning is the default; the brush circle leaves with the pointer -----------
def test_a_drag_pans_by_default_and_paints_nothing(tab, qtbot):
    tab.area_list.new_area("Untouched")
    assert tab.tool_actions["pan"].isChecked()
    view, vp = tab.view, tab.view.viewport()
    stack = tab.document.undo_stack
    count = stack.count()
    mid = QPoint(vp.width() // 2, vp.height() // 2)
    before = scene_under(view, mid)
    a, b = centre(tab, 1, 1), centre(tab, 2, 1)
    qtbot.mousePress(vp, LEFT, pos=a)
    for k in range(1, 6):
        qtbot.mouseMove(vp, a + (b - a) * k / 5)
    qtbot.mouseRelease(vp, LEFT, pos=b)
    moved = scene_under(view, mid)
    # The map followed the pointer: what was under `a` is now under `b`.
    assert moved.x() == pytest.approx(before.x() - (b.x() - a.x()) * view.metres_per_pixel(), abs=2 * CELL / 100)
    assert stack.count() == count and tab.current_area().unit_ids == frozenset()


def test_brush_is_picked_with_its_key_or_button(tab, qtbot):
    tab.view.setFocus()
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_B)
    assert tab.tool_actions["brush"].isChecked()
    bar = tab.findChild(QToolBar, "mapToolBar")
    qtbot.mouseClick(bar.widgetForAction(tab.tool_actions["pan"]), LEFT)
    assert tab.tool_actions["pan"].isChecked() and tab.view.tool is None


def test_the_brush_circle_goes_when_the_pointer_leaves_the_map(tab, qtbot):
    tab.area_list.new_area("Brushing")
    tab.set_tool("brush")
    vp = tab.view.viewport()
    qtbot.mouseMove(vp, centre(tab, 1, 1))
    brush = tab.drawing.tools["brush"]
    assert brush.cursor is not None and brush.cursor.scene() is tab.view.scene()
    QApplication.sendEvent(vp, QEvent(QEvent.Type.Leave))
    assert brush.cursor is None or brush.cursor.scene() is None
    qtbot.mouseMove(vp, centre(tab, 2, 1))  # and comes back with it
    assert brush.cursor is not None and brush.cursor.scene() is tab.view.scene()


def test_a_click_with_the_pan_tool_selects_the_area_of_that_ward(tab, qtbot, grid_cat):
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    w12 = int(t.ids[t.codes.index("W12")])
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("East", colour="#009E73", unit_ids=frozenset({w12}),
                                                            layer_id=tab.layer.id)))
    tab.area_list.select_area(None)
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 2, 1))
    assert tab.current_area() is not None and tab.current_area().name == "East"


# -- 2. the "choose an area" hint goes once an area is chosen ----------------------
def test_choose_an_area_hint_goes_when_an_area_is_chosen(tab, qtbot, grid_cat):
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Chosen later", colour="#0072B2")))
    assert tab.current_area() is None
    tab.set_tool("click")
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 0, 0))
    assert "Choose an area" in tab.status.text()
    lst = tab.area_list.list
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(lst.item(0)).center())
    assert tab.current_area() is not None
    assert "Choose an area" not in tab.status.text()


# -- 5. the find box ------------------------------------------------------------
def visible(view):
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_find_a_ward_by_name_jumps_and_highlights_it(tab, qtbot):
    box = tab.findChild(QLineEdit, "mapFind")
    mpp = tab.view.metres_per_pixel()
    box.setFocus()
    qtbot.keyClicks(box, "ward 1-2")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    seen = visible(tab.view)
    ward = (X0 + 2 * CELL, -(Y0 + 2 * CELL), CELL, CELL)   # scene rect of W12
    assert seen.contains(QPointF(ward[0], ward[1])) and seen.contains(QPointF(ward[0] + CELL, ward[1] + CELL))
    assert tab.view.metres_per_pixel() < mpp / 1.5         # fitted to one ward, not the grid
    assert tab.view.flash_item.isVisible()
    assert tab.view.flash_item.path().boundingRect().width() == pytest.approx(CELL)
    assert "Ward 1-2" in tab.status.text()
    qtbot.waitUntil(lambda: not tab.view.flash_item.isVisible(), timeout=5000)


def test_find_a_borough_or_a_code(tab, qtbot):
    box = tab.findChild(QLineEdit, "mapFind")
    box.setFocus()
    qtbot.keyClicks(box, "B2")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert tab.view.flash_item.path().boundingRect().width() == pytest.approx(2 * CELL)
    box.clear()
    qtbot.keyClicks(box, "w03")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert "Ward 0-3" in tab.status.text()


def test_find_completes_names(tab, qtbot):
    box = tab.findChild(QLineEdit, "mapFind")
    box.setFocus()
    qtbot.keyClicks(box, "1-3")
    completer = box.completer()
    assert completer.completionCount() == 1
    assert completer.currentCompletion().startswith("Ward 1-3 (W13)")


def test_the_find_box_lists_places_on_first_use_and_finds_what_was_typed_first(tab, qtbot):
    box = tab.findChild(QLineEdit, "mapFind")
    completer = box.completer()
    assert completer.model().rowCount() == 0   # nothing listed while opening the map
    qtbot.keyClicks(box, "2-1")                 # the first keys list them and complete
    assert completer.completionCount() == 1
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert "Ward 2-1" in tab.status.text()
    assert completer.model().rowCount() > 12    # every ward and borough from then on


def test_find_unknown_text_says_so_and_moves_nothing(tab, qtbot):
    box = tab.findChild(QLineEdit, "mapFind")
    tab.view.zoom_by(2.0)
    before = (tab.view.viewportTransform(), visible(tab.view))
    box.setFocus()
    qtbot.keyClicks(box, "Atlantis")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert (tab.view.viewportTransform(), visible(tab.view)) == before
    assert "Atlantis" in tab.status.text() and "\n" not in tab.status.text()
    assert not tab.view.flash_item.isVisible()


def test_ctrl_f_on_the_map_tab_focuses_the_find_box(window, qtbot, grid_geojson):
    from models.formats.boundary_import import import_boundaries
    import_boundaries(window.document.catalogue, grid_geojson, name="Grid wards", level="ward")
    window.map_tab.reload()
    window.show_map()
    window.map_tab.view.setFocus()
    qtbot.keyClick(window.map_tab.view.viewport(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.findChild(QLineEdit, "mapFind")
    # Elsewhere Ctrl+F still searches the partnerships.
    window.tabs.setCurrentWidget(window.catalogue_view)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.catalogue_view
    assert QApplication.focusWidget() is not window.findChild(QLineEdit, "mapFind")


# -- 7. an empty catalogue's map says what to do --------------------------------
def test_an_empty_map_says_how_to_get_boundaries(cat, qtbot):
    tab = MapTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    show_active(qtbot, tab)
    image = tab.view.viewport().grab().toImage()
    w, h = image.width(), image.height()
    band = [QColor(image.pixel(x, y)).lightness() for y in range(h // 3, 2 * h // 3, 2) for x in range(0, w, 2)]
    dark = sum(v < 100 for v in band)
    assert dark > 200  # words in the middle of the map, where a blank canvas had none
    assert not tab.findChild(QLineEdit, "mapFind").isVisible()  # nothing to find yet
    from ui.map.view import EMPTY_MESSAGE
    assert "File ▸ Import ▸ Boundaries…" in EMPTY_MESSAGE and "example" in EMPTY_MESSAGE


# -- 8. names -------------------------------------------------------------------
def test_map_widgets_have_object_names(tab):
    for name in ("mapTab", "mapView", "mapFind", "mapToolBar", "mapStatus", "mapBrushSize", "mapShare",
                 "mapLayerCombo", "mapAreaPanel"):
        assert tab.findChild(object, name) is not None or tab.objectName() == name, name
    assert all(a.objectName() for a in tab.tool_actions.values())


def test_labels_never_overlap_on_the_grid(tab):
    tab.view.viewport().grab()
    placed = tab.view.labeller.placed
    assert {text for _, text, _ in placed} >= {"Ward 0-0", "Ward 2-3"}
    rects = [r for _, _, r in placed]
    assert not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])
    assert np.all([tab.view.viewport().rect().contains(r.toRect()) for r in rects])


def test_find_an_area_made_after_the_tab_opened(tab, qtbot, grid_cat):
    t = grid_cat.layers.table(grid_cat.layers.all()[0].id)
    units = frozenset(int(t.ids[t.codes.index(c)]) for c in ("W22", "W23"))
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Riverside", colour="#CC79A7", unit_ids=units,
                                                            layer_id=tab.layer.id)))
    tab.area_list.select_area(None)
    box = tab.findChild(QLineEdit, "mapFind")
    box.setFocus()
    qtbot.keyClicks(box, "riverside")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert tab.current_area() is not None and tab.current_area().name == "Riverside"  # found and selected
    assert tab.view.flash_item.path().boundingRect().width() == pytest.approx(2 * CELL)
    # Renamed, it is found by its new name only.
    tab.area_list.rename_area("Waterside")
    box.clear()
    qtbot.keyClicks(box, "Riverside")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert "Riverside" in tab.status.text() and "No ward" in tab.status.text()
