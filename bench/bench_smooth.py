"""Smoothness: a recorded sequence of frame times while a person pans and zooms the map.

The other map figures (bench_scale) time one frame at a time, each after the event loop
went quiet. This module plays a scripted gesture the way a hand makes it, one input event
per 16 ms tick, on a real X server (an Xvfb of the module's own, the app on Qt's xcb
platform, in a child process: the rest of the bench runs offscreen in this one), and
records every frame the viewport paints meanwhile:

  an input frame   from sending the event (QTest mouse press/move/release on the map's
                   viewport, a QWheelEvent of one 120 notch at the pointer, a QTest key
                   click of + or -) to the end of the event-loop turn in which the viewport
                   was painted (an event filter counts the viewport's Paint events): the
                   event's handling, the paint and the copy to the X server;
  a settling frame a frame no input asked for: after zoom steps stop, the map paints its
                   tiles sharp a few per turn (UnitTiles.settle), then the names. Its time
                   is the turn that painted plus the busy turns (>= 1 ms) just before it
                   (the tiles painted for it), since the last idle turn or frame.

An event is sent at its tick, or as soon as the frame before it is done if that took
longer (the hand does not wait: `late_ms` in the JSON says how far behind it fell).

Scenarios, the same scripts on both layers, each starting from London's units filling
the view (at 8k: 657 London wards with their edges drawn, "units" mode):
  pan    a drag with the left button (the map's default tool): 12 px a tick right,
         down, then left, ~1.7 s, released away from where it began (not a click);
  zoom   wheel notches at the pointer over central London: 6 in, a pause, 6 out,
         a pause, 10 out (towards the whole of England & Wales, across levels of detail
         and into overview mode), a pause, 10 in, a pause, then + and - keys;
  pan_areas  the pan again with the areas holding London units shown (the tab opens with
         every area hidden, as pan and zoom run): what a researcher looking at London's
         partnerships pans.

smooth_pan_london_8k, smooth_zoom_london_8k   the 8,071 E&W wards (bench_scale's 8k layer)
smooth_pan_ew_160k, smooth_zoom_ew_160k       the wards split into 20 (161,420 units,
                                              bench/finer_units.py); left out by --quick
smooth_pan_areas_london_8k, smooth_pan_areas_ew_160k   the pan with London's areas shown
Each value is the p95 frame ms of the sequence (target <= 16 ms: a frame every tick); the
note gives frames, median, max, frames over 16 and 33 ms. Anchor empty_view_frame: the
median frame of an empty QGraphicsView of the same size in the same window system, asked to
repaint (update()) and timed the same way, just before each scenario: what any frame of
that size costs on this platform (dispatch, the paint of nothing, the copy of 1600x1000
pixels to the X server), so its ratio says how much the map adds to the floor. The 160k
figures also carry the 8k figure of the same gesture as an anchor (how it grows).

The layers are built with bench_scale's helpers (import, levels stored at import, its 500
areas), the map opened with its _open_tab (MapTab, viewport 1600x1000) and left to finish
its levels of detail and spatial index (wait_for_detail) before the gestures: this is the
map in use, not the first seconds after opening.

Every frame of every scenario goes to smooth_frames.json in the workdir and, to be read
after the run, to bench/smooth_frames.json: when it began (at_ms), its cause (the input
event or "settling"), ms, cpu_ms (this thread's CPU time in it: on a loaded machine, or with
the map's own worker threads busy, wall time runs ahead of it), tiles painted, whether the
map was still settling, busy_threads (how many of the map's threads making a level's parts
or ward edges off the GUI thread were running: they take the GIL and a core from the frames),
and for input frames how late the event was sent.

    python -m bench --only smooth [--quick]
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK_MS = 16.0        # one input event per display frame at 60 Hz, as a hand moves a mouse
BUSY_MS = 1.0         # an event-loop turn at least this long did work (not just a look for events)
FRAME_TIMEOUT = 5.0   # seconds an input event may take to paint its frame before it counts as none
SCREEN = "1920x1200x24"   # room for the map tab round a 1600x1000 viewport
DRAG_PX = 12          # pixels a drag moves per tick (~750 px/s, a brisk pan)
PAUSE_TICKS = 25      # a pause between gestures: 400 ms, long enough for the map to turn sharp
TAIL_MS = 800.0       # recorded after the last event: the last settling frames
LAYERS = (("8k", 1, "london_8k"), ("160k", 20, "ew_160k"))


# -- the scripts -----------------------------------------------------------------
def pan_script(w: int, h: int) -> list[tuple[int, str, tuple]]:
    """(tick, kind, args): a drag from left of the middle, right, down, then left."""
    x, y = w // 2 - 240, h // 2 - 150
    out = [(0, "move", (x, y)), (2, "press", (x, y))]
    tick = 3
    for dx, dy, n in ((DRAG_PX, 0, 40), (0, DRAG_PX, 25), (-DRAG_PX, 0, 40)):
        for _ in range(n):
            x, y = x + dx, y + dy
            out.append((tick, "drag", (x, y)))
            tick += 1
    out.append((tick, "release", (x, y)))
    return out


def zoom_script(w: int, h: int) -> list[tuple[int, str, tuple]]:
    """(tick, kind, args): wheel notches at the pointer, pauses between bursts, then keys."""
    x, y = w // 2 + 40, h // 2 - 30
    out = [(0, "move", (x, y))]
    tick = 2
    for notches, count in ((1, 6), (-1, 6), (-1, 10), (1, 10)):
        for _ in range(count):
            out.append((tick, "wheel", (x, y, notches)))
            tick += 1
        tick += PAUSE_TICKS
    for key in ("+", "+", "-", "-"):
        out.append((tick, "key", (key,)))
        tick += PAUSE_TICKS // 2
    return out


# gesture: (script, whether London's areas are shown)
SCRIPTS = {"pan": (pan_script, False), "zoom": (zoom_script, False), "pan_areas": (pan_script, True)}


# -- the child: the map on the X server, the gestures played and recorded --------------
def _paint_counter(widget):
    """An event filter counting the Paint events the widget gets (its .count); kept alive by the caller."""
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        count = 0

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    paints = Paints()
    widget.installEventFilter(paints)
    return paints


def _record(app, view, script, clock) -> dict:
    """Play `script` on the view's viewport one tick at a time; every frame painted meanwhile."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtTest import QTest

    vp = view.viewport()

    paints = _paint_counter(vp)
    left = Qt.MouseButton.LeftButton
    keys = {"+": Qt.Key.Key_Plus, "-": Qt.Key.Key_Minus}

    def send(kind, args):
        if kind == "move":
            QTest.mouseMove(vp, QPoint(*args))
        elif kind == "press":
            QTest.mousePress(vp, left, Qt.KeyboardModifier.NoModifier, QPoint(*args))
        elif kind == "drag":
            QTest.mouseMove(vp, QPoint(*args))
        elif kind == "release":
            QTest.mouseRelease(vp, left, Qt.KeyboardModifier.NoModifier, QPoint(*args))
        elif kind == "wheel":
            x, y, notches = args
            pos = QPointF(x, y)
            app.sendEvent(vp, QWheelEvent(pos, QPointF(vp.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                                          QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                                          Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
        elif kind == "key":
            QTest.keyClick(view, keys[args[0]])

    frames, events, turns = [], [], {"longest_ms": 0.0}
    t_start = clock()
    run = [0.0, 0.0]   # busy ms (wall, this thread's CPU) since the last idle turn or frame

    def idle_turn() -> None:
        before, tiles = paints.count, view.units.painted
        t, c = clock(), time.thread_time()
        app.processEvents()
        ms, cpu = (clock() - t) * 1000, (time.thread_time() - c) * 1000
        turns["longest_ms"] = max(turns["longest_ms"], ms)
        if paints.count > before:
            frames.append({"at_ms": round((t - t_start) * 1000, 2), "cause": "settling",
                           "ms": round(run[0] + ms, 3), "cpu_ms": round(run[1] + cpu, 3),
                           "tiles": view.units.painted - tiles, "settling": view.units.settling,
                           "busy_threads": len(_busy_threads())})
            run[:] = [0.0, 0.0]
        elif ms >= BUSY_MS:
            run[0] += ms
            run[1] += cpu
        else:
            run[:] = [0.0, 0.0]
            time.sleep(0.0005)   # nothing to do: do not spin a core of a shared machine

    for tick, kind, args in script:
        due = t_start + tick * TICK_MS / 1000
        while clock() < due:
            idle_turn()
        before, tiles = paints.count, view.units.painted
        t, c = clock(), time.thread_time()
        send(kind, args)
        expects = kind in ("drag", "wheel", "key")
        while expects and paints.count == before and clock() - t < FRAME_TIMEOUT:
            app.processEvents()
        ms, cpu = (clock() - t) * 1000, (time.thread_time() - c) * 1000
        turns["longest_ms"] = max(turns["longest_ms"], ms)
        run[:] = [0.0, 0.0]
        event = {"tick": tick, "kind": kind, "late_ms": round((t - due) * 1000, 2), "ms": round(ms, 3),
                 "painted": paints.count > before}
        events.append(event)
        if paints.count > before:
            frames.append({"at_ms": round((t - t_start) * 1000, 2), "cause": kind, "ms": round(ms, 3),
                           "cpu_ms": round(cpu, 3), "tiles": view.units.painted - tiles,
                           "late_ms": event["late_ms"], "settling": view.units.settling,
                           "busy_threads": len(_busy_threads())})
    end = clock() + TAIL_MS / 1000
    while clock() < end or view.units.settling:
        idle_turn()
    vp.removeEventFilter(paints)
    return {"frames": frames, "events": events, "longest_turn_ms": round(turns["longest_ms"], 3),
            "seconds": round(clock() - t_start, 3)}


def _busy_threads() -> list[str]:
    """Threads other than this one and the map's idle worker pool (ThreadPoolExecutor threads
    named map-lod_N wait for work between tasks): the level parts and edges being made."""
    return [t.name for t in threading.enumerate()
            if t is not threading.main_thread() and not t.name.startswith("map-lod")]


def _empty_view_ms(app, w: int, h: int, clock, repeat: int = 60) -> float:
    """The anchor: an empty QGraphicsView of the same size asked to repaint, timed as an
    input frame (update() to the end of the turn that painted it); median of `repeat`."""
    from PySide6.QtGui import QColor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    scene = QGraphicsScene()
    view = QGraphicsView(scene)
    view.setBackgroundBrush(QColor(200, 210, 220))
    view.setFixedSize(w, h)
    view.show()
    QTest.qWaitForWindowExposed(view)
    paints = _paint_counter(view.viewport())
    times = []
    for _ in range(repeat + 3):
        app.processEvents()
        before = paints.count
        t = clock()
        view.viewport().update()
        while paints.count == before and clock() - t < FRAME_TIMEOUT:
            app.processEvents()
        times.append((clock() - t) * 1000)
    view.close()
    view.deleteLater()
    app.processEvents()
    return statistics.median(times[3:])


def child(catalogue: Path, out: Path) -> None:
    """Open the map on `catalogue` at London, play each script, write what was recorded."""
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from bench.bench_scale import H, W, _open_tab, _views

    clock = time.perf_counter
    app = QApplication.instance() or QApplication([])
    tab, cat = _open_tab(app, catalogue)
    QTest.qWaitForWindowExposed(tab)
    view = tab.view
    view.wait_for_detail()   # levels of detail and the picker: the map in use, not just opened
    _, _, london = _views(tab)
    recorded = {"platform": app.platformName(), "units": len(tab.layer), "viewport": [W, H], "scenarios": {}}
    t = tab.layer.table
    in_london = {i for i, c in enumerate(t.parent_codes) if c and c.startswith("E09")}
    london_areas = [a.id for a in tab.area_list.areas if in_london.intersection(tab.layer.rows(a.unit_ids))]
    for name, (script, areas_shown) in SCRIPTS.items():
        # The tab opens with every area hidden; pan_areas shows those holding London units.
        tab.area_list.set_shown(london_areas if areas_shown else ())
        anchor = _empty_view_ms(app, W, H, clock)
        view.zoom_to_bounds(*london, margin=0.0)
        view.setFocus()
        # Half a second at least, until the picture is sharp and the map's threads making this
        # level's parts are done (at most a minute): each gesture starts from the map at rest.
        t0 = clock()
        while (view.units.settling or clock() - t0 < 0.5 or _busy_threads()) and clock() - t0 < 60:
            app.processEvents()
            time.sleep(0.001)
        centre = view.scene_at(QPointF(W / 2, H / 2))
        start = {"mode": view._mode, "level": view._level, "metres_per_pixel": view.metres_per_pixel(),
                 "centre": [centre.x(), -centre.y()], "areas_shown": len(london_areas) if areas_shown else 0}
        got = _record(app, view, script(W, H), clock)
        centre = view.scene_at(QPointF(W / 2, H / 2))
        got.update(start=start, end={"mode": view._mode, "metres_per_pixel": view.metres_per_pixel(),
                                     "centre": [centre.x(), -centre.y()]},
                   empty_view_frame_ms=round(anchor, 3), load_average=os.getloadavg())
        recorded["scenarios"][name] = got
    view.shutdown(wait=True)
    tab.close()
    cat.close()
    out.write_text(json.dumps(recorded, indent=1) + "\n")


# -- the parent: layers built, the child run on an X server, the figures -----------------
def summary(frames: list[dict]) -> dict:
    ms = sorted(f["ms"] for f in frames)
    if not ms:
        return {"frames": 0}
    cpu = sorted(f["cpu_ms"] for f in frames)
    rank = min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))   # the 95th percentile, nearest rank
    return {"frames": len(ms), "median": statistics.median(ms), "p95": ms[rank], "max": ms[-1],
            "over_16": sum(m > 16 for m in ms), "over_33": sum(m > 33 for m in ms),
            "cpu_median": statistics.median(cpu), "cpu_p95": cpu[rank],
            "while_making": sum(f["busy_threads"] > 0 for f in frames)}


def _worst(frames: list[dict], n: int = 3) -> str:
    slow = sorted(frames, key=lambda f: -f["ms"])[:n]
    return ", ".join(f"{f['ms']:.0f} ms ({f['cause']} at {f['at_ms'] / 1000:.2f} s, {f['tiles']} tiles, "
                     f"{f['cpu_ms']:.0f} ms CPU)"
                     for f in slow)


def _build(data: Path, workdir: Path, label: str, parts: int) -> Path:
    from bench.bench_scale import _add_areas, _import, _layer_files
    from bench.harness import kept_for_run

    def build():
        _import(_layer_files(data, parts), path)
        _add_areas(path)

    path = workdir / f"smooth_{label}.gpkg"
    kept_for_run(f"units_{label}.gpkg", path, build)   # bench_scale's, when it ran before in this run
    return path


def run(data: Path, workdir: Path, quick: bool = False) -> list[dict]:
    from bench.bench_start import _Xvfb
    from bench.harness import result

    home = workdir / "home"   # settings and caches of the bench's own, not the user's
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"))
    recorded = {}
    layers = [layer for layer in LAYERS if not (quick and layer[1] == 20)]
    built = {label: _build(data, workdir, label, parts) for label, parts, _ in layers}

    def play(extra: dict[str, str]) -> None:
        for label, _, _ in layers:
            out = workdir / f"smooth_{label}.json"
            subprocess.run([sys.executable, "-m", "bench.bench_smooth", str(built[label]), str(out)],
                           cwd=ROOT, env=dict(env, **extra), check=True, timeout=900)
            recorded[label] = json.loads(out.read_text())

    if shutil.which("Xvfb"):
        with _Xvfb(SCREEN) as display:
            play({"QT_QPA_PLATFORM": "xcb", "DISPLAY": display})
    else:   # still a sequence of frames, but not through a window system: said in every note
        play({"QT_QPA_PLATFORM": "offscreen"})
    for target in (workdir / "smooth_frames.json", ROOT / "bench" / "smooth_frames.json"):
        target.write_text(json.dumps(recorded, indent=1) + "\n")

    out, by_name = [], {}
    for label, _, suffix in layers:
        rec = recorded[label]
        for gesture, got in rec["scenarios"].items():
            s = summary(got["frames"])
            name = f"smooth_{gesture}_{suffix}"
            by_name[name] = s
            load = "/".join(f"{x:.2f}" for x in got["load_average"])
            print(f"  {name}: {s['frames']} frames in {got['seconds']:.1f} s, median {s['median']:.1f} ms, "
                  f"p95 {s['p95']:.1f}, max {s['max']:.1f}, {s['over_16']} over 16 ms, {s['over_33']} over 33 ms; "
                  f"CPU median {s['cpu_median']:.1f} ms, p95 {s['cpu_p95']:.1f}; {s['while_making']} frames while "
                  f"the map made a level's parts; empty view {got['empty_view_frame_ms']:.1f} ms; "
                  f"load average {load}", flush=True)
            anchors = {"empty_view_frame": got["empty_view_frame_ms"]}
            eight = by_name.get(f"smooth_{gesture}_london_8k")
            if suffix != "london_8k" and eight:
                anchors[f"smooth_{gesture}_london_8k"] = eight["p95"]
            late = max((e["late_ms"] for e in got["events"]), default=0.0)
            note = (f"{rec['units']:,} units, {rec['platform']}, {rec['viewport'][0]}x{rec['viewport'][1]}: "
                    f"{s['frames']} frames, median {s['median']:.1f} ms, max {s['max']:.1f} ms, "
                    f"{s['over_16']} over 16 ms, {s['over_33']} over 33 ms; CPU of the GUI thread median "
                    f"{s['cpu_median']:.1f} ms, p95 {s['cpu_p95']:.1f} ms; {s['while_making']} frames while the map "
                    f"made a level's parts off the GUI thread; slowest {_worst(got['frames'])}; "
                    f"longest event-loop turn {got['longest_turn_ms']:.0f} ms, events up to {late:.0f} ms late; "
                    f"{got['start']['mode']} mode at the start, {got['start']['areas_shown']} areas shown; "
                    f"load average {load}")
            out.append(result(name, s["p95"], "<= 16 ms", anchors, note=note))
    return out


if __name__ == "__main__":
    child(Path(sys.argv[1]), Path(sys.argv[2]))
