"""Names on the map: boroughs (districts) from middle zoom, wards when zoomed in.

    labeller = Labeller(layer)        # the view's MapLayer
    labeller.paint(painter, size, viewport_transform, metres_per_pixel)

Labels never overlap: candidates are taken greedily by priority (boroughs before
wards, larger features first) and a label whose screen rectangle meets one
already placed is skipped. Only features whose anchor is on screen are
considered, text sizes are measured once per name, and the placed labels are
painted once into a pixmap that is reused while the view stays where it is (a
brush stroke repaints the map many times over an unchanged view).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPixmap, QTransform

BOROUGH_PIXELS = 40.0   # a typical borough at least this wide on screen: name the boroughs
WARD_PIXELS = 70.0      # a typical ward at least this wide on screen: name the wards too
STREET_PIXELS = 210.0   # ... and this wide: the view is inside a borough, whose name would
                        # only hide the name of the ward it is written in
OWN_PIXELS = 24.0       # ... but only a feature itself at least this wide (no names on specks)
GAP = 4.0               # pixels kept clear around a label
CELL = 64.0             # collision buckets, in pixels
STAMP_MARGIN = 2        # pixels round a name's image, room for its halo

BOROUGH_COLOUR = QColor("#1b1b1b")
WARD_COLOUR = QColor("#3a3a3a")
HALO = QColor(255, 255, 255, 230)
HALO_OFFSETS = ((-1, -1), (1, -1), (-1, 1), (1, 1), (0, -1.4), (0, 1.4), (-1.4, 0), (1.4, 0))


@dataclass
class Features:
    """Anchors (scene x, y), names and sizes (width of a square of equal area, metres) of one
    kind of feature, largest first."""
    x: np.ndarray
    y: np.ndarray
    names: list[str]
    size: np.ndarray
    typical: float


def _fonts() -> tuple[QFont, QFont]:
    borough = QFont()
    borough.setPointSizeF(borough.pointSizeF() * 1.1)
    borough.setBold(True)
    borough.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 104)
    ward = QFont()
    ward.setPointSizeF(ward.pointSizeF() * 0.9)
    return borough, ward


class Labeller:
    def __init__(self, layer):
        self.layer = layer
        self.borough_layer = None   # a borough-level UnitTable, named where wards have no parents
        self.fonts = _fonts()
        self._sizes: list[dict[str, tuple[float, float]]] = [{}, {}]   # per font: name -> (w, h)
        self._stamps: dict[tuple[int, str, float], QImage] = {}        # see _stamp_all
        self.reset()

    def set_borough_layer(self, table) -> None:
        """Boroughs to name when the units shown have no parent codes (a UnitTable or None)."""
        self.borough_layer = table
        self.reset()

    def reset(self) -> None:
        """Another layer is shown: forget its features and the placement."""
        self._areas: np.ndarray | None = None
        self._typical: tuple[float, float] | None = None
        self._wards: Features | None = None
        self._boroughs: Features | None = None
        self._key = None
        self._pixmap: QPixmap | None = None
        self.placed: list[tuple[int, str, QRectF]] = []   # (kind 0 borough / 1 ward, text, rect)

    # -- features, computed on first need ------------------------------------
    def prepare(self) -> None:
        """Make the features now: the map's worker calls this for big layers after the first
        frame, so the first frame showing names does not wait for them (~0.3-1 s at 160k
        units: sorting and grouping every unit's name and borough)."""
        table = self.layer.table
        if table is None or not self.layer.loaded:
            return
        self.wards()
        self.boroughs()
        if self.layer.table is not table:   # another layer came meanwhile: nothing of this one kept
            self.reset()

    def _unit_areas(self) -> np.ndarray:
        if self._areas is None:
            # Stored with the layer's levels of detail: the first frame decodes no geometry.
            self._areas = self.layer.geometry.unit_areas()
        return self._areas

    def typical_sizes(self) -> tuple[float, float]:
        """(typical borough width, typical ward width) in metres; 0 for no boroughs."""
        if self._typical is None:
            self._typical = self._typical_sizes()
        return self._typical

    def _typical_sizes(self) -> tuple[float, float]:
        areas = self._unit_areas()
        ward = float(np.sqrt(np.median(areas))) if len(areas) else 0.0
        parents = self.layer.table.parent_codes
        codes = [p for p in parents if p]
        if not codes:
            other = self.borough_layer
            if other is None or not len(other.ids):
                return 0.0, ward
            return float(np.sqrt(np.median(shapely.area(other.geometries)))), ward
        # Each parent numbered by a dict as met: np.unique sorting 161k strings was a tenth of
        # a second of the first frame.
        number: dict[str, int] = {}
        inverse = np.fromiter((number.setdefault(p or "", len(number)) for p in parents), dtype=np.int64,
                              count=len(parents))
        sums = np.bincount(inverse, weights=areas)
        named = [k for p, k in number.items() if p]
        return float(np.sqrt(np.median(sums[named]))), ward

    def wards(self) -> Features:
        if self._wards is None:
            t = self.layer.table
            areas = self._unit_areas()
            order = np.argsort(-areas, kind="stable")
            xy = self.layer.geometry.label_points()[order]   # stored with the levels of detail
            self._wards = Features(xy[:, 0], -xy[:, 1], [t.names[i] for i in order], np.sqrt(areas[order]),
                                   self.typical_sizes()[1])
        return self._wards

    def boroughs(self) -> Features:
        """Each borough named at the anchor of its member ward nearest the borough's
        area-weighted centre: always inside the borough, even a crescent-shaped one."""
        if self._boroughs is None and not any(self.layer.table.parent_codes):
            self._boroughs = self._borough_layer_features()
        if self._boroughs is None:
            t, layer = self.layer.table, self.layer
            wards = self.wards()
            areas = self._unit_areas()
            order = np.argsort(-areas, kind="stable")      # rows of wards() entries
            codes, group = np.unique(np.array([t.parent_codes[i] or "" for i in order]), return_inverse=True)
            w = areas[order]
            total = np.bincount(group, weights=w)
            cx = np.bincount(group, weights=w * wards.x) / total
            cy = np.bincount(group, weights=w * wards.y) / total
            # Per borough, its member nearest the centre: sort by (borough, distance), take each first.
            ranked = np.lexsort((np.hypot(wards.x - cx[group], wards.y - cy[group]), group))
            firsts = ranked[np.r_[0, np.flatnonzero(np.diff(group[ranked])) + 1]]
            named = [k for k in firsts if codes[group[k]]]
            sizes = np.sqrt(total[group[named]])
            rank = np.argsort(-sizes, kind="stable")
            picked = np.array(named, dtype=np.int64)[rank]
            self._boroughs = Features(wards.x[picked], wards.y[picked],
                                      [layer.borough_names.get(str(codes[group[k]]), str(codes[group[k]]))
                                       for k in picked], sizes[rank], self.typical_sizes()[0])
        return self._boroughs

    def _borough_layer_features(self) -> Features:
        """The borough layer's own units, named at a point inside each."""
        t = self.borough_layer
        areas = shapely.area(t.geometries)
        order = np.argsort(-areas, kind="stable")
        xy = shapely.get_coordinates(shapely.point_on_surface(t.geometries[order]))
        return Features(xy[:, 0], -xy[:, 1], [t.names[i] for i in order], np.sqrt(areas[order]),
                        self.typical_sizes()[0])

    def _size(self, kind: int, text: str) -> tuple[float, float]:
        got = self._sizes[kind].get(text)
        if got is None:
            fm = QFontMetricsF(self.fonts[kind])
            got = self._sizes[kind][text] = (fm.horizontalAdvance(text), fm.height())
        return got

    # -- placement --------------------------------------------------------------
    def place(self, size: QSize, vt: QTransform, mpp: float,
              blocked: tuple[QRectF, ...] = ()) -> list[tuple[int, str, QRectF]]:
        """The labels to draw in a viewport of `size` under viewport transform `vt`,
        clear of the `blocked` rectangles (what is drawn over the map: legend, find box)."""
        if not self.layer.loaded or mpp <= 0:
            return []
        borough_width, ward_width = self.typical_sizes()
        kinds = []
        if borough_width and borough_width / mpp >= BOROUGH_PIXELS and ward_width / mpp < STREET_PIXELS:
            kinds.append((0, self.boroughs()))
        if ward_width / mpp >= WARD_PIXELS:
            kinds.append((1, self.wards()))
        w, h = size.width(), size.height()
        placed: list[tuple[int, str, QRectF]] = []
        buckets: dict[tuple[int, int], list[QRectF]] = {}

        def cells_of(r: QRectF) -> list[tuple[int, int]]:
            return [(i, j) for i in range(int(r.left() // CELL), int(r.right() // CELL) + 1)
                    for j in range(int(r.top() // CELL), int(r.bottom() // CELL) + 1)]

        for r in blocked:
            for c in cells_of(r):
                buckets.setdefault(c, []).append(r)
        for kind, f in kinds:
            px = vt.m11() * f.x + vt.dx()
            py = vt.m22() * f.y + vt.dy()
            # Anchors on screen, of features big enough to carry a name; already largest first.
            for k in np.flatnonzero((px >= 0) & (px <= w) & (py >= 0) & (py <= h) & (f.size / mpp >= OWN_PIXELS)):
                tw, th = self._size(kind, f.names[k])
                rect = QRectF(px[k] - tw / 2, py[k] - th / 2, tw, th)
                if rect.left() < 0 or rect.top() < 0 or rect.right() > w or rect.bottom() > h:
                    continue
                padded = rect.adjusted(-GAP, -GAP, GAP, GAP)
                cells = cells_of(padded)
                if any(padded.intersects(other) for c in cells for other in buckets.get(c, ())):
                    continue
                for c in cells:
                    buckets.setdefault(c, []).append(padded)
                placed.append((kind, f.names[k], rect))
        return placed

    # -- painting -----------------------------------------------------------------
    def paint(self, painter: QPainter, size: QSize, vt: QTransform, mpp: float, cached: bool = True,
              blocked: tuple[QRectF, ...] = ()) -> None:
        """Paint the labels in viewport coordinates (the painter's transform maps them to
        the device); `cached` reuses a pixmap of them while nothing they depend on changed."""
        key = (size.width(), size.height(), vt.m11(), round(vt.dx(), 3), round(vt.dy(), 3), id(self.layer.table),
               tuple(r.getRect() for r in blocked))
        if key != self._key:
            self._key = key
            self.placed = self.place(size, vt, mpp, blocked)
            self._pixmap = None
        if not self.placed:
            return
        if not cached:
            self._draw(painter)
            return
        ratio = painter.device().devicePixelRatioF() or 1.0
        if self._pixmap is None or self._pixmap.devicePixelRatioF() != ratio:
            pixmap = QPixmap(QSize(int(size.width() * ratio), int(size.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            self._stamp_all(p, ratio)
            p.end()
            self._pixmap = pixmap
        painter.drawPixmap(QPointF(0, 0), self._pixmap)

    def _stamp_all(self, painter: QPainter, ratio: float) -> None:
        """The placed labels as images of each name with its halo, made once per name: a pan
        places the labels again on every frame, and nine runs of text a label cost ~10 ms
        a frame over London where copying the images costs ~1."""
        if len(self._stamps) > 4000:
            self._stamps.clear()
        for kind, text, rect in self.placed:
            key = (kind, text, ratio)
            image = self._stamps.get(key)
            if image is None:
                tw, th = self._size(kind, text)
                image = QImage(int((tw + 2 * STAMP_MARGIN) * ratio) + 1, int((th + 2 * STAMP_MARGIN) * ratio) + 1,
                               QImage.Format.Format_ARGB32_Premultiplied)
                image.setDevicePixelRatio(ratio)
                image.fill(Qt.GlobalColor.transparent)
                p = QPainter(image)
                self._draw(p, [(kind, text, QRectF(STAMP_MARGIN, STAMP_MARGIN, tw, th))])
                p.end()
                self._stamps[key] = image
            painter.drawImage(QPointF(round(rect.left()) - STAMP_MARGIN, round(rect.top()) - STAMP_MARGIN), image)

    def _draw(self, painter: QPainter, placed=None) -> None:
        # A white halo (the text drawn offset a pixel each way) keeps names legible over
        # outlines and fills; glyphs are cached, so this is far cheaper than text paths.
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        ascent = [QFontMetricsF(f).ascent() for f in self.fonts]
        for kind in (0, 1):
            mine = [(QPointF(rect.left(), rect.top() + ascent[kind]), text)
                    for k, text, rect in (self.placed if placed is None else placed) if k == kind]
            if not mine:
                continue
            painter.setFont(self.fonts[kind])
            painter.setPen(HALO)
            for dx, dy in HALO_OFFSETS:
                for at, text in mine:
                    painter.drawText(at + QPointF(dx, dy), text)
            painter.setPen(BOROUGH_COLOUR if kind == 0 else WARD_COLOUR)
            for at, text in mine:
                painter.drawText(at, text)
        painter.restore()
