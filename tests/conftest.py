"""Shared fixtures. Qt runs headless; real ONS data is used where ../shared/data exists.
Helpers the tests import live in tests/helpers/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402

from models.catalogue import Catalogue  # noqa: E402
from tests.helpers.grid import write_grid_geojson  # noqa: E402
from tests.helpers.home import private_home  # noqa: E402

# Fixtures every room may use: `window` (the main window on a small catalogue) and `grid`
# (the grid of squares with three overlapping areas).
pytest_plugins = ["tests.helpers.gui", "tests.helpers.overlap_grid"]


def pytest_configure(config):
    config.addinivalue_line("markers", "gui: drives Qt widgets; `make test` runs these under Xvfb too")


def pytest_collection_modifyitems(config, items):
    # `make test` runs these again under Xvfb (QT_QPA_PLATFORM=xcb) with `-m gui`: key bindings,
    # focus and window activation differ from the offscreen platform.
    ui = Path(__file__).parent / "ui"
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()) or ui in Path(item.fspath).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    # Backups, level-of-detail caches and settings go to the user's folders: keep the suite out of them.
    for name, value in private_home(tmp_path).items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def grid_geojson(tmp_path) -> Path:
    return write_grid_geojson(tmp_path / "grid.geojson")


@pytest.fixture
def cat(tmp_path):
    c = Catalogue.create(tmp_path / "test.gpkg")
    yield c
    c.close()


@pytest.fixture
def grid_cat(cat, grid_geojson):
    from models.formats.boundary_import import import_boundaries
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    return cat


@pytest.fixture(scope="session")
def london_example_file(tmp_path_factory) -> Path:
    """The example catalogue over London's shipped wards (2020 and 2022) and boroughs, built
    once for the session: tests copy it (`london_example`) before changing anything."""
    from models.formats.example import build_example
    path = tmp_path_factory.mktemp("london-example") / "example.gpkg"
    with Catalogue.create(path) as c:
        build_example(c, shipped=True)
    return path


@pytest.fixture
def london_example(london_example_file, tmp_path) -> Path:
    """A copy of the London example of one's own."""
    path = tmp_path / "example.gpkg"
    shutil.copy(london_example_file, path)
    return path
