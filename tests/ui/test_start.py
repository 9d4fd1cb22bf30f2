"""Starting the app stays light: what the first window does not need is loaded when a person
first goes where it is needed. Guards the start-up time by what is loaded, never by a clock."""
import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt

from models.catalogue import Catalogue
from models.formats.boundary_import import import_boundaries
from tests.helpers.catalogues import small_catalogue
from tests.helpers.data import ROOT
from tests.helpers.grid import GRID_COLS, GRID_ROWS
from tests.helpers.home import private_home
from ui.lazy_tab import LazyTab

# Not needed to show the window: geometry (numpy, shapely), the overlaps' maths and plots, the
# map's tab, the geometry formats (pyproj, GDAL), spreadsheets, and sqlite-utils with the pandas
# it imports whenever pandas is installed.
DEFERRED = ("numpy", "shapely", "scipy", "pandas", "pyqtgraph", "pyproj", "pyogrio", "openpyxl", "sqlite_utils",
            "models.analysis.overlaps", "models.analysis.sets", "models.analysis.universe", "models.geo",
            "ui.map", "ui.overlaps", "ui.links", "ui.network", "models.analysis.network", "networkx")

# Records every module asked for, found or not: pandas is not installed in the app's own venv,
# and a request for it is the regression even where it would fail.
_WATCH = """
import json, sys
asked = set()
class Watch:
    def find_spec(self, name, path=None, target=None):
        asked.add(name)
        return None
sys.meta_path.insert(0, Watch())
"""

_REPORT = """
print(json.dumps({"loaded": sorted(sys.modules), "asked": sorted(asked)}))
"""


def _run(tmp_path, code: str, *argv: str) -> dict:
    env = dict(os.environ, **private_home(tmp_path), QT_QPA_PLATFORM="offscreen", PARTNERSHIP_ATLAS_FIRST_PAINT="1")
    out = subprocess.run([sys.executable, "-c", _WATCH + code + _REPORT, *argv], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def _deferred(names: list[str]) -> list[str]:
    return sorted(n for n in names if any(n == d or n.startswith(d + ".") for d in DEFERRED))


def test_importing_the_main_window_loads_nothing_deferred(tmp_path):
    seen = _run(tmp_path, "import ui.main_window\n")
    assert _deferred(seen["loaded"]) == []
    assert _deferred(seen["asked"]) == []


def test_starting_on_a_catalogue_until_the_first_paint_loads_nothing_deferred(tmp_path, grid_geojson):
    path = tmp_path / "start.gpkg"
    with Catalogue.create(path) as cat:
        small_catalogue(cat)
        import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    # main.py as a person runs it; the window closes itself after its first paint.
    seen = _run(tmp_path, "import main\nassert main.main(sys.argv[1:]) == 0\n", str(path))
    assert "ui.main_window" in seen["loaded"]
    assert _deferred(seen["loaded"]) == []
    assert _deferred(seen["asked"]) == []


def _click_tab(qtbot, window, title: str) -> None:
    bar = window.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i).replace("&", "") == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index


def test_map_and_overlaps_are_built_when_their_tab_is_first_clicked(qtbot, tmp_path, grid_geojson):
    from tests.helpers.gui import make_window

    path = tmp_path / "grid.gpkg"
    with Catalogue.create(path) as cat:
        import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    window = make_window(qtbot, path, tmp_path / "settings.ini", tmp_path / "data")
    slots = {window.tabs.tabText(i).replace("&", ""): window.tabs.widget(i) for i in range(window.tabs.count())}
    assert isinstance(slots["Map"], LazyTab) and isinstance(slots["Overlaps"], LazyTab)
    assert not slots["Map"].is_built and not slots["Overlaps"].is_built

    _click_tab(qtbot, window, "Map")
    assert slots["Map"].is_built and not slots["Overlaps"].is_built
    qtbot.waitUntil(lambda: window.map_tab.view.isVisible())
    assert window.map_tab.layer.loaded and len(window.map_tab.layer) == GRID_COLS * GRID_ROWS

    _click_tab(qtbot, window, "Overlaps")
    assert slots["Overlaps"].is_built
    qtbot.waitUntil(lambda: window.overlaps_tab.isVisible())
    assert window.overlaps_tab.plots   # the plots are built when the tab is shown
    window.close()


def test_closing_without_visiting_the_map_never_builds_it(qtbot, window):
    slot = next(window.tabs.widget(i) for i in range(window.tabs.count())
                if window.tabs.tabText(i).replace("&", "") == "Map")
    window.close()
    assert not slot.is_built
