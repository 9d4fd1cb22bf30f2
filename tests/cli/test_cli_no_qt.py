"""The CLI is a face of its own: running a command never imports Qt, pyqtgraph or the ui package."""
import os
import subprocess
import sys

import pytest

from models.catalogue import Catalogue
from tests.helpers.data import ROOT
from tests.helpers.home import private_home

_RUN_AND_LOOK = (
    "import sys, main\n"
    "try:\n"
    "    code = main.main(sys.argv[1:])\n"
    "except SystemExit as e:  # --help exits from argparse\n"
    "    code = e.code\n"
    "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'ui'))\n"
    "print(code, bad)\n"
    "sys.exit(3 if bad else 0)\n")


@pytest.mark.parametrize("argv", [["--help"], ["list", "{file}"], ["list", "{file}", "--json"],
                                  ["check", "{file}"], ["import-partnerships", "{file}", "{csv}"]])
def test_the_cli_never_loads_qt(tmp_path, argv):
    file, csv = tmp_path / "c.gpkg", tmp_path / "p.csv"
    Catalogue.create(file).close()
    csv.write_text("name,kind,start,members\nWest London Alliance,sub-regional partnership,1997,Brent\n")
    argv = [a.format(file=file, csv=csv) for a in argv]
    result = subprocess.run([sys.executable, "-c", _RUN_AND_LOOK, *argv], cwd=ROOT, capture_output=True,
                            text=True, env=dict(os.environ, **private_home(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "0 []"
