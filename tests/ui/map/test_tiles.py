"""The units are painted as tiles kept between frames (ui.map.detail): what a person sees
after a brush stroke, a zoom, a pan and the ward-edge toggle is what is there, and a pan
or a brush step paints only what changed, not the whole map again.

The grid: 4 x 3 square wards of 1 km²; columns 0-1 are borough B1, 2-3 are B2.
"""
from collections import Counter

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolBar

from models.catalogue.records import Area
from tests.helpers.grid import CELL, GRID_COLS, GRID_ORIGIN, GRID_ROWS, grid_code
from tests.helpers.map_gui import at, centre
from ui.map.style import NEUTRAL, blend

X0, Y0 = GRID_ORIGIN
LEFT = Qt.MouseButton.LeftButton
CELLS = [(c, r) for r in range(GRID_ROWS) for c in range(GRID_COLS)]


def grab(tab) -> QImage:
    return tab.view.viewport().grab().toImage()


def fills(tab, image: QImage) -> dict[tuple[int, int], str]:
    """The colour most pixels show a quarter of a ward below its centre (the name is written
    at the centre), for each ward in view."""
    out = {}
    for c, r in CELLS:
        p = at(tab, X0 + (c + 0.5) * CELL, Y0 + (r + 0.25) * CELL)
        if image.rect().adjusted(8, 8, -8, -8).contains(p):
            out[(c, r)] = Counter(QColor(image.pixel(p.x() + dx, p.y() + dy)).name()
                                  for dx in range(-7, 8) for dy in range(-7, 8)).most_common(1)[0][0]
    return out


def painted_as(tab, image, coloured: set, colour: str) -> None:
    got = fills(tab, image)
    assert got, "no ward in view"
    assert {k for k, v in got.items() if v == colour} == coloured & set(got)
    assert all(v == NEUTRAL.name() for k, v in got.items() if k not in coloured), got


def wheel(view, pos: QPoint, notches: int) -> None:
    vp = view.viewport()
    QApplication.sendEvent(vp, QWheelEvent(QPointF(pos), QPointF(vp.mapToGlobal(pos)), QPoint(0, 0),
                                           QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                                           Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))


def test_a_brush_stroke_recolours_the_wards_under_it_and_only_them(tab, qtbot):
    tab.area_list.new_area("Stroke", colour="#D55E00")
    tab.set_tool("brush")
    tab.brush_size.setValue(2)
    vp = tab.view.viewport()
    grab(tab)
    patched, painted = tab.view.units.patched, tab.view.units.painted
    qtbot.mousePress(vp, LEFT, pos=centre(tab, 0, 1))
    qtbot.mouseMove(vp, centre(tab, 1, 1))
    mid = grab(tab)
    # Mid-stroke the two wards under it show the area's colour, and only those tiles' parts
    # round them were painted again: no whole tile.
    colour = blend(QColor("#D55E00")).name()
    painted_as(tab, mid, {(0, 1), (1, 1)}, colour)
    assert tab.view.units.patched > patched and tab.view.units.painted == painted
    qtbot.mouseRelease(vp, LEFT, pos=centre(tab, 1, 1))
    painted_as(tab, grab(tab), {(0, 1), (1, 1)}, colour)
    area = tab.area_list.current()
    t = tab.layer.table
    assert sorted(t.codes[tab.layer.index[u]] for u in area.unit_ids) == [grid_code(0, 1), grid_code(1, 1)]


