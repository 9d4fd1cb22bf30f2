"""models/ is the pure domain: importing it must not load Qt or the ui package."""
import subprocess
import sys

from conftest import ROOT


def test_models_never_import_qt():
    code = ("import sys, pkgutil, importlib, models\n"
            "for m in pkgutil.iter_modules(models.__path__):\n"
            "    importlib.import_module('models.' + m.name)\n"
            "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui', 'shiboken6')]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
