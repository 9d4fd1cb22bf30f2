"""Starting the GUI: the application object, the default catalogue, the main window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from models.catalogue import Catalogue
from models.errors import CatalogueError

APP_NAME = "Partnership Atlas"
ORG_NAME = "Partnership Atlas"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    return app


def default_catalogue_path() -> Path:
    """<user data folder>/catalogue.gpkg, e.g. ~/.local/share/Partnership Atlas/ on Linux."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    return folder / "catalogue.gpkg"


def run(path: str | None = None) -> int:
    app = make_application()
    from .main_window import MainWindow

    target = Path(path) if path else default_catalogue_path()
    try:
        catalogue = Catalogue.open_or_create(target) if not path else Catalogue.open(target)
    except CatalogueError as e:
        QMessageBox.critical(None, APP_NAME, str(e))
        return 2
    window = MainWindow(catalogue)
    window.show()
    return app.exec()
