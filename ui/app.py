"""Starting the GUI: the application object, closing on signals, the main window on the catalogue
ui.files.opening chose."""
from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.errors import CatalogueError
from models.storage import paths
from models.storage.backups import Backups
from models.storage.paths import APP_NAME

ORG_NAME = APP_NAME


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
    window.show()
    signals.watch(window)
    if signals.requested:   # asked to stop while starting: close before the loop runs
        window.close()
        return 0
    tell(window, opened)
    return app.exec()
