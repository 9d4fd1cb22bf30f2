"""The one scene item that draws a layer's units, as tiles of screen pixels.

Drawing one QGraphicsPathItem per unit cost QGraphicsView's per-item overhead on
every frame (~15 ms for 8,071 wards, far more at 160k units) and a pan repainted
everything. Instead this item paints only the units whose bounds meet the part of
the view being drawn, merged into one path per fill colour, ward edges stroked
once over them, borough outlines over those, and keeps what it painted as square
images (tiles) of device pixels:

- a pan draws the tiles it already has (a blit) and paints only the strip that
  came into view;
- a change of fills (a brush step) drops only the tiles that touch the units
  whose colour changed, so a step repaints a few tiles, not the map;
- a zoom, another level of detail or another style (ward edges, boroughs) drops
  them all.

While wheel or key zoom steps go on, frames show the last sharp tiles scaled (zooming()).
Once the steps stop (settle()), the tiles at the new scale are painted a few per turn of
the event loop, over that scaled picture, the middle of the view first, so no single
frame waits for the whole view to be painted again (~30-45 ms zoomed in at 160k units);
the names come back in a turn of their own once every tile is sharp. Steps that cross
into another level of detail keep that picture too (a big layer's level is made by a
thread meanwhile), and a big layer's jump (MapView.zoom_to_bounds) goes the same way.

Fills are painted without antialiasing (adjacent units then tile the pixels
exactly, no seams), edges and outlines with it when units are big enough to
show them. An export (MapView.exporting) paints the vector paths themselves.
MapView decides the mode and level; this module only paints.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from models.geo.detail import LayerGeometry, Rings, rings
from ui.map.layer import BACKGROUND_UNITS
from ui.map.paths import edge_path, first_segments, merged_paths, unit_paths
from ui.map.style import BOROUGH_EDGE, NEUTRAL, OUTSIDE, WARD_EDGE

TILE = 256            # device pixels a side
MOST_TILES = 120      # ~30 MB of tiles kept: a 1600x1000 view shows 40 of them
EDGE_MARGIN_PX = 3.0  # units this close to a tile still touch it (edges are stroked over the border)
IN_PLACE_UNITS = 400  # at most this many recoloured units are painted into the kept tiles...
IN_PLACE_TILES = 4    # ... when the box round them is at most this many tiles' pixels
# Ward edges in the colour the translucent WARD_EDGE gave over the neutral fill, stroked
# once from each side: blending a translucent pen costs ~4x more pixels' work, and the edges
# are the dearest part of a tile zoomed in (each unit's outline stroked, ~200k pixels a view).
_A = 1 - (1 - WARD_EDGE.alphaF()) ** 2
EDGE_OPAQUE = QColor.fromRgbF(*(_A * e + (1 - _A) * n for e, n in zip(WARD_EDGE.getRgbF()[:3], NEUTRAL.getRgbF()[:3])))
# Device offsets of the hairline strokes that draw a borough outline ~1.6 px wide: three
# points round a circle, so a line of any direction is widened by 0.55-0.65 px.
WIDE_OFFSETS = ((0.36, 0.0), (-0.18, 0.31), (-0.18, -0.31))
# Each edge is stroked once (paths.edge_path); stroked from both sides an antialiased
# pixel's coverage c showed as 1 - (1 - c)^2, so half-covered pixels (most of an edge)
# came out 3/4 dark. The colour once stroked is darkened to look as before.
_K = 0.45
EDGE_ONCE = QColor.fromRgbF(*(min(1.0, max(0.0, e + _K * (e - n)))
                              for e, n in zip(EDGE_OPAQUE.getRgbF()[:3], NEUTRAL.getRgbF()[:3])))
BOROUGH_PIECE = 64    # vertices per run of a borough outline (see _pieces)
SHARPEN_MS = 5.0      # after a zoom, sharp tiles are painted for about this long per event-loop turn
SHARPEN_RUN = 3       # ... a run of at most this many tiles of a row at a time (one query, one image)
KEPT_LEVELS = 4       # levels of detail kept ready to paint (see UnitTiles._data)


def unit_bounds(r: Rings) -> np.ndarray:
    """(minx, miny, maxx, maxy) of each unit from its flat outline (NaN for an empty unit)."""
    vstart = r.ring_start[r.geom_ring]
    n = len(vstart) - 1
    out = np.full((n, 4), np.nan)
    if n <= 0 or not len(r.xy):
        return out
    filled = np.diff(vstart) > 0
    starts = vstart[:-1][filled]
    # Empty units hold no vertices, so each non-empty unit's run ends where the next begins.
    xs, ys = r.xy[:, 0], r.xy[:, 1]
    out[filled, 0] = np.minimum.reduceat(xs, starts)
    out[filled, 1] = np.minimum.reduceat(ys, starts)
    out[filled, 2] = np.maximum.reduceat(xs, starts)
    out[filled, 3] = np.maximum.reduceat(ys, starts)
    return out


def _columns(bounds: np.ndarray) -> np.ndarray:
    """Bounds (n, 4) as four contiguous columns (4, n), what _meeting reads."""
    return np.ascontiguousarray(np.asarray(bounds, dtype=np.float64).reshape(-1, 4).T)


def _meeting(columns: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Rows whose bounds (as _columns) meet the box (model metres): a vectorised test, ~0.2 ms
    at 160k units (contiguous columns compared in place: ~1.4 ms on the (n, 4) rows, and a
    sharp frame after a zoom makes a few such queries per run of tiles)."""
    hit = columns[0] <= x1
    hit &= columns[2] >= x0
    hit &= columns[1] <= y1
    hit &= columns[3] >= y0
    return np.flatnonzero(hit)


