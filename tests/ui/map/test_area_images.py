"""Moving the year slider redraws only what it changed, and the map still shows what it would
painted from scratch: each shown area is kept as an image by what it looks like (its wards,
colour, pen and the zoom), the area list keeps its rows, the wards are not recoloured when
their fills did not change, and areas changed by a move are drafts until the slider rests."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QTransform, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsItem, QStyleOptionGraphicsItem

from models.catalogue import Catalogue
from models.catalogue.records import Area, Membership, Organisation, Partnership
from tests.helpers.grid import CELL, GRID_ORIGIN, grid_code
from tests.helpers.gui import make_window
from ui.map import detail as map_detail
from ui.map.area_items import AreasItem

# Pixels allowed to differ from the frame painted from scratch: an antialiased join at a
# corner rounds a shade differently when painted at another offset (an outline left stale
# after a change differs by hundreds).
SAME = 10


@pytest.fixture
def year_window(grid_cat, qtbot, tmp_path):
    """A derived area (B1 and B2; B2 leaves in 2014) and a drawn one of two wards of B1."""
    cat = grid_cat
    layer = cat.layers.all()[0]
    t = cat.layers.table(layer.id)
    ids = dict(zip(t.codes, (int(i) for i in t.ids)))
    b1 = cat.organisations.add(Organisation("Borough One", kind="local authority", gss_code="B1")).id
    b2 = cat.organisations.add(Organisation("Borough Two", kind="local authority", gss_code="B2")).id
    pid = cat.partnerships.add(Partnership("Shared services", start="2005"),
                               [Membership(0, b1, joined="2005"),
                                Membership(0, b2, joined="2005", left="2014")]).id
    derived = cat.areas.from_partnership(pid, layer.id, name="Shared area", colour="#0072B2", kind="derived").id
    drawn = cat.areas.add(Area("Corner", colour="#D55E00", layer_id=layer.id,
                               unit_ids=frozenset({ids[grid_code(0, 0)], ids[grid_code(1, 0)]}))).id
    path = cat.store.path
    cat.close()
    w = make_window(qtbot, Catalogue.open(path), tmp_path / "settings.ini", tmp_path / "data")
    w.tabs.setCurrentWidget(w._map_slot)
    qtbot.waitUntil(lambda: w.map_tab.layer.loaded)
    w.map_tab.area_list.show_all()
    yield w, derived, drawn
    if w.document is not None:
        w.close()


def _frame(view) -> QImage:
    QApplication.processEvents()
    return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _from_scratch(view, group) -> QImage:
    """The same view with the areas painted as paths (no images kept), as an export does."""
    group.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        return _frame(view)
    finally:
        group.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _differing(a: QImage, b: QImage, block: int = 1) -> int:
    """How many pixels (or block x block squares, by their mean) differ by more than rounding
    (compositing and painting in place round a translucent tint differently by a unit or two)."""
    def pixels(img):
        px = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())[
            :, :img.width() * 4].reshape(img.height(), img.width(), 4)[:, :, :3].astype(float)
        h, w = img.height() // block * block, img.width() // block * block
        return px[:h, :w].reshape(h // block, block, w // block, block, 3).mean(axis=(1, 3))
    assert a.size() == b.size()
    return int((np.abs(pixels(a) - pixels(b)).max(axis=2) > 3).sum())


def _move_year(window, qtbot, key, times=1) -> None:
    """The Overlaps tab's year slider, by keyboard, as a person moves it; back to the map."""
    overlaps = window.overlaps_tab
    window.tabs.setCurrentWidget(window._overlaps_slot)
    if not overlaps.as_of.isChecked():
        qtbot.mouseClick(overlaps.as_of, Qt.MouseButton.LeftButton,
                         pos=overlaps.as_of.rect().topLeft() + overlaps.as_of.rect().center() / 4)
    overlaps.year.setFocus()
    for _ in range(times):
        qtbot.keyClick(overlaps.year, key)
    window.tabs.setCurrentWidget(window._map_slot)


def _rested(window, qtbot) -> None:
    group = window.map_tab.shapes.group
    qtbot.waitUntil(lambda: not group.draft, timeout=3000)
    QApplication.processEvents()


