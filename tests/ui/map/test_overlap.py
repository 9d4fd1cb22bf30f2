"""Overlapping areas on the map, driven as a user would: check boxes in the area list,
the show buttons, the legend, hovering a ward, the coverage count, new areas' colours.

The grid fixture: A = W00 W01 W10 W11, B = W01 W02 W11 W12 W21 (both blue, the default
colour), C = a drawn box over row 0; W01 and W11 are in both A and B.
"""
from collections import Counter

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QStyle, QStyleOptionViewItem, QToolTip

from models.catalogue.colours import AREA_PALETTE
from models.catalogue.records import Membership, Organisation, Partnership
from tests.helpers.grid import CELL, GRID_ORIGIN
from ui.document import Document
from ui.map import area_list as area_list_module
from ui.map.style import COVERAGE_COLOURS, NEUTRAL, blend
from ui.map.tab import MapTab

X0, Y0 = GRID_ORIGIN
LEFT = Qt.MouseButton.LeftButton


def open_tab(qtbot, cat, settings=None) -> MapTab:
    t = MapTab(Document(cat), settings=settings)
    qtbot.addWidget(t)
    t.resize(1000, 650)
    t.show()
    qtbot.waitExposed(t)
    return t


@pytest.fixture(autouse=True)
def _fresh_session():
    # The session's memory of hidden areas is per file; each test has its own files.
    area_list_module._hidden_by_file.clear()
    yield
    area_list_module._hidden_by_file.clear()


@pytest.fixture
def tab(grid, qtbot):
    cat, _, _ = grid
    return open_tab(qtbot, cat)


def centre(tab, col, row, dx=0.5, dy=0.5) -> QPoint:
    return tab.view.mapFromScene(QPointF(X0 + (col + dx) * CELL, -(Y0 + (row + dy) * CELL)))


def commonest(tab, p: QPoint, r: int = 6) -> str:
    image = tab.view.viewport().grab().toImage()
    return Counter(QColor(image.pixel(p.x() + dx, p.y() + dy)).name()
                   for dx in range(-r, r + 1) for dy in range(-r, r + 1)).most_common(1)[0][0]


def item_of(tab, name):
    lst = tab.area_list.list
    return next(lst.item(k) for k in range(lst.count()) if lst.item(k).text().startswith(name))


def click_check_box(qtbot, tab, name) -> None:
    """Click the check box of an area's row, where the style draws it."""
    lst = tab.area_list.list
    item = item_of(tab, name)
    option = QStyleOptionViewItem()
    option.initFrom(lst)
    option.rect = lst.visualItemRect(item)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = lst.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, lst)
    qtbot.mouseClick(lst.viewport(), LEFT, pos=box.center())


def drawn_names(tab) -> set[str]:
    names = {a.id: a.name for a in tab.areas}
    return {names[k] for k in tab.shapes.items}


def test_a_check_box_click_hides_and_shows_an_area(tab, qtbot):
    assert drawn_names(tab) == {"A", "B", "C"}
    assert tab.legend.title == "3 of 3 areas shown"
    click_check_box(qtbot, tab, "B")
    assert item_of(tab, "B").checkState() == Qt.CheckState.Unchecked
    assert drawn_names(tab) == {"A", "C"}
    assert tab.legend.title == "2 of 3 areas shown"
    assert [r.text for r in tab.legend.rows if r.kind == "area"] == ["A", "C"]
    assert tab.area_list.shown_label.text() == "2 of 3 shown"
    click_check_box(qtbot, tab, "B")
    assert drawn_names(tab) == {"A", "B", "C"}


def test_show_buttons(tab, qtbot):
    buttons = tab.area_list.show_buttons
    qtbot.mouseClick(buttons["none"], LEFT)
    assert drawn_names(tab) == set() and tab.legend.title == "0 of 3 areas shown"
    assert buttons["selected"].isEnabled() is False
    lst = tab.area_list.list
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(item_of(tab, "B")).center())
    assert tab.current_area().name == "B"
    qtbot.mouseClick(buttons["selected"], LEFT)
    assert drawn_names(tab) == {"B"}
    qtbot.mouseClick(buttons["all"], LEFT)
    assert drawn_names(tab) == {"A", "B", "C"}


