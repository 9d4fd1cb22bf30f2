"""The app closes cleanly on SIGTERM (a desktop logging out): lock released, WAL folded back."""
import os
import signal
import subprocess
import sys
import time

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from tests.helpers.data import ROOT


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="POSIX signals")
def test_sigterm_closes_the_catalogue_like_the_close_box(tmp_path):
    path = tmp_path / "term.gpkg"
    with Catalogue.create(path) as cat:
        cat.partnerships.add(Partnership("Kept"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    app = subprocess.Popen([sys.executable, "main.py", str(path)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lock = tmp_path / "term.gpkg.lock"
    try:
        for _ in range(600):   # the window is up once it holds the lock (the handler is installed before that)
            if lock.exists() or app.poll() is not None:
                break
            time.sleep(0.1)
        assert lock.exists(), app.communicate(timeout=5)[0].decode()
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=60) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert sorted(p.name for p in tmp_path.glob("term.gpkg*")) == ["term.gpkg"]
    with Catalogue.open(path) as cat:
        assert [p.name for p in cat.partnerships.all()] == ["Kept"]