def test_area_images_are_made_again_when_wards_colour_or_zoom_change(year_window, qtbot):
    window, derived, drawn = year_window
    mp = window.map_tab
    view, group = mp.view, mp.shapes.group
    assert set(mp.shapes.items) == {derived, drawn}
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME
    # Nothing changed: a repaint copies the kept images, paints no area again.
    group.update()
    _frame(view)
    assert group.painted == 0

    # Wards: the year slider to 2015, Borough Two has left the derived area.
    _move_year(window, qtbot, Qt.Key.Key_Home)
    _move_year(window, qtbot, Qt.Key.Key_Right, 10)
    assert mp.year == 2015
    _rested(window, qtbot)
    assert round(mp.shapes.geometry(derived).area / 1e6, 3) == 6.0
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME

    # Colour: the drawn area recoloured (one undo step), its kept image must not be reused.
    mp.area_list.select_area(drawn)
    mp.area_list.recolour_area("#009E73")
    mp.area_list.select_area(None)
    QApplication.processEvents()
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME

    # The selected area is hatched (8 px hatching, which may start a few pixels off where
    # painted in place: compared in 8 px squares).
    mp.area_list.select_area(derived)
    QApplication.processEvents()
    assert _differing(_frame(view), _from_scratch(view, group), block=8) <= SAME
    mp.area_list.select_area(None)

    # Zoom: a wheel turn over the map; the outlines are drawn at the new scale.
    vp = view.viewport()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    wheel = QWheelEvent(centre, QPointF(vp.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    scale = view.transform().m11()
    QApplication.sendEvent(vp, wheel)
    assert view.transform().m11() > scale
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME


def test_a_move_of_the_year_draws_changed_areas_as_drafts_then_in_full(year_window, qtbot):
    window, derived, drawn = year_window
    mp = window.map_tab
    view, group = mp.view, mp.shapes.group
    _move_year(window, qtbot, Qt.Key.Key_Home)
    _rested(window, qtbot)
    _move_year(window, qtbot, Qt.Key.Key_Right, 10)     # 2015: the derived area shrinks
    assert group.draft
    draft = _frame(view)
    assert group.painted == 1                           # only the derived area is painted again
    assert _differing(draft, _from_scratch(view, group)) > SAME   # a draft: no antialiasing
    _rested(window, qtbot)
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME


def test_a_move_of_the_year_keeps_the_area_list_rows_and_the_ward_fills(year_window, qtbot, monkeypatch):
    window, derived, drawn = year_window
    mp = window.map_tab
    _move_year(window, qtbot, Qt.Key.Key_Home)
    items = mp.area_list.list
    rows = {items.item(k).data(Qt.ItemDataRole.UserRole): items.item(k) for k in range(items.count())}
    assert "12 wards" in rows[derived].text()
    recoloured = []
    real = map_detail.UnitTiles.set_fill

    def counting(self, fill, palette):
        changed = real(self, fill, palette)
        recoloured.append(len(changed))
        return changed

    monkeypatch.setattr(map_detail.UnitTiles, "set_fill", counting)
    _move_year(window, qtbot, Qt.Key.Key_Right, 10)
    after = {items.item(k).data(Qt.ItemDataRole.UserRole): items.item(k) for k in range(items.count())}
    assert all(after[k] is rows[k] for k in rows)       # the same rows, not a refilled list
    assert "6 wards" in after[derived].text()           # with the derived area's count updated
    assert after[derived].checkState() == Qt.CheckState.Checked
    assert recoloured and max(recoloured) == 0          # no area selected: no ward's fill changed
    # Selecting the derived area fills its wards (in a colour new to the palette): recoloured.
    mp.area_list.select_area(derived)
    assert recoloured[-1] > 0


def test_an_outline_of_whole_boroughs_and_a_ward_is_the_union_of_its_wards(year_window, qtbot):
    window, derived, drawn = year_window
    mp = window.map_tab
    layer = mp.layer
    t = layer.table
    b1 = [int(i) for i, p in zip(t.ids, t.parent_codes) if p == "B1"]
    extra = int(t.ids[list(t.codes).index(grid_code(2, 1))])
    # The click tool: Alt+click adds the whole of Borough One, a click adds one ward of Two.
    mp.area_list.select_area(drawn)
    mp.set_tool("click")

    def at(col, row):
        x, y = GRID_ORIGIN[0] + (col + 0.5) * CELL, GRID_ORIGIN[1] + (row + 0.5) * CELL
        return mp.view.mapFromScene(QPointF(x, -y))

    qtbot.mouseClick(mp.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, at(0, 2))
    qtbot.mouseClick(mp.view.viewport(), Qt.MouseButton.LeftButton, pos=at(2, 1))
    assert mp.cat.areas.get(drawn).unit_ids == frozenset(b1) | {extra}
    QApplication.processEvents()
    geom = mp.shapes.geometry(drawn)
    want = shapely.coverage_union_all(layer.geometry.level(mp.shapes.drawn_level)[layer.rows(set(b1) | {extra})])
    assert abs(geom.area - want.area) < 1e-6 and shapely.equals(geom, want)


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_an_area_image_on_a_high_density_pixmap_is_as_sharp_as_painting_it(qtbot, ratio):
    """The item's pixmap on a 2x screen has two device pixels to a logical one: images are
    made in device pixels (one made in logical pixels and scaled up differs on every edge)."""
    path = QPainterPath()
    path.addEllipse(QRectF(10.3, 10.7, 80, 50))
    pen = QPen(QColor("#0072B2"), 3.5)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    item = AreasItem()
    item.set_entries([(("area",), path, pen, QBrush(QColor(0, 114, 178, 56)))], QRectF(0, 0, 100, 100))

    def render(mode):
        item.setCacheMode(mode)
        image = QImage(240, 180, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setWorldTransform(QTransform.fromScale(1.7, 1.7) * QTransform.fromTranslate(3.25, 2.5))
        item.paint(painter, QStyleOptionGraphicsItem())
        painter.end()
        return image

    kept = render(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    assert item.painted == 1
    assert _differing(kept, render(QGraphicsItem.CacheMode.NoCache)) == 0