def test_the_choice_is_kept_per_catalogue(grid, qtbot, tmp_path):
    cat, _, _ = grid
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = open_tab(qtbot, cat, settings)
    click_check_box(qtbot, first, "A")
    assert drawn_names(first) == {"B", "C"}
    first.close()
    # Reopened in the same session: the same areas are hidden.
    assert drawn_names(open_tab(qtbot, cat)) == {"B", "C"}
    # In a later session (nothing in memory), the settings remember it.
    area_list_module._hidden_by_file.clear()
    assert drawn_names(open_tab(qtbot, cat, settings)) == {"B", "C"}
    area_list_module._hidden_by_file.clear()
    assert drawn_names(open_tab(qtbot, cat)) == {"A", "B", "C"}


def test_two_areas_over_one_ward_both_read(tab, qtbot):
    # One path item per area, whatever its number of wards.
    assert len(tab.shapes.items) == 3
    qtbot.mouseClick(tab.area_list.show_buttons["all"], LEFT)
    click_check_box(qtbot, tab, "C")   # the drawn box would tint row 0 too
    a, b = (next(x for x in tab.areas if x.name == n) for n in ("A", "B"))
    assert tab.current_area() is None   # nothing selected: no area is hatched
    only_a = commonest(tab, centre(tab, 0, 1, 0.3, 0.3))
    both = commonest(tab, centre(tab, 1, 1, 0.3, 0.3))
    only_b = commonest(tab, centre(tab, 2, 1, 0.3, 0.3))
    neither = commonest(tab, centre(tab, 3, 1, 0.3, 0.3))
    assert neither == NEUTRAL.name()
    # The same colour (both areas are blue) laid twice reads darker than once.
    assert only_a == only_b != neither
    assert QColor(both).lightness() < QColor(only_a).lightness() < QColor(neither).lightness()
    assert a.colour == b.colour


def test_the_legend_keeps_off_the_selected_area(grid, qtbot):
    cat, w, ids = grid
    tab = open_tab(qtbot, cat)
    lst = tab.area_list.list
    # Looking at columns 1-2, rows 1-2: B holds W21 (top left), W11 and W12 (the bottom), not W22.
    tab.view.zoom_to_bounds(X0 + CELL, Y0 + CELL, X0 + 3 * CELL, Y0 + 3 * CELL, margin=0.0)
    tab.view.viewport().grab()
    # Nothing selected: the corner over no shown area (W22).
    assert tab.legend.corner == "top right"
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(item_of(tab, "B")).center())
    tab.view.viewport().grab()
    assert tab.legend.corner == "top right"
    # On screen the legend lies over W22 only, right of W21's right edge.
    assert tab.legend.rect.left() >= centre(tab, 2, 2, 0.0, 0.5).x()
    assert tab.legend.rect.bottom() <= centre(tab, 2, 2, 0.5, 0.0).y()
    # and below the find box, which holds the top right corner over the map
    find = tab.find_box.geometry()
    assert tab.legend.rect.top() > tab.view.viewport().mapFrom(tab.view, find.bottomLeft()).y()
    # B hidden and A (W11, the bottom left) selected: the top left is free again.
    click_check_box(qtbot, tab, "B")
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(item_of(tab, "A")).center())
    tab.view.viewport().grab()
    assert tab.legend.corner == "top left"


def test_a_click_on_the_legend_title_folds_it(tab, qtbot):
    vp = tab.view.viewport()
    vp.grab()
    title = tab.legend.title_rect.center().toPoint()
    count = tab.document.undo_stack.count()
    qtbot.mouseClick(vp, LEFT, pos=title)
    assert tab.legend.collapsed and len(tab.legend.lines()) == 1
    vp.grab()
    assert tab.legend.rect.height() < 40
    qtbot.mouseClick(vp, LEFT, pos=tab.legend.title_rect.center().toPoint())
    assert not tab.legend.collapsed and len(tab.legend.lines()) > 3
    assert tab.document.undo_stack.count() == count   # the click drew nothing on the map


def move_mouse(tab, pos: QPoint) -> None:
    """A real mouse move over the map, sent to its viewport (QTest's would reach the tooltip
    window the last hover opened under the pointer)."""
    vp = tab.view.viewport()
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(vp.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, event)


def test_hovering_a_ward_lists_every_area_it_is_in(tab, qtbot):
    move_mouse(tab, centre(tab, 1, 1))
    assert tab.hover.text() == "Ward 1-1 (W11): in A, B"
    assert "Areas: A, B" in QToolTip.text()
    move_mouse(tab, centre(tab, 3, 1))
    assert tab.hover.text() == "Ward 1-3 (W13): in no area"
    click_check_box(qtbot, tab, "A")
    move_mouse(tab, centre(tab, 1, 0))
    assert tab.hover.text() == "Ward 0-1 (W01): in B, A (hidden)"


