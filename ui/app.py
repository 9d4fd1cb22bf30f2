"""Starting the GUI: the application object, which catalogue to open, the main window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from models.backups import Backups
from models.catalogue import Catalogue
from models.errors import CatalogueError, DamagedCatalogue

APP_NAME = "Partnership Atlas"
ORG_NAME = "Partnership Atlas"
BACKUPS_FOLDER = "Backups"   # in the user data folder, beside the default catalogue


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    return app


def default_catalogue_path() -> Path:
    """<user data folder>/catalogue.gpkg, e.g. ~/.local/share/Partnership Atlas/ on Linux."""
    # AppDataLocation would nest organisation and application ("Partnership Atlas/Partnership
    # Atlas"); the generic data folder plus our name is the one folder researchers expect.
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation))
    return folder / APP_NAME / "catalogue.gpkg"


def _first_openable(paths: list[Path], backups: Backups | None = None) -> Catalogue | None:
    for p in paths:
        try:
            return Catalogue.open(p, backups=backups)
        except DamagedCatalogue:   # the user must hear of it, not get another file silently
            raise
        except CatalogueError:
            continue
    return None


def startup_catalogue(settings: QSettings, path: str | None = None, backups: Backups | None = None) -> Catalogue:
    """`path`, else the catalogue used last, else the default one (created on first run)."""
    if path:
        return Catalogue.open(path, backups=backups)
    recent = settings.value("files/recent", [])
    recent = [recent] if isinstance(recent, str) else list(recent or [])
    return (_first_openable([Path(p) for p in recent[:1]], backups)
            or Catalogue.open_or_create(default_catalogue_path(), backups=backups))


def run(path: str | None = None) -> int:
    app = make_application()
    from .main_window import MainWindow
    from .recovery import offer_recovery

    settings = QSettings()
    backups = Backups(default_catalogue_path().parent / BACKUPS_FOLDER)
    recovered = None
    try:
        catalogue = startup_catalogue(settings, path, backups)
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
    if recovered is not None:
        window.show_message("Catalogue recovered", recovered.message, QMessageBox.Icon.Information)
    return app.exec()
