"""Drawing on the map as a user would (pytest-qt), on the grid of exact 1 km² squares.

Columns 0-1 are borough B1, 2-3 are B2; ward Wrc is row r, column c.
"""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.map_gui import at, centre
from ui.map.style import blend

X0, Y0 = GRID_ORIGIN
LEFT = Qt.MouseButton.LeftButton


def codes(tab):
    area = tab.current_area()
    t = tab.layer.table
    index = t.index_of()
    return sorted(t.codes[index[u]] for u in area.unit_ids)


def commonest(image: QImage, p: QPoint, r: int = 7) -> str:
    """The colour most pixels around p show."""
    from collections import Counter
    return Counter(QColor(image.pixel(p.x() + dx, p.y() + dy)).name()
                   for dx in range(-r, r + 1) for dy in range(-r, r + 1)).most_common(1)[0][0]


def drag(qtbot, tab, points, modifier=Qt.KeyboardModifier.NoModifier):
    vp = tab.view.viewport()
    qtbot.mousePress(vp, LEFT, modifier, points[0])
    for p in points[1:]:
        qtbot.mouseMove(vp, p)
    qtbot.mouseRelease(vp, LEFT, modifier, points[-1])


def test_click_adds_and_removes_a_ward(tab, qtbot):
    tab.area_list.new_area("North")
    tab.set_tool("click")
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 0, 0))
    assert codes(tab) == ["W00"]
    assert tab.panel.text("wards") == "1"
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 0, 0))
    assert codes(tab) == []


def test_brush_stroke_is_one_undo_step(tab, qtbot):
    tab.area_list.new_area("Stroke")
    tab.set_tool("brush")
    tab.brush_size.setValue(2)
    stack = tab.document.undo_stack
    before = stack.count()
    drag(qtbot, tab, [centre(tab, 0, 1), centre(tab, 1, 1), centre(tab, 2, 1), centre(tab, 3, 1)])
    assert codes(tab) == ["W10", "W11", "W12", "W13"]
    assert stack.count() == before + 1 and stack.undoText() == "Brush"
    stack.undo()
    assert codes(tab) == []
    stack.redo()
    assert codes(tab) == ["W10", "W11", "W12", "W13"]
    # Shift at the start of a stroke erases.
    drag(qtbot, tab, [centre(tab, 3, 1), centre(tab, 2, 1)], Qt.KeyboardModifier.ShiftModifier)
    assert codes(tab) == ["W10", "W11"]


def test_brush_paints_what_the_user_sees(tab, qtbot):
    tab.area_list.new_area("Seen", colour="#D55E00")
    tab.set_tool("brush")
    tab.brush_size.setValue(2)
    drag(qtbot, tab, [centre(tab, 1, 0), centre(tab, 1, 0)])
    image: QImage = tab.view.viewport().grab().toImage()
    # The selected area is hatched over its fill: the fill is what most pixels show. A quarter
    # of a ward below its centre: the ward's name is written at the centre.
    painted = commonest(image, at(tab, X0 + 1.5 * CELL, Y0 + 0.25 * CELL))
    untouched = commonest(image, at(tab, X0 + 3.5 * CELL, Y0 + 2.25 * CELL))
    assert painted == blend(QColor("#D55E00")).name()
    assert untouched != painted


def test_lasso_takes_wards_at_least_half_inside(tab, qtbot):
    tab.area_list.new_area("Lasso")
    tab.set_tool("lasso")
    assert tab.share.value() == 50
    # Around column 0 and exactly half of column 1, a little past the grid top and bottom.
    x1 = X0 + 1.5 * CELL
    outline = [at(tab, X0 - 200, Y0 - 200), at(tab, x1, Y0 - 200), at(tab, x1, Y0 + 3200),
               at(tab, X0 - 200, Y0 + 3200), at(tab, X0 - 200, Y0 - 150)]
    drag(qtbot, tab, outline)
    # Pixels are not metres: the lasso edge lands within a pixel of the half-way line.
    got = codes(tab)
    assert {"W00", "W10", "W20"} <= set(got) and not {"W02", "W12", "W22"} & set(got)
    tab.document.undo_stack.undo()
    tab.share.setValue(40)
    drag(qtbot, tab, outline)
    assert codes(tab) == ["W00", "W01", "W10", "W11", "W20", "W21"]


