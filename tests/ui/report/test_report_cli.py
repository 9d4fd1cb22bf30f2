"""`python main.py report FILE OUT.pdf [--partnership NAME …]`: the one command that loads Qt
(QtGui on the offscreen platform, no widgets); every other command stays Qt-free."""
import os
import subprocess
import sys

import main
from models.errors import plural
from tests.helpers.data import ROOT
from tests.helpers.home import private_home
from tests.helpers.pdf import pdf_pages


def test_report_of_named_partnerships(qapp, london_example, tmp_path, capsys):
    out = tmp_path / "two.pdf"
    code = main.main(["report", str(london_example), str(out), "--partnership", "west london alliance",
                      "--partnership", "Downham"])
    printed, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert printed == f"wrote two.pdf: {plural(len(pdf_pages(out)), 'page')}, 2 partnerships\n"
    text = " ".join(pdf_pages(out))
    assert "West London Alliance sub-regional partnership" in text
    assert "Downham Health and Leisure Centre (Lewisham)" in text and "Overlaps" not in text


def test_an_unknown_partnership_is_one_line_with_the_closest_and_exit_2(qapp, london_example, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    code = main.main(["report", str(london_example), str(out), "--partnership", "West Londn Aliance"])
    printed, err = capsys.readouterr()
    assert code == 2 and printed == ""
    assert err == "error: no partnership 'West Londn Aliance'; closest: West London Alliance, West London Zone\n"
    assert not out.exists()


_RUN_AND_LOOK = (
    "import sys, main\n"
    "code = main.main(sys.argv[1:])\n"
    "print(code, sorted(n for n in sys.modules if n.startswith(('PySide6.QtWidgets', 'ui.main_window'))),\n"
    "      'PySide6.QtGui' in sys.modules)\n")


def test_the_report_command_runs_without_a_display_or_widgets(tmp_path):
    from models.catalogue import Catalogue
    from tests.helpers.catalogues import small_catalogue
    file, out = tmp_path / "c.gpkg", tmp_path / "c.pdf"
    with Catalogue.create(file) as cat:
        small_catalogue(cat)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", _RUN_AND_LOOK, "report", str(file), str(out)], cwd=ROOT,
                            capture_output=True, text=True, env=dict(env, **private_home(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote c.pdf: 4 pages, 2 partnerships", "0 [] True"]
    assert "Young Foundation (2008). A collaborative city?" in " ".join(pdf_pages(out))
