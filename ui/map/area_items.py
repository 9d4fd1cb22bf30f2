"""The areas shown on the map, each as ONE path item over the wards.

    shapes = AreaShapes(view, layer)
    shapes.show(areas, shown_ids, selected_id)   # after a reload or a change of choice
    shapes.rescale()                             # after a zoom: outlines at the new level
    shapes.geometry(area_id)                     # the dissolved outline drawn (model metres)

All shown areas are painted by one item (cached as a device pixmap, so the
repaints of a brush stroke beneath them do not draw them again). An area is
drawn as its dissolved outline (the coverage union of its wards at
the level of detail the map draws, united with its drawn polygon) in its
colour, with a translucent fill, so that two areas over the same ward both
read; the selected one is hatched instead. One path per area, not one per ward
per area: 17 areas over 657 wards are 17 paths. Unions are cached per area and
level, for each of an area's last few sets of wards (moving the year slider back
and forth finds a derived area's outlines again), and made from its whole boroughs'
outlines where it has some.

Larger areas are drawn first and outlined wider, so an area whose edge runs
along a bigger one's (a borough partnership at the edge of London) shows both
colours side by side rather than one hiding the other.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

from models.catalogue.records import Area
from ui.map.area_clip import clipped, exposed_paths
from ui.map.layer import BACKGROUND_UNITS, MapLayer
from ui.map.paths import geometry_path
from ui.map.style import AREA_OUTLINE_PX, tint

Z_AREAS = 2.5            # over the borough outlines (2), under the selected outline (3) and labels (4)
WIDER_PER_AREA_ABOVE = 1.5
MOST_WIDER = 3           # at most this many steps wider: 6.5 px
OUTLINES_PER_AREA = 8    # outlines kept per area and level, one per set of its wards
DIMMED_ALPHA = 0.45      # the outline of an area outside the window's selection


class AreasItem(QGraphicsItem):
    """Every shown area, bottom first, each ONE path (its outline) with its pen and brush.

    One item cached as a device pixmap, like the overview: a brush step repaints a
    few wards beneath it, and the areas over them are then copied from the cache,
    not filled and stroked again (20 areas over London cost ~170 ms a step when each
    was an item of its own, redrawn under every step's repaint).

    Within that pixmap each area is itself an image kept from the last paint, by what
    it looks like (its outline, pen, brush and the scale and sub-pixel offset it is
    drawn at): stroking wide antialiased outlines is the dearest part of a frame
    (~1.5 ms an area at country scale), and a move of the year slider changes only a
    few areas. Composing the images in the same order gives the same picture as
    painting the paths, since painting over is associative. While `draft` is set (a
    slider moving) the areas not already in images are painted without antialiasing
    and with bevel joins (~4x cheaper); the tab sets it back and repaints when the
    moves stop.

    An area too big on screen to keep as an image is painted, clipped first to what the
    paint exposes (ui/map/area_clip.py): a pan repaints a strip of the pixmap each frame,
    and stroking the whole outline for it cost ~5 ms an area whatever the clip.
    """

    # An area bigger than this on screen (zoomed in on it) is painted, not kept as an image,
    # and so are those beyond the images' total, 4 bytes a pixel: all 500 areas of the
    # benchmark shown over England and Wales take 29 million (their boxes overlap).
    MOST_PIXELS = 1_000_000
    TOTAL_PIXELS = 32_000_000

    def __init__(self):
        super().__init__()
        self.entries: list[tuple[object, QPainterPath, QPen, QBrush]] = []
        # Each entry's outline as geometry (model metres), by key, and its boundary lines (made
        # when first needed): an area too big to keep as an image is painted clipped to what
        # the repaint exposes (ui/map/area_clip.py). An entry without one is painted whole.
        self.geoms: dict[object, shapely.Geometry] = {}
        self._boundaries: dict[object, shapely.Geometry] = {}
        self.clipped = 0        # big areas painted clipped by the last paint (the tests read it)
        self.exposed = QRectF()  # what that paint clipped them to (scene), before the pen's margin
        self._placed = None     # (entries, scale, offset, draft, images placed) of the last paint
        self._window = None     # (minx, miny, maxx, maxy, {key: clipped parts}): see _window_parts
        self.rect = QRectF()
        self.draft = False
        self.images: dict[tuple, tuple[int, int, QImage]] = {}
        self.painted = 0        # images made by the last paint (the tests read it)
        self._room = self.TOTAL_PIXELS
        self.setZValue(Z_AREAS)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_entries(self, entries, rect: QRectF, geoms: dict | None = None) -> None:
        """entries: (key, path, pen, brush) bottom first; key names the outline (area, wards, level).
        geoms: the outline of each key as geometry (model metres), if known."""
        self.prepareGeometryChange()
        self.entries, self.rect = entries, rect
        if geoms is not None:
            self.geoms = geoms
            self._boundaries = {k: v for k, v in self._boundaries.items() if k in geoms}
            self._window = None
        self.update()

    def set_draft(self, on: bool) -> None:
        if on != self.draft:
            self.draft = on
            if not on:
                self.update()   # the areas drawn as drafts again, in full

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter, option, widget=None) -> None:
        self.painted = 0
        t = painter.worldTransform()
        if self.cacheMode() == QGraphicsItem.CacheMode.NoCache or t.isRotating():
            # An export (the cache is off): the vector paths themselves, at full quality.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for _, path, pen, brush in self.entries:
                painter.setPen(pen)
                painter.setBrush(brush)
                painter.drawPath(path)
            return
        # Images are in device pixels (a high-density screen's pixmap has 2 or more to a
        # logical pixel), keyed by scale and sub-pixel offset, and placed from the whole
        # pixels of the offset: the item's pixmap moves its origin when its bounds change
        # (an area grew), and a pan by whole pixels reuses them.
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        d = t * QTransform.fromScale(dpr, dpr)
        scale = (round(d.m11(), 9), round(d.m22(), 9))
        frac = (round(d.dx() % 1.0, 3), round(d.dy() % 1.0, 3))
        ox, oy = math.floor(d.dx()), math.floor(d.dy())
        # A pan repaints a strip each frame with nothing else changed: the same images then.
        same = (self.entries, scale, frac, self.draft)
        if self._placed is not None and self._placed[0] is same[0] and self._placed[1:4] == same[1:]:
            placed = self._placed[4]
        else:
            placed = self._place(d, dpr, scale, frac)
            self._placed = same + (placed,)
        clipped = self._exposed([e for e, got in zip(self.entries, placed) if got is None], painter, option)
        self.clipped = len(clipped)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for (key, path, pen, brush), got in zip(self.entries, placed):
            if got is None and key in clipped:
                # Too big to keep, and only part of it exposed: that part's fill, then its outline
                # (one drawPath fills, then strokes: the same order).
                fill, line = clipped[key]
                painter.setWorldTransform(t)
                if brush.style() != Qt.BrushStyle.NoBrush and not fill.isEmpty():
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(brush)
                    painter.drawPath(fill)
                if pen.style() != Qt.PenStyle.NoPen and not line.isEmpty():
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawPath(line)
            elif got is None:   # too big to keep: painted straight into the item's pixmap
                painter.setWorldTransform(t)
                painter.setPen(pen)
                painter.setBrush(brush)
                painter.drawPath(path)
            else:
                painter.setWorldTransform(QTransform())
                painter.drawImage(QPointF((ox + got[0]) / dpr, (oy + got[1]) / dpr), got[2])
        painter.setWorldTransform(t)

    def _place(self, d: QTransform, dpr: float, scale, frac) -> list:
        """Each entry's image (made if not kept), None for one painted instead; keeps those used."""
        kept: dict[tuple, tuple[int, int, QImage]] = {}
        placed = []
        self._room = self.TOTAL_PIXELS
        for key, path, pen, brush in self.entries:
            look = (key, pen.widthF(), pen.color().rgba(), brush.style(), brush.color().rgba(), scale, frac)
            got = self.images.get(look + (False,)) or kept.get(look + (False,))
            if got is not None:
                kept[look + (False,)] = got
            else:
                full = look + (self.draft,)
                got = self.images.get(full) or kept.get(full)
                if got is None:
                    got = self._image(path, pen, brush, d, dpr, self.draft)
                kept[full] = got
            if got is not None:
                self._room -= got[2].width() * got[2].height()
            placed.append(got)
        self.images = kept
        return placed

    def _exposed(self, big: list, painter: QPainter, option) -> dict:
        """The fill and outline paths of these big entries (those with geometry) clipped to what
        this paint exposes, grown by more than the widest pen and the antialiasing reach so the
        cuts are out of sight; {} when nothing needs clipping."""
        big = [e for e in big if e[0] in self.geoms]
        if not big:
            return {}
        t = painter.worldTransform()
        scale = min(abs(t.m11()), abs(t.m22()))
        if scale <= 0:
            return {}
        # What is exposed, in item (scene) coordinates: the option's rect (the whole item when
        # Qt leaves it empty), within the painter's device and its clip.
        rect = option.exposedRect if option is not None and not option.exposedRect.isEmpty() else self.rect
        device = painter.device()
        if device is not None:
            inverse, ok = t.inverted()
            if ok:
                rect = rect.intersected(inverse.mapRect(QRectF(0, 0, device.width(), device.height())))
        if painter.hasClipping():
            rect = rect.intersected(painter.clipBoundingRect())
        self.exposed = rect
        if rect.isEmpty():
            return {key: (QPainterPath(), QPainterPath()) for key, *_ in big}
        widest = max((pen.widthF() or 1.0) / scale if pen.isCosmetic() else pen.widthF() for _, _, pen, _ in big)
        margin = widest + 3 / scale   # a miter or square cap reaches a pen width out; antialiasing 1 px
        box = (rect.left() - margin, -rect.bottom() - margin, rect.right() + margin, -rect.top() + margin)
        try:
            parts = self._window_parts(big, box)
        except shapely.errors.GEOSException:   # an outline GEOS cannot clip: painted whole
            return {}
        out = {}
        meeting, geoms, lines = [], [], []
        for key, *_ in big:
            fill, line, (x0, y0, x1, y1) = parts[key]
            if not x0 <= box[2] or not x1 >= box[0] or not y0 <= box[3] or not y1 >= box[1]:
                out[key] = (QPainterPath(), QPainterPath())   # nothing of it exposed (NaN: none in the window)
            else:
                meeting.append(key)
                geoms.append(fill)
                lines.append(line)
        if not meeting:
            return out
        try:
            fills, outlines = exposed_paths(geoms, lines, box)
        except shapely.errors.GEOSException:   # an outline GEOS cannot clip: painted whole
            return {}
        out.update(zip(meeting, zip(fills, outlines)))
        return out

    def _window_parts(self, big: list, box: tuple) -> dict:
        """Each big entry's polygon and boundary lines clipped to a window round the view (half a
        view beyond it each side) and their bounds, made again when an exposed box leaves it: a
        strip is then clipped from the window's few vertices, not from a whole area that reaches
        far beyond the view (one over half of England)."""
        win = self._window
        if win is None or not (win[0] <= box[0] and win[1] <= box[1] and box[2] <= win[2] and box[3] <= win[3]):
            seen = QRectF()
            scene = self.scene()
            for view in scene.views() if scene is not None else ():
                seen |= view.mapToScene(view.viewport().rect()).boundingRect()
            x0, y0, x1, y1 = box
            if not seen.isEmpty():
                x0, x1 = min(x0, seen.left()), max(x1, seen.right())
                y0, y1 = min(y0, -seen.bottom()), max(y1, -seen.top())
            w, h = (x1 - x0) / 2, (y1 - y0) / 2
            self._window = win = (x0 - w, y0 - h, x1 + w, y1 + h, {})
        parts = win[4]
        new = [key for key, *_ in big if key not in parts]
        if new:
            geoms = [self.geoms[key] for key in new]
            fills, lines = clipped(geoms, [self._boundary(key) for key in new], win[:4])
            for key, fill, line in zip(new, fills, lines):
                parts[key] = (fill, line, tuple(shapely.bounds(fill)))
        return parts

    def _boundary(self, key):
        line = self._boundaries.get(key)
        if line is None:
            line = self._boundaries[key] = shapely.boundary(self.geoms[key])
        return line

    def _image(self, path: QPainterPath, pen: QPen, brush: QBrush, d: QTransform, dpr: float, draft: bool):
        """The area painted alone on a transparent image (d: model to device pixels), and
        where the image goes: device pixels from the whole pixels of d's offset."""
        margin = (pen.widthF() / 2 + 2) * dpr
        box = d.mapRect(path.controlPointRect()).adjusted(-margin, -margin, margin, margin)
        x, y = math.floor(box.left()), math.floor(box.top())
        w, h = math.ceil(box.right()) - x, math.ceil(box.bottom()) - y
        if w <= 0 or h <= 0 or w * h > min(self.MOST_PIXELS, self._room):
            return None
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, not draft)
        p.setWorldTransform(d * QTransform.fromTranslate(-x, -y))
        if draft:
            pen = QPen(pen)
            pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        p.setPen(pen)
        p.setBrush(brush)
        p.drawPath(path)
        p.end()
        image.setDevicePixelRatio(dpr)
        self.painted += 1
        return x - math.floor(d.dx()), y - math.floor(d.dy()), image