def test_lasso_previews_while_drawn_what_its_release_commits(tab, qtbot):
    tab.area_list.new_area("Preview")
    tab.set_tool("lasso")
    lasso = tab.drawing.tools["lasso"]
    stack = tab.document.undo_stack
    count = stack.count()
    # Rows 0-1, columns 0-1 whole and 60% of column 2: six wards at the 50% share.
    x1, y1 = X0 + 2.6 * CELL, Y0 + 2 * CELL - 1
    outline = [at(tab, X0 - 200, Y0 - 200), at(tab, x1, Y0 - 200), at(tab, x1, y1),
               at(tab, X0 - 200, y1), at(tab, X0 - 200, Y0 - 150)]
    vp = tab.view.viewport()
    qtbot.mousePress(vp, LEFT, Qt.KeyboardModifier.NoModifier, outline[0])
    for p in outline[1:]:
        qtbot.mouseMove(vp, p)
    qtbot.waitUntil(lambda: lasso.previewed_points == len(outline))
    t = tab.layer.table
    shown = {int(i) for i in np.flatnonzero(tab.view.effective_fill())}  # painted on the map now
    assert sorted(t.codes[i] for i in shown) == ["W00", "W01", "W02", "W10", "W11", "W12"]
    assert shown == lasso.previewed
    qtbot.waitUntil(lambda: tab.panel.text("wards") == "6")   # the panel follows the preview
    assert stack.count() == count and codes(tab) == []        # nothing saved mid-gesture
    qtbot.mouseRelease(vp, LEFT, Qt.KeyboardModifier.NoModifier, outline[-1])
    index = t.index_of()
    assert {index[u] for u in tab.current_area().unit_ids} == shown
    assert stack.count() == count + 1 and stack.undoText() == "Lasso"
    assert {int(i) for i in np.flatnonzero(tab.view.effective_fill())} == shown


def test_area_panel_figures(tab, qtbot):
    tab.area_list.new_area("Across")
    tab.set_tool("click")
    for col, row in ((1, 0), (2, 0), (3, 2)):
        qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, col, row))
    p = tab.panel
    assert p.text("wards") == "3"
    assert p.text("km2") == "3.00 km²"
    assert p.text("boroughs") == "B2: 2 wards<br>B1: 1 ward"
    assert p.text("virtual").startswith("<b>yes</b>")
    assert p.text("parts").startswith("2 separate parts") and "Ward 2-3" in p.text("parts")


def test_alt_click_fills_a_borough(tab, qtbot):
    tab.area_list.new_area("Borough")
    tab.set_tool("brush")
    qtbot.mouseClick(tab.view.viewport(), LEFT, Qt.KeyboardModifier.AltModifier, centre(tab, 3, 0))
    assert codes(tab) == ["W02", "W03", "W12", "W13", "W22", "W23"]
    assert tab.panel.text("parts") == "one piece"


def test_polygon_then_snap_to_wards(tab, qtbot):
    tab.area_list.new_area("Free")
    tab.set_tool("polygon")
    vp = tab.view.viewport()
    corners = [at(tab, X0 + 100, Y0 + 100), at(tab, X0 + 1900, Y0 + 100), at(tab, X0 + 1900, Y0 + 900),
               at(tab, X0 + 100, Y0 + 900)]
    for c in corners:
        qtbot.mouseClick(vp, LEFT, pos=c)
    qtbot.keyClick(vp, Qt.Key.Key_Return)
    area = tab.current_area()
    assert area.drawn is not None and area.drawn.area == pytest.approx(1.8e6 * 0.8, rel=0.02)
    assert tab.document.undo_stack.undoText() == "Draw polygon"
    tab.drawing.snap()
    assert codes(tab) == ["W00", "W01"] and tab.current_area().drawn is None
    tab.document.undo_stack.undo()
    assert codes(tab) == [] and tab.current_area().drawn is not None