def test_a_zoom_and_a_pan_show_what_is_there_and_a_pan_paints_only_the_new_strip(tab, qtbot, grid_cat):
    t = tab.layer.table
    units = frozenset(int(t.ids[t.codes.index(grid_code(c, r))]) for c, r in ((1, 1), (2, 1), (0, 0)))
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Seen", colour="#0072B2", unit_ids=units,
                                                            layer_id=tab.layer.id)))
    area = next(a for a in tab.areas if a.name == "Seen")
    tab.area_list.select_area(area.id)
    colour = blend(QColor("#0072B2")).name()
    view, vp = tab.view, tab.view.viewport()
    painted_as(tab, grab(tab), {(1, 1), (2, 1), (0, 0)}, colour)
    # Two notches in over the middle of the grid, one at a time: while the steps come, the
    # last sharp picture is shown scaled (no unit painted again); once they stop the tiles
    # are painted at the new scale.
    here = at(tab, X0 + 2 * CELL, Y0 + 1.5 * CELL)
    qtbot.mouseMove(vp, here)
    mpp, painted = view.metres_per_pixel(), view.units.painted
    wheel(view, here, 1)
    painted_as(tab, grab(tab), {(1, 1), (2, 1), (0, 0)}, colour)
    wheel(view, here, 1)
    painted_as(tab, grab(tab), {(1, 1), (2, 1), (0, 0)}, colour)
    assert view.metres_per_pixel() < mpp and view.units.painted == painted
    qtbot.waitUntil(lambda: not view.units.settling)
    painted_as(tab, grab(tab), {(1, 1), (2, 1), (0, 0)}, colour)
    assert view.units.painted > painted
    # A drag of the pan tool moves the map 300 pixels left (more than a tile): the tiles
    # already painted are drawn where they now go, and only those coming into view on the
    # right are painted, at most two columns of them.
    tab.set_tool("pan")
    grab(tab)
    painted = view.units.painted
    start = QPoint(vp.width() // 2, vp.height() // 2)
    qtbot.mousePress(vp, LEFT, pos=start)
    for dx in (100, 200, 300):
        qtbot.mouseMove(vp, start - QPoint(dx, 0))
    qtbot.mouseRelease(vp, LEFT, pos=start - QPoint(300, 0))
    after = grab(tab)
    from ui.map.detail import TILE
    rows_of_tiles = vp.height() // TILE + 2
    assert 0 < view.units.painted - painted <= 2 * rows_of_tiles
    painted_as(tab, after, {(1, 1), (2, 1), (0, 0)}, colour)
    # Back out to everything: the same picture as at the start.
    qtbot.keyClick(view, Qt.Key.Key_Home)
    painted_as(tab, grab(tab), {(1, 1), (2, 1), (0, 0)}, colour)


def test_the_wards_button_hides_and_shows_the_ward_edges(tab, qtbot):
    bar = tab.findChild(QToolBar, "mapToolBar")
    button = bar.widgetForAction(tab.layer_actions["wards"])

    def darkest_on_the_edge() -> int:
        # Across the edge between wards 0 and 1 of the bottom row (one borough: no outline there).
        image = grab(tab)
        p = at(tab, X0 + CELL, Y0 + 0.25 * CELL)
        return min(QColor(image.pixel(p.x() + dx, p.y())).lightness() for dx in range(-3, 4))

    neutral = NEUTRAL.lightness()
    assert darkest_on_the_edge() < neutral - 30
    qtbot.mouseClick(button, LEFT)
    assert not tab.layer_actions["wards"].isChecked()
    assert darkest_on_the_edge() == neutral
    qtbot.mouseClick(button, LEFT)
    assert darkest_on_the_edge() < neutral - 30


def test_units_still_draw_when_their_boroughs_cannot_be_united(tab, qtbot, monkeypatch):
    import shapely

    from models.geo.detail import LayerGeometry

    def refuse(self, level):
        raise shapely.errors.GEOSException("CoverageUnion cannot process incorrectly noded inputs")

    monkeypatch.setattr(LayerGeometry, "parents", refuse)
    tab.view.show_layer()    # as when the tab loads a layer
    tab.area_list.new_area("Stroke", colour="#D55E00")
    tab.set_tool("click")
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=centre(tab, 2, 0))
    painted_as(tab, grab(tab), {(2, 0)}, blend(QColor("#D55E00")).name())


