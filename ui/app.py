"""Starting the GUI: the application object, closing on signals, the main window on the catalogue
ui.files.opening chose."""
from __future__ import annotations

import os
import signal
import sys
import time

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.errors import CatalogueError
from models.storage import paths
from models.storage.backups import Backups
from models.storage.paths import APP_NAME

ORG_NAME = APP_NAME
# Set to 1, the app prints when its window was first painted and closes it: how a cold start is timed.
FIRST_PAINT_ENV = "PARTNERSHIP_ATLAS_FIRST_PAINT"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    return app


class CloseOnSignals:
    """SIGTERM (logging out, shutting down) and Ctrl+C in the terminal close the window as its
    close box does: the field being typed in is saved, the catalogue's WAL folded back and its
    lock released, instead of the process vanishing mid-way. Installed before the catalogue is
    opened, so a signal that arrives while the window is being built is not lost either."""

    def __init__(self):
        self.window = None
        self.requested = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self)

    def __call__(self, *_) -> None:
        self.requested = True
        if self.window is not None:
            self.window.close()

    def watch(self, window) -> None:
        self.window = window
        # Python runs a signal handler only when it next runs bytecode; Qt's event loop is C++.
        wake = QTimer(window)
        wake.timeout.connect(lambda: None)
        wake.start(250)


def since_process_start() -> float | None:
    """Seconds since this process was started (interpreter start-up included), or None where the
    system does not say (Linux does, to the clock tick)."""
    try:
        with open("/proc/self/stat") as f:
            # Field 22, counted after the command name, which may hold spaces and brackets.
            started = int(f.read().rpartition(")")[2].split()[19]) / os.sysconf("SC_CLK_TCK")
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class FirstPaint(QObject):
    """Prints `first paint after N ms` once the window has been painted, then closes it as its
    close box would. The whole window is painted in one pass: the report waits for that pass to
    end (a zero timer) after the window's own paint event."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        elapsed = since_process_start()
        shown = f"{elapsed * 1000:.0f} ms after the process started" if elapsed is not None else "(no start time)"
        print(f"first paint {shown}", flush=True)
        self.window.close()


def run(path: str | None = None) -> int:
    app = make_application()
    from ui.files.opening import open_at_startup, tell
    from ui.main_window import MainWindow

    signals = CloseOnSignals()
    settings = QSettings()
    try:
        opened = open_at_startup(settings, path, Backups(paths.backups_folder()))
    except CatalogueError as e:
        QMessageBox.critical(None, APP_NAME, str(e))
        return 2
    if opened is None:   # the user cancelled what they were asked
        return 2
    window = MainWindow(opened.catalogue, settings)
    if os.environ.get(FIRST_PAINT_ENV) == "1":
        FirstPaint(window)
    window.show()
    signals.watch(window)
    if signals.requested:   # asked to stop while starting: close before the loop runs
        window.close()
        return 0
    tell(window, opened)
    return app.exec()