class _Level:
    """What painting one level needs: flat outlines, unit bounds, borough outlines (as flat runs
    to stroke, and whole to fill: see UnitTiles._draw)."""

    def __init__(self, lod: LayerGeometry, level: float, in_parent: np.ndarray, wait: bool = True):
        """wait=False: without the borough outlines unless already made (a big layer's are
        made off the GUI thread; `complete` says whether they were)."""
        self.rings = lod.rings(level)
        self.columns = _columns(unit_bounds(self.rings))   # each unit's box, as _meeting reads it
        self.in_parent = in_parent
        self.borough_columns = _columns(np.zeros((0, 4)))
        self.land_paths = []
        self.land_columns = _columns(np.zeros((0, 4)))
        self.pieces: Rings | None = None   # the borough outlines' runs, flat (see _pieces)
        self.borough_paths = []            # ... and one path each
        self._edges_first: np.ndarray | None = None   # first_segments of the level, once made
        self._edges_thread: threading.Thread | None = None
        self.complete = True
        try:
            if wait:
                codes, outlines = lod.parents(level)
            else:
                outlines = lod.parents_if_ready(level)
                self.complete = outlines is not None
                codes = lod.parents(level)[0] if outlines is not None else []
        except shapely.errors.GEOSException:
            # Outlines that cannot be united (a layer not noded): each unit is filled itself.
            codes, outlines = [], None
            self.in_parent = np.zeros_like(in_parent)
        if codes:
            whole = rings(outlines)
            self.land_paths = unit_paths(whole)
            self.land_columns = _columns(unit_bounds(whole))
            pieces = _pieces(whole)
            self.pieces = pieces
            self.borough_paths = unit_paths(pieces)
            self.borough_columns = _columns(unit_bounds(pieces))


    def edges_first(self) -> np.ndarray | None:
        """Which segments draw the level's ward edges (each shared edge once), or None while
        they are found off the GUI thread (~1 s for 2M vertices): until then each paint
        finds them among the units it draws, which gives the same pixels."""
        if self._edges_first is None and self._edges_thread is None:
            def find():
                self._edges_first = first_segments(self.rings.xy, self.rings.ring_start[:-1])
            self._edges_thread = threading.Thread(target=find, daemon=True)
            self._edges_thread.start()
        return self._edges_first