def test_a_borough_outline_is_a_dark_band_wider_than_a_ward_edge(tab, qtbot):
    from ui.map.style import BOROUGH_EDGE

    image = grab(tab)
    mid = (NEUTRAL.lightness() + BOROUGH_EDGE.lightness()) / 2

    def across(x: float) -> list[int]:
        # Lightness along a row crossing the vertical line at x, away from the names.
        p = at(tab, x, Y0 + 0.75 * CELL)
        return [QColor(image.pixel(p.x() + dx, p.y())).lightness() for dx in range(-5, 6)]

    borough = across(X0 + 2 * CELL)   # between columns 1 and 2: B1 | B2
    ward = across(X0 + CELL)          # between columns 0 and 1, both in B1
    assert min(borough) <= BOROUGH_EDGE.lightness() + 15, borough
    assert sum(v < mid for v in borough) >= 2, borough           # ~1.6 px, not a hairline
    assert min(ward) < NEUTRAL.lightness() - 30 and min(ward) > mid, ward
    # With the ward edges hidden (zoomed out look) the outline is a sharp single line.
    qtbot.mouseClick(tab.findChild(QToolBar, "mapToolBar").widgetForAction(tab.layer_actions["wards"]), LEFT)
    image = grab(tab)
    thin = across(X0 + 2 * CELL)
    assert sum(v < mid for v in thin) == 1, thin


def test_the_edge_between_two_wards_of_one_area_is_drawn(tab, qtbot):
    # Each shared edge is stroked once: it must still show between neighbours of one fill.
    tab.area_list.new_area("Pair", colour="#009E73")
    tab.set_tool("brush")
    tab.brush_size.setValue(2)
    vp = tab.view.viewport()
    qtbot.mousePress(vp, LEFT, pos=centre(tab, 0, 1))
    qtbot.mouseMove(vp, centre(tab, 1, 1))
    qtbot.mouseRelease(vp, LEFT, pos=centre(tab, 1, 1))
    image = grab(tab)
    painted_as(tab, image, {(0, 1), (1, 1)}, blend(QColor("#009E73")).name())
    fill = QColor(blend(QColor("#009E73"))).lightness()
    p = at(tab, X0 + CELL, Y0 + 1.25 * CELL)
    across = [QColor(image.pixel(p.x() + dx, p.y())).lightness() for dx in range(-3, 4)]
    assert min(across) < fill - 20, across


def test_after_a_zoom_the_sharp_tiles_come_a_few_per_turn_over_the_scaled_picture(tab, qtbot, grid_cat, monkeypatch):
    import ui.map.detail as detail

    t = tab.layer.table
    units = frozenset(int(t.ids[t.codes.index(grid_code(c, r))]) for c, r in ((1, 1), (3, 2)))
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Seen", colour="#0072B2", unit_ids=units,
                                                            layer_id=tab.layer.id)))
    tab.area_list.select_area(next(a for a in tab.areas if a.name == "Seen").id)
    colour = blend(QColor("#0072B2")).name()
    view, vp = tab.view, tab.view.viewport()
    grab(tab)
    # One run of tiles per turn, however fast this machine paints them.
    monkeypatch.setattr(detail, "SHARPEN_MS", 0.0)
    here = at(tab, X0 + 2 * CELL, Y0 + 1.5 * CELL)
    qtbot.mouseMove(vp, here)
    wheel(view, here, 1)
    grab(tab)
    painted = view.units.painted
    # Each turn of settling, as the user sees it once the turn is done.
    frames, placements = [], []
    step, place = view.units._sharpen_step, view.labeller.place

    def counted_place(*args, **kwargs):
        placements.append(view.units.settling)
        return place(*args, **kwargs)

    def seen_step():
        before = view.units.painted
        step()
        frames.append((view.units.painted - before, grab(tab), view.units.settling))

    monkeypatch.setattr(view.units, "_sharpen_step", seen_step)
    monkeypatch.setattr(view.labeller, "place", counted_place)
    qtbot.waitUntil(lambda: not view.units.settling)
    assert len(frames) > 2 and view.units.painted > painted
    for new_tiles, image, settling in frames:
        # Every frame on the way shows the whole picture: a run of sharp tiles more, the
        # scaled ones round them, no hole; the names wait for the last turn.
        assert new_tiles <= detail.SHARPEN_RUN
        painted_as(tab, image, {(1, 1), (3, 2)}, colour)
    assert [settling for *_, settling in frames] == [True] * (len(frames) - 1) + [False]
    assert frames[-1][0] == 0   # the names' turn paints no tile...
    assert placements and not any(placements)   # ... and they are placed only then
    settled = grab(tab)
    painted_as(tab, settled, {(1, 1), (3, 2)}, colour)
    assert view.labeller.placed   # the names are back
    # The same pixels as the whole view painted afresh at this scale.
    view.units.update()
    assert grab(tab) == settled


