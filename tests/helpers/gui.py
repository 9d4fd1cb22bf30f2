"""Fixtures for driving the real main window headless."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from models.catalogue import Catalogue
from tests.helpers.catalogues import small_catalogue


def make_window(qtbot, path, settings_path, data_folder):
    from ui.main_window import MainWindow

    catalogue = path if isinstance(path, Catalogue) else Catalogue.open(path)
    window = MainWindow(catalogue, QSettings(str(settings_path), QSettings.Format.IniFormat),
                        data_folder)
    qtbot.addWidget(window)
    window.resize(1300, 850)
    show_active(qtbot, window)
    return window


def show_active(qtbot, widget) -> None:
    """Show a top-level widget and wait until it is the active window, not only shown: under a
    real X server (make test runs the GUI tests under Xvfb, with no window manager) focus and
    shortcuts need the window activated, which arrives asynchronously."""
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    qtbot.waitExposed(widget)


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window on a small catalogue (two partnerships, three boroughs, one source)."""
    path = tmp_path / "small.gpkg"
    cat = Catalogue.create(path)
    small_catalogue(cat)
    cat.close()
    w = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    yield w
    if w.document is not None:
        w.close()


def list_names(window) -> list[str]:
    model = window.catalogue_view.list.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def members_shown(window) -> list[tuple[str, str, str]]:
    model = window.catalogue_view.editor.members.model
    return [(model.index(r, 0).data(), model.index(r, 1).data(), model.index(r, 2).data())
            for r in range(model.rowCount())]