def _pieces(r: Rings, size: int = BOROUGH_PIECE) -> Rings:
    """The rings cut into open runs of at most `size` vertices (each run starts on the last
    vertex of the one before), one 'unit' each: stroking costs as much as the path
    stroked, and a tile then strokes only the runs that cross it, not whole boroughs."""
    starts, ends = r.ring_start[:-1], r.ring_start[1:]
    lengths = ends - starts
    keep = lengths >= 2
    starts, lengths = starts[keep], lengths[keep]
    runs = np.maximum(1, -(-(lengths - 1) // (size - 1)))          # runs per ring
    first = np.repeat(starts, runs) + (np.arange(runs.sum()) - np.repeat(np.cumsum(runs) - runs, runs)) * (size - 1)
    last = np.minimum(first + size, np.repeat(starts + lengths, runs))
    counts = last - first
    idx = np.repeat(first - np.cumsum(np.concatenate([[0], counts[:-1]])), counts) + np.arange(counts.sum())
    ring_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Rings(xy=r.xy[idx], ring_start=ring_start, geom_ring=np.arange(len(counts) + 1, dtype=np.int64))


class UnitTiles(QGraphicsItem):
    """Every unit of the layer, filled by palette index, painted as cached tiles."""

    def __init__(self, view):
        super().__init__()
        self.view = view
        self.rect = QRectF()
        self.lod: LayerGeometry | None = None
        self.level = 0.0
        self.edges = False          # ward edges drawn (units big enough, and the layer toggled on)
        self.boroughs = True
        self.tiles: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self.painted = 0            # tiles painted, ever (tests and benchmarks read it)
        self.patched = 0            # parts of kept tiles painted again in place, ever
        self._rgba = np.zeros(0, dtype=np.uint32)   # each unit's fill colour
        self._levels: dict[float, _Level] = {}
        self._making = None         # (lod, level, thread, {"level": _Level}) being made off the GUI thread
        self._in_parent: np.ndarray | None = None   # units with a parent (in a borough outline)
        self._neutral = QColor(NEUTRAL).rgba()
        self._look = None           # what the kept tiles were painted for
        self._grid = None           # (x scale, y scale, x offset, y offset): model metres to tile pixels
        self._placed = None         # (scene to device transform, tile origin x, y) of the kept tiles
        self.deferring = False      # a zoom in progress: see zooming()
        self._stale = None          # (tiles, placed) of the last sharp frame while deferring
        self.sharpening = False     # after a zoom: sharp tiles being painted turn by turn (settle())
        self._step_queued = False
        self._unpainted = False     # zoomed since the last paint: the tiles' place is not known yet
        self._tile_ms = 0.0         # what the last sharp tile painted cost (ms), to size the next runs
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setZValue(0)

    # -- what to draw ------------------------------------------------------
    def set_layer(self, lod: LayerGeometry | None, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.lod, self.rect = lod, QRectF(rect)
        self._levels.clear()
        self._making = None
        self._in_parent = None
        n = len(lod) if lod is not None else 0
        self._rgba = np.full(n, QColor(NEUTRAL).rgba(), dtype=np.uint32)
        self.update()

    def set_style(self, level: float, edges: bool, boroughs: bool) -> None:
        if (level, edges, boroughs) != (self.level, self.edges, self.boroughs):
            self.level, self.edges, self.boroughs = level, edges, boroughs
            if self.deferring and (self.tiles or self._stale is not None):
                # Zoom steps crossed into another level or mode: the scaled picture stays up
                # until they stop, and a big layer's level is made meanwhile off the GUI
                # thread (~0.1-0.3 s at 160k units, which froze the step that crossed).
                if self._stale is None:
                    self._stale = (self.tiles, self._placed)
                    self.tiles = OrderedDict()
                self._level_ready()
                QGraphicsItem.update(self)
            else:
                self.update()

    def set_fill(self, fill: np.ndarray, palette: list[QColor]) -> np.ndarray:
        """Colour unit i palette[fill[i]]; repaints only the tiles of the units whose colour
        changed, and returns those units."""
        rgba = np.array([c.rgba() for c in palette], dtype=np.uint32)[np.asarray(fill, dtype=np.int64)]
        if len(rgba) != len(self._rgba):
            self._rgba = rgba
            self.update()
            return np.arange(len(rgba))
        changed = np.flatnonzero(rgba != self._rgba)
        self._rgba = rgba
        if len(changed):
            self.recolour(changed)
        return changed

    def recolour(self, units: np.ndarray) -> None:
        """Repaint the kept tiles where those units are, and show them.

        A few units (a brush step) are painted again in place: only the box round them,
        clipped, with everything that meets it, which gives the same pixels as painting
        the tile afresh. Many (another area selected) drop the tiles they touch."""
        if not self.tiles or self._grid is None or self.lod is None:
            QGraphicsItem.update(self, self._scene_box(units))
            return
        b = self._data().columns[:, units].T
        b = b[np.isfinite(b).all(axis=1)]
        if not len(b):
            return
        sx, sy, fx, fy = self._grid
        pad = EDGE_MARGIN_PX
        # The units' bounds in tile pixels (model y is up, device y down).
        u0, u1 = b[:, 0] * sx + fx - pad, b[:, 2] * sx + fx + pad
        v0, v1 = -b[:, 3] * sy + fy - pad, -b[:, 1] * sy + fy + pad
        keys = np.array(list(self.tiles), dtype=np.int64).reshape(-1, 2)
        if len(units) <= IN_PLACE_UNITS:
            box = QRectF(u0.min(), v0.min(), u1.max() - u0.min(), v1.max() - v0.min())
            if box.width() * box.height() <= IN_PLACE_TILES * TILE * TILE:
                for i, j in keys.tolist():
                    part = box.intersected(QRectF(i * TILE, j * TILE, TILE, TILE))
                    if not part.isEmpty():
                        self._repaint_in_place((i, j), part.translated(-i * TILE, -j * TILE).toAlignedRect())
                QGraphicsItem.update(self, self._scene_box(units))
                return
        hit = np.zeros(len(keys), dtype=bool)
        for k, (i, j) in enumerate(keys.tolist()):
            hit[k] = bool(np.any((u0 < (i + 1) * TILE) & (u1 >= i * TILE) & (v0 < (j + 1) * TILE) & (v1 >= j * TILE)))
        for i, j in keys[hit].tolist():
            del self.tiles[(i, j)]
        QGraphicsItem.update(self, self._scene_box(units))

    def _repaint_in_place(self, key: tuple[int, int], part) -> None:
        """Paint part (tile pixels) of a kept tile again."""
        tile = self.tiles[key]
        dpr = tile.devicePixelRatio()
        tile.setDevicePixelRatio(1.0)   # painted in device pixels, as when it was made
        sx, sy, fx, fy = self._grid
        p = QPainter(tile)
        p.setClipRect(part)
        p.fillRect(part, OUTSIDE)
        p.setWorldTransform(QTransform(sx, 0, 0, sy, fx - key[0] * TILE, fy - key[1] * TILE))
        inverse = p.worldTransform().inverted()[0]
        self._draw(p, inverse.mapRect(QRectF(part)), 1.0 / max(abs(sx), 1e-12))
        p.end()
        tile.setDevicePixelRatio(dpr)
        self.patched += 1

    def _scene_box(self, units: np.ndarray) -> QRectF:
        if self.lod is None or not len(units):
            return QRectF()
        b = self._data().columns[:, units].T
        x0, y0, x1, y1 = np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3])
        if not np.isfinite([x0, y0, x1, y1]).all():
            return QRectF()
        pad = EDGE_MARGIN_PX * self.view.metres_per_pixel()
        return QRectF(x0 - pad, -y1 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)

    def update(self, rect: QRectF | None = None) -> None:
        """Repaint; without a rect, everything afresh (the kept tiles are dropped)."""
        if rect is None:
            self.tiles.clear()
            self._stale, self.deferring, self.sharpening = None, False, False
            QGraphicsItem.update(self)
        else:
            QGraphicsItem.update(self, rect)

    def _data(self) -> _Level:
        got = self._levels.get(self.level)
        if got is None:
            made = self._making
            if made is not None and made[:2] == (self.lod, self.level):
                made[2].join()   # being made off the GUI thread: this paint needs it now
                got = made[3].get("level")
            self._making = None
            if got is None:
                got = _Level(self.lod, self.level, self._parented(), wait=len(self.lod) <= BACKGROUND_UNITS)
            self._levels[self.level] = got
            # The last few levels drawn are kept (their vertices are kept by the LayerGeometry
            # anyway; what a _Level adds is its units' boxes, borough paths and edges, ~10 MB
            # at 160k units): zooming back to one of them repaints at once, where making it
            # again (a thread for its edges, ~1 s at 160k units) slowed every frame meanwhile.
            while len(self._levels) > KEPT_LEVELS:
                del self._levels[next(iter(self._levels))]
        else:
            self._levels[self.level] = self._levels.pop(self.level)   # the most recently drawn last
        return got

    def _parented(self) -> np.ndarray:
        if self._in_parent is None:
            self._in_parent = np.array([bool(c) for c in self.lod.parent_codes], dtype=bool)
        return self._in_parent

    def _level_ready(self) -> bool:
        """Whether the level drawn is made; if not, a big layer's is started off the GUI
        thread (a small layer's is made at once when painted)."""
        if self.lod is None or self.level in self._levels or len(self.lod) <= BACKGROUND_UNITS:
            return True
        made = self._making
        if made is not None and made[:2] == (self.lod, self.level):
            return not made[2].is_alive()
        lod, level, parented, out = self.lod, self.level, self._parented(), {}

        def make():
            out["level"] = _Level(lod, level, parented, wait=False)

        thread = threading.Thread(target=make, daemon=True)
        self._making = (lod, level, thread, out)
        thread.start()
        return False

    def outlines_ready(self) -> None:
        """Paint again with the borough outlines if they were not made when this level was
        first painted and are now (the view calls this while a big layer's levels are made)."""
        got = self._levels.get(self.level)
        if got is not None and not got.complete and self.lod.parents_if_ready(self.level) is not None:
            del self._levels[self.level]
            self.update()

    # -- painting ----------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self.lod is None or not len(self._rgba):
            return
        t = painter.worldTransform()
        exposed = option.exposedRect
        if getattr(self.view, "exporting", False) or t.isRotating():
            self._draw(painter, exposed, 1.0 / max(abs(t.m11()), 1e-12))
            return
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        d = t * QTransform.fromScale(dpr, dpr)
        # Tiles are numbered from the whole pixels of the scene origin: a pan by whole
        # pixels (all QGraphicsView does) keeps every kept tile where it was.
        ox, oy = math.floor(d.dx()), math.floor(d.dy())
        look = (self.level, self.edges, self.boroughs, round(d.m11(), 9), round(d.m22(), 9),
                round(d.dx() - ox, 3), round(d.dy() - oy, 3), dpr)
        if look != self._look:
            # While zoom steps go on the last sharp picture is kept, whatever level or mode
            # they cross into (set_style); only another device pixel ratio drops it.
            # So is it while the tiles are made sharp again (settle()): tiles painted for
            # another scale are let go, the scaled picture stays.
            keep = (self.deferring or self.sharpening) and self._look is not None and self._look[-1] == look[-1]
            if keep and self._stale is None and self.tiles:
                self._stale = (self.tiles, self._placed)   # the last sharp picture, see zooming()
            if keep and self._stale is not None:
                self.tiles = OrderedDict()
            else:
                self.tiles.clear()
                self._stale, self.sharpening = None, False
            self._look = look
        self._unpainted = False
        self._grid = (d.m11(), d.m22(), d.dx() - ox, d.dy() - oy)
        self._placed = (QTransform(d), ox, oy)
        if self.deferring and self._stale is not None:
            self._paint_stale(painter, d, dpr)
            return
        box = d.mapRect(exposed)
        if device is not None:
            box = box.intersected(QRectF(0, 0, device.width() * dpr, device.height() * dpr))
        if box.isEmpty():
            return
        i0, i1 = math.floor((box.left() - ox) / TILE), math.floor((box.right() - ox - 1e-6) / TILE)
        j0, j1 = math.floor((box.top() - oy) / TILE), math.floor((box.bottom() - oy - 1e-6) / TILE)
        wanted = [(i, j) for j in range(j0, j1 + 1) for i in range(i0, i1 + 1)]
        missing = [k for k in wanted if k not in self.tiles]
        if missing and self.sharpening:
            # Settling after a zoom: the scaled picture where sharp tiles are still to come.
            self._paint_stale(painter, d, dpr, [QRectF(ox + i * TILE, oy + j * TILE, TILE, TILE).intersected(box)
                                                for i, j in missing])
            self._queue_step()
            wanted = [k for k in wanted if k in self.tiles]
        elif missing:
            self._paint_tiles(missing, d, ox, oy, dpr)
        painter.save()
        painter.setWorldTransform(QTransform())
        for key in wanted:
            image = self.tiles[key]
            self.tiles.move_to_end(key)
            painter.drawImage(QPointF((ox + key[0] * TILE) / dpr, (oy + key[1] * TILE) / dpr), image)
        painter.restore()
        while len(self.tiles) > max(MOST_TILES, len(wanted)):
            self.tiles.popitem(last=False)

    def zooming(self) -> None:
        """A zoom step (the wheel): until settle(), frames show the last sharp tiles scaled to
        the new scale rather than painting every unit at each step; the view calls settle()
        once the steps stop."""
        self.deferring = True
        self.sharpening = False   # tiles half made at the scale before are left unused
        self._unpainted = True    # the view is about to move: tiles wait for a paint at the new place
        if self.tiles and self._stale is None:
            self._stale = (self.tiles, self._placed)   # the last sharp picture
            self.tiles = OrderedDict()

    @property
    def settling(self) -> bool:
        """The picture is not yet sharp at this scale (zoom steps, or tiles still to paint):
        the view leaves the names out until it is."""
        return self.deferring or self.sharpening

    def settle(self) -> None:
        """The zoom steps stopped: paint the tiles at the new scale, a few per turn of the
        event loop (_sharpen_step), over the scaled picture; at once if there is none."""
        if not self.deferring:
            return
        self.deferring = False
        self.tiles.clear()
        if self._stale is None:
            QGraphicsItem.update(self)
            self.view.viewport().update()   # the names, painted over the whole view
            return
        self.sharpening = True
        self._queue_step()

    def _queue_step(self) -> None:
        if not self._step_queued:
            self._step_queued = True
            QTimer.singleShot(0, self.view, self._sharpen_step)

    def _sharpen_step(self) -> None:
        """One turn of settling: paint runs of missing tiles in view, the middle first, for
        about SHARPEN_MS; once none is missing, end it and paint the names (a turn of its own)."""
        self._step_queued = False
        if not self.sharpening or self._placed is None or self._look is None or self._unpainted:
            return   # (not painted since the view moved: the paint queues the next step)
        if not self._level_ready():
            # The level is still being made: the scaled picture stays a little longer.
            self._step_queued = True
            QTimer.singleShot(10, self.view, self._sharpen_step)
            return
        d, ox, oy = self._placed
        dpr = self._look[-1]
        vp = self.view.viewport()
        w, h = vp.width() * dpr, vp.height() * dpr
        i0, i1 = math.floor(-ox / TILE), math.floor((w - ox - 1e-6) / TILE)
        j0, j1 = math.floor(-oy / TILE), math.floor((h - oy - 1e-6) / TILE)
        ci, cj = (i0 + i1) / 2, (j0 + j1) / 2
        runs = []
        for j in sorted(range(j0, j1 + 1), key=lambda j: abs(j - cj)):
            row = [i for i in range(i0, i1 + 1) if (i, j) not in self.tiles]
            for k in range(0, len(row), SHARPEN_RUN):
                run = row[k:k + SHARPEN_RUN]
                runs.append((abs((run[0] + run[-1]) / 2 - ci) + abs(j - cj), [(i, j) for i in run]))
        if not runs:
            self.sharpening, self._stale = False, None
            QGraphicsItem.update(self)
            vp.update()   # the names, painted over the whole view
            return
        runs.sort(key=lambda r: r[0])
        t0 = time.perf_counter()
        to_scene = d.inverted()[0]
        for k, (_, keys) in enumerate(runs):
            # As many of the run's tiles as the time left allows at the last tiles' pace (the
            # middle of a dense layer costs several times its edges); at least one a turn.
            left = SHARPEN_MS - (time.perf_counter() - t0) * 1000
            if k and self._tile_ms > left:
                # Another tile would likely overrun the turn: at 161k units one costs 5-10 ms,
                # and a second one started with a millisecond left made turns of 20-25 ms.
                break
            keys = keys[:max(1, int(left / self._tile_ms))] if self._tile_ms > 0 else keys[:1]
            # A run's keys are consecutive in one row: painted as one image, cut into tiles.
            start = time.perf_counter()
            self._paint_tiles(keys, d, ox, oy, dpr)
            self._tile_ms = (time.perf_counter() - start) * 1000 / len(keys)
            # Only where the new tiles go is shown again (the scaled picture stays elsewhere).
            i, j = keys[0]
            QGraphicsItem.update(self, to_scene.mapRect(QRectF(ox + i * TILE, oy + j * TILE, len(keys) * TILE, TILE)))
            if (time.perf_counter() - t0) * 1000 >= SHARPEN_MS:
                break
        self._queue_step()

    def _paint_stale(self, painter: QPainter, d: QTransform, dpr: float, only: list[QRectF] | None = None) -> None:
        """The kept tiles of the last sharp frame, moved and scaled to where they now go;
        `only`: just over these rectangles (device pixels: the tiles not yet painted sharp)."""
        tiles, (d_old, ox, oy) = self._stale
        painter.save()
        old_to_new = d_old.inverted()[0] * d
        if only is not None:
            painter.setWorldTransform(QTransform.fromScale(1 / dpr, 1 / dpr))
            clip = QRegion()
            for r in only:
                clip += r.toAlignedRect()
            painter.setClipRegion(clip, Qt.ClipOperation.IntersectClip)
        painter.setWorldTransform(old_to_new * QTransform.fromScale(1 / dpr, 1 / dpr))
        for (i, j), image in tiles.items():
            place = QRectF(ox + i * TILE, oy + j * TILE, TILE, TILE)
            if only is not None:
                there = old_to_new.mapRect(place)
                if not any(there.intersects(r) for r in only):
                    continue
            painter.drawImage(place, image, QRectF(0, 0, image.width(), image.height()))
        painter.restore()

    def _paint_tiles(self, keys, d: QTransform, ox: int, oy: int, dpr: float) -> None:
        """Paint the missing tiles as one image (one query, one path per colour) and cut it up."""
        ci0, ci1 = min(k[0] for k in keys), max(k[0] for k in keys)
        cj0, cj1 = min(k[1] for k in keys), max(k[1] for k in keys)
        w, h = (ci1 - ci0 + 1) * TILE, (cj1 - cj0 + 1) * TILE
        image = QImage(w, h, QImage.Format.Format_RGB32)
        image.fill(OUTSIDE)
        p = QPainter(image)
        bx, by = ox + ci0 * TILE, oy + cj0 * TILE
        p.setWorldTransform(d * QTransform.fromTranslate(-bx, -by))
        inverse = p.worldTransform().inverted()[0]
        self._draw(p, inverse.mapRect(QRectF(0, 0, w, h)), 1.0 / max(abs(d.m11()), 1e-12))
        p.end()
        for i, j in keys:
            tile = image.copy((i - ci0) * TILE, (j - cj0) * TILE, TILE, TILE)
            tile.setDevicePixelRatio(dpr)
            self.tiles[(i, j)] = tile
            self.painted += 1

    def _draw(self, p: QPainter, scene_rect: QRectF, metres_per_px: float) -> None:
        """Fills, ward edges and borough outlines of the units meeting scene_rect, with p's
        transform (scene to device)."""
        data = self._data()
        pad = EDGE_MARGIN_PX * metres_per_px
        x0, x1 = scene_rect.left() - pad, scene_rect.right() + pad
        y0, y1 = -scene_rect.bottom() - pad, -scene_rect.top() + pad   # scene y is minus northing
        rows = _meeting(data.columns, x0, y0, x1, y1)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(Qt.PenStyle.NoPen)
        fill_rows = rows
        if len(data.land_paths):
            # The units in no area are most of the map: filling their boroughs' outlines in the
            # neutral colour covers the same pixels (no antialiasing: a pixel is filled when its
            # centre is inside) at a fraction of the vertices; the rest are filled over them.
            brush = QBrush(NEUTRAL)
            for k in _meeting(data.land_columns, x0, y0, x1, y1).tolist():
                p.fillPath(data.land_paths[k], brush)
            fill_rows = rows[(self._rgba[rows] != self._neutral) | ~data.in_parent[rows]]
        if len(fill_rows):
            colours = self._rgba[fill_rows]
            order = np.argsort(colours, kind="stable")
            cuts = np.flatnonzero(np.diff(colours[order])) + 1
            groups = [fill_rows[g] for g in np.split(order, cuts)]
            for path, g in zip(merged_paths(data.rings, groups), groups):
                p.fillPath(path, QBrush(QColor.fromRgba(int(self._rgba[g[0]]))))
        if self.edges and len(rows):
            edge = QPen(EDGE_ONCE, 0)
            edge.setCosmetic(True)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.strokePath(edge_path(data.rings, rows, data.edges_first()), edge)
        if self.boroughs and data.pieces is not None:
            # Zoomed in, wide and smooth over the ward edges; zoomed out, thin and sharp.
            pen = QPen(BOROUGH_EDGE, 0)
            pen.setCosmetic(True)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, self.edges)
            # The runs crossing this part of the view (made once: at full extent that is all).
            runs = [data.borough_paths[k] for k in _meeting(data.borough_columns, x0, y0, x1, y1).tolist()]
            # A wide antialiased pen goes through Qt's path stroker and costs ~20x a hairline
            # (most of a zoomed frame); the hairline stroked at small device offsets covers
            # the same ~1.6 px band.
            base = p.worldTransform()
            for dx, dy in (WIDE_OFFSETS if self.edges else ((0.0, 0.0),)):
                p.setWorldTransform(base * QTransform.fromTranslate(dx, dy))
                for run in runs:
                    p.strokePath(run, pen)
            p.setWorldTransform(base)