@pytest.mark.parametrize("made_off_thread", [False, True])
def test_zoom_steps_into_another_level_of_detail_show_the_scaled_picture_until_they_stop(
        tab, qtbot, grid_cat, monkeypatch, made_off_thread):
    import ui.map.detail as detail

    if made_off_thread:   # as for a big layer: the level is made by a thread while the steps go on
        monkeypatch.setattr(detail, "BACKGROUND_UNITS", 0)
    t = tab.layer.table
    units = frozenset(int(t.ids[t.codes.index(grid_code(c, r))]) for c, r in ((1, 1), (2, 1)))
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Seen", colour="#0072B2", unit_ids=units,
                                                            layer_id=tab.layer.id)))
    tab.area_list.select_area(next(a for a in tab.areas if a.name == "Seen").id)
    view, vp = tab.view, tab.view.viewport()
    grab(tab)
    level, painted = view.units.level, view.units.painted
    here = at(tab, X0 + 2 * CELL, Y0 + 1.5 * CELL)
    qtbot.mouseMove(vp, here)
    # Out, a notch at a time, until the map draws a coarser level: no step paints a tile.
    for _ in range(30):
        wheel(view, here, -1)
        grab(tab)
        if view.units.level != level:
            break
    assert view.units.level > level and view.units.deferring
    assert view.units.painted == painted
    qtbot.waitUntil(lambda: not view.units.settling)
    assert view.units.painted > painted
    settled = grab(tab)
    colour = blend(QColor("#0072B2")).name()
    painted_as(tab, settled, {(1, 1), (2, 1)}, colour)
    view.units.update()   # the same pixels as the view painted afresh at the new level
    assert grab(tab) == settled


def test_a_big_layer_jumps_to_a_view_without_painting_it_all_in_one_frame(tab, qtbot, grid_cat, monkeypatch):
    import ui.map.detail as detail
    import ui.map.view as view_module

    # The grid taken for a big layer (more units than BACKGROUND_UNITS).
    monkeypatch.setattr(view_module, "BACKGROUND_UNITS", 0)
    monkeypatch.setattr(detail, "BACKGROUND_UNITS", 0)
    monkeypatch.setattr(detail, "SHARPEN_MS", 0.0)
    t = tab.layer.table
    units = frozenset(int(t.ids[t.codes.index(grid_code(c, r))]) for c, r in ((0, 0), (3, 2)))
    tab.document.edit("Add", lambda: grid_cat.areas.add(Area("Seen", colour="#0072B2", unit_ids=units,
                                                            layer_id=tab.layer.id)))
    tab.area_list.select_area(next(a for a in tab.areas if a.name == "Seen").id)
    view = tab.view
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    qtbot.waitUntil(lambda: not view.units.settling)
    grab(tab)
    painted = view.units.painted
    # Home: the frame at once shows the last picture moved and scaled, painting no tile...
    qtbot.keyClick(view, Qt.Key.Key_Home)
    grab(tab)
    assert view.units.painted == painted and view.units.settling
    # ... and the tiles come sharp over the next turns: the same picture as painted afresh.
    qtbot.waitUntil(lambda: not view.units.settling)
    settled = grab(tab)
    assert view.units.painted > painted
    colour = blend(QColor("#0072B2")).name()
    painted_as(tab, settled, {(0, 0), (3, 2)}, colour)
    view.units.update()
    assert grab(tab) == settled
