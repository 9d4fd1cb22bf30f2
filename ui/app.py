"""Starting the GUI: the application object, which catalogue to open, the main window."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.catalogue import Catalogue
from models.errors import CatalogueError, CatalogueInUse, DamagedCatalogue, ForeignSchema
from models.storage import lock, paths
from models.storage.backups import Backups
from models.storage.paths import APP_NAME, default_catalogue_path

ORG_NAME = APP_NAME


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    return app


def _open_or_read(opener, path, backups: Backups | None) -> Catalogue:
    """Opened for writing, or read-only while another Partnership Atlas is editing it."""
    try:
        return opener(path, backups=backups)
    except CatalogueInUse:
        return Catalogue.open(path, read_only=True)


def _first_openable(paths: list[Path], backups: Backups | None = None) -> Catalogue | None:
    for p in paths:
        try:
            return _open_or_read(Catalogue.open, p, backups)
        except DamagedCatalogue:   # the user must hear of it, not get another file silently
            raise
        except CatalogueError:
            continue
    return None


def startup_catalogue(settings: QSettings, path: str | None = None, backups: Backups | None = None) -> Catalogue:
    """`path`, else the catalogue used last, else the default one (created on first run)."""
    if path:
        return _open_or_read(Catalogue.open, path, backups)
    recent = settings.value("files/recent", [])
    recent = [recent] if isinstance(recent, str) else list(recent or [])
    return (_first_openable([Path(p) for p in recent[:1]], backups)
            or _open_or_read(Catalogue.open_or_create, default_catalogue_path(), backups))


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
    from ui.files.foreign_dialog import open_instead, tell_in_use
    from ui.files.recovery import offer_recovery
    from ui.main_window import MainWindow

    signals = CloseOnSignals()
    settings = QSettings()
    backups = Backups(paths.backups_folder())
    recovered = None
    try:
        try:
            catalogue = startup_catalogue(settings, path, backups)
        except ForeignSchema as e:
            catalogue = open_instead(None, Path(path) if path else default_catalogue_path(), e)
            if catalogue is None:
                return 2
    except DamagedCatalogue as e:
        recovered = offer_recovery(None, e.path, e, backups)
        if recovered is None:
            return 2
        catalogue = recovered.catalogue
    except CatalogueError as e:
        QMessageBox.critical(None, APP_NAME, str(e))
        return 2
    window = MainWindow(catalogue, settings)
    window.show()
    signals.watch(window)
    if signals.requested:   # asked to stop while starting: close before the loop runs
        window.close()
        return 0
    holder = lock.holder(catalogue.path) if catalogue.read_only else None
    if holder:
        tell_in_use(window, catalogue.path, holder)
    if recovered is not None:
        window.show_message("Catalogue recovered", recovered.message, QMessageBox.Icon.Information)
    return app.exec()