def test_bad_input_changes_nothing(tab, qtbot):
    stack = tab.document.undo_stack
    tab.set_tool("click")
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 0, 0))
    assert "area" in tab.status.text()  # no area chosen yet
    tab.area_list.new_area("Bad")
    count = stack.count()
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=at(tab, X0 - 5000, Y0 - 5000))
    assert "outside" in tab.status.text()
    tab.set_tool("lasso")
    drag(qtbot, tab, [centre(tab, 0, 0), centre(tab, 0, 0)])  # a lasso with no area
    assert "three points" in tab.status.text() or "no area" in tab.status.text()
    tab.drawing.snap()
    assert "no drawn polygon" in tab.status.text()
    assert stack.count() == count and codes(tab) == []


def test_area_list_edits(tab, qtbot, grid_cat):
    from models.catalogue.records import Partnership
    pid = grid_cat.partnerships.add(Partnership("Joint board")).id
    tab.area_list.new_area("One")
    tab.area_list.rename_area("Uno")
    tab.area_list.recolour_area("#009E73")
    tab.area_list.link_area(pid)
    area = tab.current_area()
    assert (area.name, area.colour, area.partnership_id) == ("Uno", "#009E73", pid)
    assert tab.panel.text("partnership") == "Joint board"
    tab.area_list.duplicate_area()
    assert tab.current_area().name == "Uno (copy)"
    assert [tab.area_list.list.item(k).text() for k in range(tab.area_list.count())] == ["Uno", "Uno (copy)"]
    tab.area_list.delete_area(confirm=False)
    assert tab.area_list.count() == 1
    tab.document.undo_stack.undo()
    assert tab.area_list.count() == 2


def test_export_png_svg_pdf(tab, tmp_path):
    tab.area_list.new_area("Shown")
    for suffix in ("png", "svg", "pdf"):
        out = tab.export(str(tmp_path / f"map.{suffix}"))
        assert out is not None and out.stat().st_size > 500
    svg = (tmp_path / "map.svg").read_text()
    assert "Crown copyright" in svg or "Ward not in an area" in svg
    png = QImage(str(tmp_path / "map.png"))
    assert png.width() == 2 * tab.view.viewport().width()
    assert tab.export(str(tmp_path / "map.bmp")) is None and "png" in tab.status.text()


def test_legend_swatches_show_their_colours(tab, qtbot):
    tab.area_list.new_area("Swatch", colour="#D55E00")
    tab.set_tool("polygon")  # its white vertex handles are the last items painted before the legend
    vp = tab.view.viewport()
    for x, y in ((X0 + 100, Y0 + 100), (X0 + 1900, Y0 + 100), (X0 + 1900, Y0 + 900)):
        qtbot.mouseClick(vp, LEFT, pos=at(tab, x, y))
    qtbot.keyClick(vp, Qt.Key.Key_Return)
    image = vp.grab().toImage()
    # The legend's first area row (the selected one) is under its title; its swatch is edged
    # in the area's colour, 2 px wide, ~16-34 px from the legend's left.
    box = tab.legend.rect
    row = box.top() + 6 + (box.height() - 12) / len(tab.legend.lines())
    edge = [QColor(image.pixel(int(box.left()) + x, int(row) + y)).name() for x in range(6, 30) for y in range(2, 8)]
    assert edge.count("#d55e00") >= 10


def test_hover_text_names_ward_borough_and_areas(tab, qtbot):
    tab.area_list.new_area("Hovered")
    tab.set_tool("click")
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 2, 1))
    i = tab.view.unit_at(centre(tab, 2, 1))
    text = tab.view.describe(i)
    assert "Ward 1-2" in text and "W12" in text and "Borough: B2" in text and "Areas: Hovered" in text
    assert tab.view.unit_at(at(tab, X0 - 3000, Y0)) == -1


def test_keys_zoom_and_pan(tab, qtbot):
    view = tab.view
    mpp = view.metres_per_pixel()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.metres_per_pixel() == pytest.approx(mpp / 1.5)
    centre_before = view.mapToScene(view.viewport().rect().center())
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.mapToScene(view.viewport().rect().center()).x() > centre_before.x()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.metres_per_pixel() == pytest.approx(mpp)


def test_tool_keys_when_the_map_has_focus(tab, qtbot):
    with qtbot.waitActive(tab):   # a context manager: called bare it waits for nothing
        tab.activateWindow()
    tab.view.setFocus()
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_L)
    assert tab.tool_actions["lasso"].isChecked()
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_B)
    assert tab.tool_actions["brush"].isChecked()
    assert "key B" in tab.tool_actions["brush"].toolTip()
