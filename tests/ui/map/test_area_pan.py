"""Panning with big areas shown: an area too big on screen to keep as an image is painted
clipped to what each repaint exposes (ui/map/area_clip.py), and the map still shows what
painting the whole outlines gives; the cuts of the clip are never stroked."""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QApplication, QGraphicsItem, QStyleOptionGraphicsItem

from models.catalogue.records import Area
from models.formats.boundary_import import import_boundaries
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS
from tests.helpers.map_gui import open_map_tab
from tests.ui.map.test_area_images import SAME, _differing, _frame, _from_scratch
from ui.map.area_clip import exposed_paths
from ui.map.area_items import AreasItem
from ui.map.paths import geometry_path

LEFT = Qt.MouseButton.LeftButton
# Boroughs by their codes: an area of three in the middle of London, one of two overlapping it.
WEST = ("E09000033", "E09000007", "E09000020")   # Westminster, Camden, Kensington and Chelsea
NORTH = ("E09000007", "E09000019")               # Camden, Islington


def _path_lines(path) -> list[shapely.LineString]:
    """A path's subpaths as lines (model metres: scene y is minus northing)."""
    lines, run = [], []
    for k in range(path.elementCount()):
        e = path.elementAt(k)
        if e.isMoveTo() and run:
            lines.append(run)
            run = []
        run.append((e.x, -e.y))
    if run:
        lines.append(run)
    return [shapely.LineString(r) for r in lines]


