"""Start-up: how long a person waits for the window, each figure the median of fresh processes.

cold_start: `python main.py example.gpkg` (the example catalogue on the 657 London wards)
until its main window is first painted, timed from just before the process is spawned to
the `first paint` line it prints (PARTNERSHIP_ATLAS_FIRST_PAINT=1): interpreter start-up,
every import, opening the catalogue and building the window included. Anchor
bare_pyside6_window: a QApplication and an empty QMainWindow shown and painted, in a fresh
process timed the same way, in the same run (runs alternate, so both see the same load).

import_main_window: `import ui.main_window` in a fresh interpreter, the import alone; anchor
import_pyside6_widgets (PySide6.QtWidgets, which any window needs).

Under offscreen, as CI runs; the _xvfb pair again on a real X server when Xvfb is installed.
"""
from __future__ import annotations

import os
import select
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import result
from models.catalogue import Catalogue
from models.formats.example import build_example

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7            # timed processes of each kind, after one untimed (the day's backup, the disk cache)
TIMEOUT = 120.0     # seconds one process may take before the bench gives up on it

# The anchor: what any PySide6 application pays before its first window is on screen, reported
# the way the app reports it (after the window's paint event and the pass that paints its children).
BARE_WINDOW = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("first paint", flush=True), watched.close()))
        return False

app = QApplication([])
window = QMainWindow()
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1280, 820)
window.show()
app.exec()
"""

IMPORT = "import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"


def _until_first_paint(argv: list[str], env: dict[str, str]) -> float:
    """ms from spawning argv to its `first paint` line; the process is then left to close."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = b""
    try:
        # Read the pipe unbuffered: a buffered readline could hold the line back until the process exits.
        while b"\nfirst paint" not in b"\n" + seen:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, t0 + TIMEOUT - time.perf_counter()))
            chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise RuntimeError(f"{argv[-1]}: ended or took {TIMEOUT:.0f} s without a first paint: "
                                   f"{seen.decode(errors='replace').strip()[-500:]}")
            seen += chunk
        elapsed = (time.perf_counter() - t0) * 1000
        proc.stdout.read()   # until it exits: the next run starts on a quiet machine
        if proc.wait(timeout=TIMEOUT) != 0:
            raise RuntimeError(f"{argv[-1]} exited {proc.returncode} after its first paint")
        return elapsed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _import_ms(module: str, env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", IMPORT.format(module=module)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return float(out.stdout.split()[-1])


def _medians(runs: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each callable once untimed, then RUNS times in turn; the median ms of each."""
    times = {name: [] for name in runs}
    for n in range(RUNS + 1):
        for name, run in runs.items():
            ms = run()
            if n:
                times[name].append(ms)
    return {name: statistics.median(ms) for name, ms in times.items()}


class _Xvfb:
    """An X server of the bench's own for the _xvfb figures (one for all runs: starting a server
    is not part of starting the app). `screen` is WIDTHxHEIGHTxDEPTH."""

    def __init__(self, screen: str = "1600x1000x24"):
        self.screen = screen

    def __enter__(self) -> str:
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", self.screen,
                                      "-nolisten", "tcp"], pass_fds=[write],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            display = f.readline().strip()
        if not display:
            self.__exit__()
            raise RuntimeError("Xvfb did not start")
        return f":{display}"

    def __exit__(self, *_) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run(data: Path, workdir: Path) -> list[dict]:
    catalogue = workdir / "example.gpkg"
    with Catalogue.create(catalogue) as cat:
        build_example(cat, wards=data / "london_wards_2020_bgc.geojson",
                      population=data / "ward_population_mid2020_london.csv")
    home = workdir / "home"   # settings, backups and caches of the bench's own, not the user's
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), PARTNERSHIP_ATLAS_FIRST_PAINT="1")
    app = [sys.executable, str(ROOT / "main.py"), str(catalogue)]
    bare = [sys.executable, "-c", BARE_WINDOW]

    def starts(env: dict[str, str]) -> dict[str, float]:
        return _medians({"app": lambda: _until_first_paint(app, env),
                         "bare": lambda: _until_first_paint(bare, env)})

    out = []
    offscreen = dict(env, QT_QPA_PLATFORM="offscreen")
    ms = starts(offscreen)
    out.append(result("cold_start", ms["app"], "≤ 1000 ms", {"bare_pyside6_window": ms["bare"]},
                      note=f"median of {RUNS} fresh processes to the first paint, offscreen"))
    imports = _medians({"window": lambda: _import_ms("ui.main_window", offscreen),
                        "widgets": lambda: _import_ms("PySide6.QtWidgets", offscreen)})
    out.append(result("import_main_window", imports["window"], "≤ 500 ms",
                      {"import_pyside6_widgets": imports["widgets"]},
                      note=f"median of {RUNS} fresh interpreters, the import alone"))
    if shutil.which("Xvfb"):
        with _Xvfb() as display:
            ms = starts(dict(env, QT_QPA_PLATFORM="xcb", DISPLAY=display))
        out.append(result("cold_start_xvfb", ms["app"], "≤ 1000 ms", {"bare_pyside6_window_xvfb": ms["bare"]},
                          note=f"median of {RUNS} fresh processes to the first paint, on Xvfb"))
    return out