def _key(area: Area):
    """What an area's outline depends on: its units and its drawn polygon."""
    return area.unit_ids, (shapely.to_wkb(area.drawn) if area.drawn is not None else None)


class AreaShapes:
    def __init__(self, view, layer: MapLayer):
        self.view = view
        self.layer = layer
        self.group: AreasItem | None = None
        self.items: dict[int, int] = {}   # area id -> its place in the drawing order (0: bottom)
        self.coverage = False            # the coverage layer shades the wards: outlines only
        self.visible = True
        # Per area and level, its outline for each of its last few sets of wards (and drawing).
        self._cache: dict[tuple[int, float], dict[object, tuple[shapely.Geometry | None, QPainterPath]]] = {}
        self._parent_of: np.ndarray | None = None   # each unit's borough (-1: none)
        self._parent_size = np.zeros(0, dtype=np.int64)
        self._geometry_of = None         # the LayerGeometry the cache was made from
        self._areas: list[Area] = []
        self._shown: set[int] = set()
        self._selected: int | None = None
        # The areas of the window's selection (ui/selection.py), drawn as usual over the others,
        # which are only outlined faintly; None: no selection, every area drawn as usual.
        self.emphasis: set[int] | None = None
        self.dimmed: set[int] = set()    # the areas drawn faintly by the last redraw
        self._drawn_geoms: dict[int, shapely.Geometry] = {}
        self._level = 0.0
        self._bounds = None

    # -- what is drawn ---------------------------------------------------
    def level(self) -> float:
        """The level of detail the map draws at its scale (what is ready, for big layers)."""
        lod = self.layer.geometry
        want = lod.level_for(self.view.metres_per_pixel())
        return lod.best_available(want) if len(self.layer) > BACKGROUND_UNITS else want

    @property
    def drawn_level(self) -> float:
        """The level of detail the outlines are drawn at now."""
        return self._level

    def geometry(self, area_id: int) -> shapely.Geometry | None:
        """The outline drawn for a shown area (None if it is not drawn)."""
        if area_id not in self.items:
            return None
        return self._drawn_geoms.get(area_id)

    def drawn_ids(self) -> list[int]:
        """The areas drawn, bottom first."""
        return sorted(self.items, key=lambda k: self.items[k])

    def _outline(self, area: Area, level: float):
        key = _key(area)
        kept = self._cache.setdefault((area.id, level), {})
        got = kept.get(key)
        if got is not None:
            return got
        rows = self.layer.rows(area.unit_ids)
        geom = self._union(rows, level) if rows else None
        if area.drawn is not None:
            geom = area.drawn if geom is None or geom.is_empty else shapely.union(geom, area.drawn)
        if geom is None or geom.is_empty:
            geom, path = None, QPainterPath()
        else:
            path = geometry_path(geom)
        # A few outlines per area: moving the year slider back and forth finds them again.
        if len(kept) >= OUTLINES_PER_AREA:
            del kept[next(iter(kept))]
        kept[key] = (geom, path)
        return geom, path

    def _union(self, rows: list[int], level: float) -> shapely.Geometry:
        """The coverage union of these units at this level. Whole boroughs in them are taken
        as their outlines, already united at the level (when ready): an area that follows its
        members is whole boroughs, and uniting 5 outlines costs ~20x less than 150 wards."""
        geoms = self.layer.geometry.level(level)[rows]
        parents = self.layer.geometry.parents_if_ready(level)
        if parents is None or self._parent_of is None or len(rows) < 2:
            return shapely.coverage_union_all(geoms)
        rows = np.asarray(rows, dtype=np.int64)
        of = self._parent_of[rows]
        inside = np.bincount(of[of >= 0], minlength=len(self._parent_size))
        whole = np.flatnonzero((inside == self._parent_size) & (inside > 0))
        if not len(whole):
            return shapely.coverage_union_all(geoms)
        rest = geoms[~np.isin(of, whole)]
        return shapely.coverage_union_all(np.concatenate([parents[whole], rest]))

    def _ensure_group(self) -> None:
        scene = self.view.scene()
        # The view clears its scene when another layer is shown: our items go with it.
        if self.group is None or not shiboken6.isValid(self.group) or self.group.scene() is not scene:
            self.group = AreasItem()
            scene.addItem(self.group)
        if self.layer.geometry is not self._geometry_of:
            self._geometry_of = lod = self.layer.geometry
            self._cache.clear()
            # Each unit's borough, by its place in the sorted codes LayerGeometry.parents uses.
            codes = sorted({c for c in lod.parent_codes if c})
            index = {c: k for k, c in enumerate(codes)}
            self._parent_of = np.array([index.get(c, -1) if c else -1 for c in lod.parent_codes], dtype=np.int64)
            self._parent_size = np.bincount(self._parent_of[self._parent_of >= 0], minlength=len(codes))

    # -- updating --------------------------------------------------------
    def show(self, areas: list[Area], shown: set[int], selected: int | None) -> None:
        self._areas, self._shown, self._selected = areas, set(shown), selected
        self._redraw()

    def rescale(self) -> None:
        """After a zoom: redraw if the level of detail changed."""
        if self.layer.loaded and self.level() != self._level:
            self._redraw()
        elif self.group is not None and shiboken6.isValid(self.group):
            rect = self._rect()
            if not self.group.rect.contains(rect):   # zoomed out: the outlines need more room
                self.group.set_entries(self.group.entries, rect)

    def set_coverage(self, on: bool) -> None:
        self.coverage = on
        self._redraw()

    def set_draft(self, on: bool) -> None:
        """Draw the areas not drawn before cheaply (while a slider moves), or all in full again."""
        self._ensure_group()
        self.group.set_draft(on)

    def set_visible(self, on: bool) -> None:
        self.visible = on
        if self.group is not None and shiboken6.isValid(self.group):
            self.group.setVisible(on)

    def _redraw(self) -> None:
        self._ensure_group()
        self.group.setVisible(self.visible)
        if not self.layer.loaded:
            self.items, self._drawn_geoms, self.dimmed = {}, {}, set()
            self.group.set_entries([], QRectF())
            return
        self._level = level = self.level()
        drawn: list[tuple[Area, shapely.Geometry, QPainterPath]] = []
        for a in self._areas:
            if a.id in self._shown and self.layer.holds(a):
                geom, path = self._outline(a, level)
                if geom is not None:
                    drawn.append((a, geom, path))
        # Bottom first: the dimmed ones, then the biggest, so smaller areas on top stay visible;
        # the selected last.
        dim = self.emphasis

        def dimmed(a: Area) -> bool:
            return dim is not None and a.id not in dim and a.id != self._selected
        drawn.sort(key=lambda d: (not dimmed(d[0]), d[0].id == self._selected, -d[1].area, d[0].name.lower(), d[0].id))
        boxes = [g.bounds for _, g, _ in drawn]
        entries, geoms = [], {}
        for z, (a, geom, path) in enumerate(drawn):
            # Wider for each overlapping area drawn above it (up to MOST_WIDER), so edges
            # shared with those show this colour beside theirs.
            x0, y0, x1, y1 = boxes[z]
            above = sum(1 for (a0, b0, a1, b1) in boxes[z + 1:] if a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1)
            colour = QColor(a.colour)
            pen = QPen(colour, AREA_OUTLINE_PX + WIDER_PER_AREA_ABOVE * min(above, MOST_WIDER))
            pen.setCosmetic(True)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            if dimmed(a):
                # Still there, to keep one's bearings, but behind the selection.
                colour.setAlphaF(DIMMED_ALPHA)
                pen = QPen(colour, AREA_OUTLINE_PX * 0.75)
                pen.setCosmetic(True)
                brush = QBrush(Qt.BrushStyle.NoBrush)
            elif self.coverage:
                brush = QBrush(Qt.BrushStyle.NoBrush)
            elif a.id == self._selected:
                # Hatching lets the tints of the areas beneath it show between its lines.
                brush = QBrush(colour.darker(135), Qt.BrushStyle.BDiagPattern)
            else:
                brush = QBrush(tint(colour))
            entries.append(((a.id, _key(a), level), path, pen, brush))
            geoms[entries[-1][0]] = geom
        self.items = {a.id: z for z, (a, _, _) in enumerate(drawn)}
        self.dimmed = {a.id for a, _, _ in drawn if dimmed(a)}
        self._drawn_geoms = {a.id: g for a, g, _ in drawn}
        self._bounds = tuple(shapely.total_bounds([g for _, g, _ in drawn])) if drawn else None
        self.group.set_entries(entries, self._rect(), geoms)

    def _rect(self) -> QRectF:
        """The shapes' bounds with room for their outlines, which are drawn in pixels."""
        if self._bounds is None:
            return QRectF()
        minx, miny, maxx, maxy = self._bounds
        margin = max(0.02 * max(maxx - minx, maxy - miny), 12 * self.view.metres_per_pixel())
        return QRectF(minx - margin, -maxy - margin, maxx - minx + 2 * margin, maxy - miny + 2 * margin)
