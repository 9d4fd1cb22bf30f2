"""The catalogue as QGIS itself draws it, with the default styles stored in the file.

QGIS is not a dependency: this runs only where a Python with QGIS's bindings exists
(Debian: apt-get install python3-qgis qgis-providers; or $QGIS_PYTHON), else it skips."""
import os
import shutil
import subprocess

import pytest
from PySide6.QtGui import QImage

from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.data import ROOT


def _qgis_python() -> str | None:
    for python in (os.environ.get("QGIS_PYTHON"), shutil.which("python3", path="/usr/bin")):
        if python and subprocess.run([python, "-c", "import qgis.core"], capture_output=True,
                                     timeout=60).returncode == 0:
            return python
    return None


def test_qgis_draws_each_area_in_its_colour_without_a_version_warning(tmp_path):
    python = _qgis_python()
    if python is None:
        pytest.skip("QGIS's Python bindings are not installed")
    path = tmp_path / "example.gpkg"
    cat = Catalogue.create(path)
    build_example(cat, shipped=True)
    colours = {a.name: a.colour for a in cat.areas.all(outlines=False)}
    cat.close()
    out = tmp_path / "qgis.png"
    done = subprocess.run([python, str(ROOT / "tests" / "helpers" / "qgis_render.py"), str(path), str(out)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert "may only be partially supported" not in done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert "renderer singleSymbol, labels on" in lines["boundary_units"]
    assert "renderer categorizedSymbol, 17 categories by 'fid'" in lines["areas"]
    first = sorted(colours, key=str.lower)[0]
    assert f"first: {first} #4c{colours[first][1:].lower()}" in lines["areas"]
    image = QImage(str(out))
    sample = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(sample) > 50   # many translucent colours over one another, not one blob