def test_a_pan_over_big_areas_paints_what_a_fresh_paint_does(cat, qtbot):
    import_boundaries(cat, LONDON_WARDS, population=LONDON_POPULATION)
    layer = cat.layers.all()[0]
    t = cat.layers.table(layer.id)
    units = {c: frozenset(int(i) for i, p in zip(t.ids, t.parent_codes) if p in c) for c in (WEST, NORTH)}
    west = cat.areas.add(Area("West", colour="#0072B2", layer_id=layer.id, unit_ids=units[WEST])).id
    north = cat.areas.add(Area("North", colour="#D55E00", layer_id=layer.id, unit_ids=units[NORTH])).id
    tab = open_map_tab(qtbot, cat)
    qtbot.waitUntil(lambda: tab.layer.loaded)
    tab.area_list.set_shown([west, north])
    view, vp = tab.view, tab.view.viewport()
    # Zoomed in on where they meet: each spans thousands of pixels, too big to keep as an image.
    where = shapely.intersection(tab.shapes.geometry(west), tab.shapes.geometry(north)).centroid
    view.zoom_to_bounds(where.x - 1500, where.y - 1000, where.x + 1500, where.y + 1000, margin=0.0)
    QApplication.processEvents()
    group = tab.shapes.group
    _frame(view)
    assert group.clipped == 2

    # A drag as a hand makes it, 12 px a step right then down; each step's frame repaints
    # only the strip the pan exposed, the big areas clipped to it.
    start = QPoint(vp.width() // 2, vp.height() // 2)
    qtbot.mouseMove(vp, start)
    qtbot.mousePress(vp, LEFT, pos=start)
    pos = start
    for step in [QPoint(12, 0)] * 6 + [QPoint(0, 12)] * 6:
        pos = pos + step
        qtbot.mouseMove(vp, pos)
        _frame(view)
        assert group.clipped == 2
        strip = view.transform().mapRect(group.exposed)
        assert min(strip.width(), strip.height()) < 40, strip   # a strip, not the whole view
    qtbot.mouseRelease(vp, LEFT, pos=pos)
    assert view.mapFromScene(QPointF(where.x, -where.y)) != start   # the map moved

    # What the pans left in the cache is what painting the whole outlines gives.
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME

    # Further than the window the areas were clipped to (half a view beyond it): a new window.
    window = group._window
    qtbot.mousePress(vp, LEFT, pos=start)
    for k in range(1, 9):
        qtbot.mouseMove(vp, start - QPoint(vp.width() * k // 8, 0))
        _frame(view)
    qtbot.mouseRelease(vp, LEFT, pos=start - QPoint(vp.width(), 0))
    assert group._window is not window and group.clipped == 2
    assert _differing(_frame(view), _from_scratch(view, group)) <= SAME


def test_the_cuts_of_a_clip_are_never_stroked():
    # A ring starting inside the rect: GEOS cuts its boundary there too; the pieces are joined.
    ring = [(0, 0), (100, 0), (100, 50), (60, 80), (100, 100), (0, 100), (0, 0)]
    hole = [(20, 20), (40, 20), (40, 40), (20, 40), (20, 20)]
    area = shapely.Polygon(ring, [hole])
    box = (-10, -10, 50, 70)
    [fill], [line] = exposed_paths([area], [shapely.boundary(area)], box)
    lines = _path_lines(line)
    outline = shapely.boundary(area)
    assert len(lines) == 2   # the outer ring's run through its first vertex is one, the hole another
    for piece in lines:
        assert shapely.hausdorff_distance(piece, shapely.intersection(piece, outline)) < 1e-9
        assert outline.buffer(1e-9).covers(piece)   # along the outline only: no cut is in it
    cut = shapely.LineString([(50, -10), (50, 70)])
    assert not any(shapely.intersection(p, cut).length > 0 for p in lines)
    # The fill is the polygon clipped to the rect, its hole kept: its shell, then the hole.
    shell, *holes = [list(piece.coords) for piece in _path_lines(fill)]
    filled = shapely.Polygon(shell, holes)
    assert len(holes) == 1 and filled.is_valid
    assert shapely.equals(filled, shapely.clip_by_rect(area, *box))
    assert abs(filled.area - (50 * 70 - 400)) < 1e-9
    # Nothing of it in a rect beyond it: empty paths.
    [fill], [line] = exposed_paths([area], [shapely.boundary(area)], (200, 200, 300, 300))
    assert fill.isEmpty() and line.isEmpty()


def test_a_strip_of_a_big_area_paints_as_the_whole_path_does(qtbot):
    """The item painted into a strip (as the cache is on a pan) matches the whole path painted,
    within the strip, for the area's pen, its tint and its hatching."""
    t = np.linspace(0, 2 * np.pi, 3000, endpoint=False)
    radius = 400 + 30 * np.sin(7 * t) + 10 * np.sin(53 * t)
    area = shapely.Polygon(np.c_[500 + radius * np.cos(t), -500 + radius * np.sin(t)])
    pen = QPen(QColor("#0072B2"), 6.5)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for brush in (QBrush(QColor(0, 114, 178, 56)), QBrush(QColor("#00547f"), Qt.BrushStyle.BDiagPattern)):
        item = AreasItem()
        item.set_entries([(("area",), geometry_path(area), pen, brush)], QRectF(0, 0, 1000, 1000),
                         {("area",): area})
        strip = QRectF(437, 0, 14, 1000)   # across the outline at both ends and the inside

        def render(mode):
            item.setCacheMode(mode)
            image = QImage(1000, 1000, QImage.Format.Format_RGB32)
            image.fill(QColor("white"))
            painter = QPainter(image)
            to_device = QTransform.fromScale(1.5, 1.5) * QTransform.fromTranslate(-100.25, -60.5)
            option = QStyleOptionGraphicsItem()
            if mode == QGraphicsItem.CacheMode.DeviceCoordinateCache:
                painter.setClipRect(strip)   # in device pixels, as Qt clips its cache to what it exposes
                option.exposedRect = to_device.inverted()[0].mapRect(strip)
            painter.setWorldTransform(to_device)
            item.paint(painter, option)
            painter.end()
            return image.copy(strip.toRect())

        part = render(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        assert item.clipped == 1 and item.painted == 0   # too big for an image: clipped
        assert _differing(part, render(QGraphicsItem.CacheMode.NoCache)) == 0