def test_coverage_count_shades_wards_by_shown_areas(tab, qtbot):
    bar_button = tab.findChild(type(tab.area_list.show_buttons["all"]), "coverage_button")
    qtbot.mouseClick(bar_button, LEFT)
    assert tab.layer_actions["coverage"].isChecked()
    one, two = (blend(QColor(c)).name() for c in COVERAGE_COLOURS[:2])
    assert commonest(tab, centre(tab, 0, 2, 0.3, 0.3)) == NEUTRAL.name()   # W20: in no area
    assert commonest(tab, centre(tab, 0, 1, 0.3, 0.3)) == one              # W10: A
    assert commonest(tab, centre(tab, 1, 1, 0.3, 0.3)) == two              # W11: A and B
    assert tab.legend.title == "Coverage count: 3 of 3 areas shown"
    assert [r.text for r in tab.legend.rows if r.kind == "fill"] == [
        "In 1 shown area", "In 2 shown areas", "In no shown area"]
    click_check_box(qtbot, tab, "B")   # counts only what is shown
    assert commonest(tab, centre(tab, 1, 1, 0.3, 0.3)) == one
    qtbot.mouseClick(bar_button, LEFT)
    assert commonest(tab, centre(tab, 1, 1, 0.3, 0.3)) != one


def answer_dialog(qtbot, text: str | None = None) -> None:
    """Answer the next dialog as a user would: type `text` (if any) and press Enter."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, answer)
            return
        if text is not None and isinstance(dialog, QInputDialog):
            dialog.setTextValue("")
            qtbot.keyClicks(dialog.focusWidget(), text)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    QTimer.singleShot(0, answer)


def test_new_areas_use_every_palette_colour_before_repeating_one(tab, qtbot):
    # A, B and C are blue: five new areas used to come round to blue again ("count mod 8")
    # while two palette colours were still unused.
    new = tab.area_list.buttons["New"]
    for k in range(7):
        answer_dialog(qtbot, f"New {k}")
        qtbot.mouseClick(new, LEFT)
    colours = Counter(a.colour.upper() for a in tab.areas)
    assert {c.upper() for c in AREA_PALETTE} <= set(colours)
    assert colours["#0072B2"] == 3 and max(n for c, n in colours.items() if c != "#0072B2") == 1
    assert sorted(a.name for a in tab.areas)[:3] == ["A", "B", "C"]


def test_an_area_from_a_partnership_stands_out_from_its_neighbours(grid, qtbot):
    cat, w, ids = grid
    b2 = cat.organisations.add(Organisation("Borough Two", "local authority", gss_code="B2")).id
    cat.partnerships.add(Partnership("East side"), [Membership(0, b2)])
    tab = open_tab(qtbot, cat)
    answer_dialog(qtbot)   # the first partnership listed: "East side"
    qtbot.mouseClick(tab.area_list.buttons["From partnership…"], LEFT)
    area = tab.current_area()
    assert area.name == "East side"
    # Every other palette colour is unused; of those, yellow is the farthest from the blue
    # of B, which shares W02 and W12 with it.
    assert area.colour.upper() == "#F0E442"


def test_a_duplicate_takes_a_colour_of_its_own(tab, qtbot):
    lst = tab.area_list.list
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(item_of(tab, "A")).center())
    qtbot.mouseClick(tab.area_list.buttons["Duplicate"], LEFT)
    copy = tab.current_area()
    assert copy.name == "A (copy)" and copy.colour.upper() != "#0072B2"
    assert "A (copy)" in drawn_names(tab)


def test_an_svg_export_draws_the_areas_as_paths(tab, tmp_path):
    # The areas are cached as a screen pixmap on screen; a vector file gets their outlines.
    out = tab.export(str(tmp_path / "map.svg"))
    svg = out.read_text()
    assert "<image" not in svg
    assert svg.count("#0072b2") >= 3   # A, B and C are blue: three outlines (and their swatches)


def test_the_legend_of_a_layer_with_no_areas_says_so(grid_cat, qtbot):
    tab = open_tab(qtbot, grid_cat)
    assert tab.areas == [] and tab.legend.title == "No areas yet"   # not "0 of 0 areas shown"
    tab.area_list.new_area("First")
    assert tab.legend.title.endswith(" of 1 area shown")   # an empty area has no outline to draw yet
