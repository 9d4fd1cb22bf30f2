"""The Overlaps tab as a user drives it: clicks on the plots, the year slider, exports."""
from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from models.catalogue.records import Area
from tests.helpers.data import ROOT
from tests.helpers.overlaps_gui import click_check_box, click_plot_tab
from ui.document import Document


def test_pyqtgraph_waits_until_the_tab_is_shown():
    code = ("import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "import sys\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from models.catalogue import Catalogue\n"
            "from ui.document import Document\n"
            "from ui.overlaps.tab import OverlapsTab\n"
            "import tempfile, pathlib\n"
            "cat = Catalogue.create(pathlib.Path(tempfile.mkdtemp()) / 'x.gpkg')\n"
            "t = OverlapsTab(Document(cat))\n"
            "before = 'pyqtgraph' in sys.modules\n"
            "t.show(); app.processEvents()\n"
            "print(before, 'pyqtgraph' in sys.modules)\n"
            "t.close(); del t\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split()[:2] == ["False", "True"], out.stdout + out.stderr


def test_clicking_a_matrix_cell_selects_that_pair(qtbot, tab):
    widget, _, _, ids = tab
    heat = widget.heatmap
    names = heat.matrix.names
    row, col = names.index("A"), names.index("B")
    with qtbot.waitSignal(widget.pair_selected, timeout=2000) as signal:
        qtbot.mouseClick(heat.viewport(), Qt.MouseButton.LeftButton, pos=heat.cell_centre(row, col).toPoint())
    assert signal.args == [ids["A"], ids["B"]]
    assert "A × B: 2 wards shared; Jaccard 0.286" in widget.note.text()
    assert heat.selection.isVisible()


def test_clicking_the_diagonal_selects_nothing(qtbot, tab):
    widget, *_ = tab
    heat = widget.heatmap
    with qtbot.assertNotEmitted(widget.pair_selected):
        qtbot.mouseClick(heat.viewport(), Qt.MouseButton.LeftButton, pos=heat.cell_centre(1, 1).toPoint())


def test_hovering_a_cell_shows_its_numbers(tab):
    widget, *_ = tab
    heat = widget.heatmap
    row, col = heat.matrix.names.index("A"), heat.matrix.names.index("C")
    assert heat.describe(row, col) == ("A × C: 2 wards shared; Jaccard 0.500; 50% of A lies in C, "
                                       "100% of C in A")


def test_members_matrix_selects_partnerships(qtbot, tab):
    widget, _, _, ids = tab
    widget.measure.setCurrentIndex(widget.measure.findData("members"))
    heat = widget.heatmap
    assert heat.matrix.names == ["P1", "P2"]
    with qtbot.waitSignal(widget.partnership_pair_selected, timeout=2000) as signal:
        qtbot.mouseClick(heat.viewport(), Qt.MouseButton.LeftButton, pos=heat.cell_centre(0, 1).toPoint())
    assert sorted(signal.args) == sorted([ids["P1"], ids["P2"]])


def test_clicking_an_upset_bar_selects_its_wards(qtbot, tab):
    widget, _, w, _ = tab
    widget.tabs.setCurrentIndex(1)
    upset = widget.upset
    assert [x.names for x in upset.items][0] == ("B",)   # the largest exclusive bar: W02 W12 W21
    with qtbot.waitSignal(widget.units_selected, timeout=2000) as signal:
        qtbot.mouseClick(upset.viewport(), Qt.MouseButton.LeftButton, pos=upset.bar_centre(0).toPoint())
    assert signal.args[0] == sorted(w[c] for c in ("W02", "W12", "W21"))
    widget.inclusive.setChecked(True)
    assert {x.names: x.units for x in upset.items}[("A",)] == 4


def test_year_slider_filters_the_list_and_the_plots(qtbot, tab):
    widget, *_ = tab
    assert widget.listed_names() == ["P1", "P2"]
    with qtbot.waitSignal(widget.year_changed) as signal:
        widget.set_year(2009)
    assert signal.args == [2009]
    assert widget.listed_names() == ["P2"]               # P1 ended in March 2008
    assert widget.heatmap.matrix.names == ["B", "C"]
    widget.tabs.setCurrentIndex(4)
    assert [r.name for r in widget.timeline.rows] == ["P2"]
    with qtbot.waitSignal(widget.year_changed) as signal:
        widget.set_year(None)
    assert signal.args == [0] and widget.listed_names() == ["P1", "P2"]


def test_unchecking_a_partnership_leaves_it_out(tab):
    widget, *_ = tab
    widget.items.item(0).setCheckState(Qt.CheckState.Unchecked)   # P1
    assert widget.heatmap.matrix.names == ["B", "C"]


def test_coverage_plot_and_its_csv(tab, tmp_path):
    widget, *_ = tab
    widget.tabs.setCurrentIndex(2)
    assert "5 of 12 wards are covered by none" in widget.note.text()
    widget.export_current(tmp_path / "coverage.csv")
    rows = list(csv.DictReader(open(tmp_path / "coverage.csv", encoding="utf-8")))
    assert {r["code"]: int(r["partnerships"]) for r in rows}["W01"] == 2
    assert {r["code"]: r["covered_by"] for r in rows}["W01"] == "P1; P2"


def test_coverage_counts_only_the_ticked_partnerships(qtbot, tab):
    widget, _, w, _ = tab
    click_plot_tab(qtbot, widget, "Coverage")
    plot = widget.coverage_plot
    assert "5 of 12 wards are covered by none" in widget.note.text()
    click_check_box(qtbot, widget.items, "P1")   # P1 is area A: W00 W01 W10 W11
    assert "6 of 12 wards are covered by none" in widget.note.text()
    counts = dict(zip(plot.coverage.unit_ids.tolist(), plot.coverage.counts.tolist()))
    assert counts[w["W10"]] == 0 and counts[w["W01"]] == 1   # W01 is still in B and C (P2)
    assert plot.coverage.coverers == ["P2"]
    assert plot.legend.items[0][1].text == "covered by none: 6 wards"
    assert plot.plot.titleLabel.text == "Wards covered by the ticked partnerships (1 of 2)"
    click_check_box(qtbot, widget.items, "P2")   # nothing ticked: every ward is covered by none
    assert "12 of 12 wards are covered by none" in widget.note.text()
    click_check_box(qtbot, widget.items, "P1")
    click_check_box(qtbot, widget.items, "P2")
    assert "5 of 12 wards are covered by none" in widget.note.text()


def test_coverage_drawn_after_unticking_elsewhere_leaves_it_out(qtbot, tab):
    widget, *_ = tab
    click_plot_tab(qtbot, widget, "Coverage")
    click_plot_tab(qtbot, widget, "Matrix")
    click_check_box(qtbot, widget.items, "P2")   # ticked off while the coverage is hidden
    click_plot_tab(qtbot, widget, "Coverage")
    assert widget.coverage_plot.coverage.coverers == ["P1"]
    assert "8 of 12 wards are covered by none" in widget.note.text()


def test_every_plot_exports_png_svg_and_csv(tab, tmp_path):
    widget, *_ = tab
    for k in range(widget.tabs.count()):
        widget.tabs.setCurrentIndex(k)
        for suffix in (".png", ".svg", ".csv"):
            path = tmp_path / f"plot{k}{suffix}"
            widget.export_current(path)
            assert path.stat().st_size > 0
        assert "<svg" in (tmp_path / f"plot{k}.svg").read_text(encoding="utf-8")
    widget.tabs.setCurrentIndex(0)
    widget.export_current(tmp_path / "matrix.csv")
    rows = list(csv.DictReader(open(tmp_path / "matrix.csv", encoding="utf-8")))
    ab = [r for r in rows if (r["row"], r["column"]) == ("A", "B")][0]
    assert (float(ab["shared"]), float(ab["row_in_column"]), float(ab["column_in_row"])) == (2.0, 0.5, 0.4)


def test_export_to_an_unknown_format_is_refused(tab, tmp_path):
    from models.errors import CatalogueError

    widget, *_ = tab
    with pytest.raises(CatalogueError, match="export as .png, .svg or .csv"):
        widget.export_current(tmp_path / "x.pdf")


def test_an_edit_redraws_the_matrix(tab):
    widget, cat, w, _ = tab
    widget.document.edit("Add area", lambda: cat.areas.add(Area("D", unit_ids=frozenset([w["W23"]]))))
    assert sorted(widget.heatmap.matrix.names) == ["A", "B", "C", "D"]
    widget.document.undo_stack.undo()
    assert sorted(widget.heatmap.matrix.names) == ["A", "B", "C"]


def test_a_filter_set_before_the_tab_is_first_shown_waits_for_it(qtbot, grid):
    """The window builds the tab when first asked for (links, the year): its filters may
    change before it has read the catalogue, and must not fail for it."""
    from ui.overlaps.tab import OverlapsTab

    cat, _, _ = grid
    tab = OverlapsTab(Document(cat))
    qtbot.addWidget(tab)
    tab.as_of.setChecked(True)      # was: AttributeError (no partnerships read yet), and nothing listed
    tab.as_of.setChecked(False)
    assert tab.listed_names() == []
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    assert len(tab.listed_names()) == len(cat.partnerships.all()) + sum(
        a.partnership_id is None for a in cat.areas.all(outlines=False))
