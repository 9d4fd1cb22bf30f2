"""The Overlaps plots keep still and keep their data visible: a hover note that does not move
the matrix, an UpSet plot that uses its space, legends that cover no cell or bar."""
from __future__ import annotations

import dataclasses

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from models.catalogue.records import Area, Membership, Partnership
from tests.helpers.overlaps_gui import click_plot_tab, hover, settle, show_tab

LONG = {"A": "Olympic host boroughs Joint Borough Central Unit (Hackney, Newham)",
        "B": "West London Alliance Adult Social Care Efficiency Programme",
        "C": "Transforming Community Equipment Services in the London boroughs"}


def test_hovering_the_matrix_keeps_the_plot_still(qtbot, grid):
    cat, _, ids = grid
    for key, name in LONG.items():   # names long enough for a cell's sentence to need two lines
        cat.areas.update(dataclasses.replace(cat.areas.get(ids[key]), name=name))
    widget = show_tab(qtbot, cat)
    heat = widget.heatmap
    settle()
    before = heat.geometry()
    names = heat.matrix.names
    for a, b in (("A", "C"), ("B", "A"), ("C", "B")):
        row, col = names.index(LONG[a]), names.index(LONG[b])
        hover(qtbot, heat, heat.cell_centre(row, col).toPoint())
        # The hover was seen (a window system may deliver the move a moment later)...
        qtbot.waitUntil(lambda: widget.note.text() == heat.describe(row, col), timeout=2000)
        settle()
        assert heat.geometry() == before                       # ...and the matrix did not move
    assert widget.note.height() <= widget.note.fontMetrics().lineSpacing() * 1.6   # one line
    assert widget.note.is_cut() and widget.note.toolTip() == widget.note.text()   # the rest on demand


def _scene_rect(item) -> QRectF:
    return item.sceneBoundingRect()


def test_upset_bars_take_the_top_half_and_the_matrix_lines_up_below(qtbot, tab):
    widget, *_ = tab
    click_plot_tab(qtbot, widget, "UpSet")
    upset = widget.upset
    height = upset.viewport().height()
    bars, dots, sizes = (_scene_rect(p.vb) for p in (upset.bars_plot, upset.dots_plot, upset.sets_plot))
    assert bars.top() <= 0.08 * height                       # the bar chart starts at the top
    assert 0.35 * height <= bars.height() <= 0.6 * height     # about half
    assert dots.height() >= 0.35 * height                     # the matrix is not squeezed
    assert bars.bottom() <= dots.top() + 1                    # bars above the matrix
    assert abs(bars.left() - dots.left()) <= 1 and abs(bars.right() - dots.right()) <= 1   # same columns
    assert sizes.right() <= dots.left() and abs(sizes.top() - dots.top()) <= 1   # set sizes left of the rows
    assert abs(sizes.bottom() - dots.bottom()) <= 1
    # Each axis title sits beside its own tick labels, not at the far side of the name column.
    axis = upset.bars_plot.getAxis("left")
    title = axis.label.mapRectToScene(axis.label.boundingRect())
    assert title.top() >= bars.top() - 1 and title.bottom() <= bars.bottom() + 1
    assert bars.left() - title.right() <= 70, (bars.left(), title.right())
    size_axis = upset.sets_plot.getAxis("bottom")
    size_title = size_axis.label.mapRectToScene(size_axis.label.boundingRect())
    assert sizes.left() <= size_title.center().x() <= sizes.right()
    assert 0 <= size_title.top() - sizes.bottom() <= 60


def _cell_rects(plot) -> list[QRectF]:
    g = plot.grid
    vb = plot.plot.vb
    return [vb.mapViewToScene(QRectF(c, r, 1, 1)).boundingRect()
            for r in range(len(g.organisations)) for c in range(len(g.partnerships))]


def test_the_members_legend_covers_no_cell(qtbot, tab):
    widget, *_ = tab
    click_plot_tab(qtbot, widget, "Members")
    members = widget.members
    legend = members.legend
    assert legend.isVisible() and len(legend.items) == 1    # the one role in the grid: member
    box = legend.sceneBoundingRect()
    assert QRectF(members.viewport().rect()).contains(box)   # on the widget, not scrolled away
    assert not any(box.intersects(cell) for cell in _cell_rects(members))
    assert not box.intersects(members.plot.vb.sceneBoundingRect())


def test_the_timeline_legend_covers_no_bar(qtbot, grid):
    cat, _, ids = grid
    # Partnerships running from 2000 with no end: their bars are the top rows and reach the right edge.
    for k in range(8):
        cat.partnerships.add(Partnership(f"Running partnership {k}", start="2000"),
                             [Membership(0, ids["O1"], joined="2001")] if k == 0 else [])
    widget = show_tab(qtbot, cat)
    click_plot_tab(qtbot, widget, "Timeline")
    timeline = widget.timeline
    legend = timeline.legend
    assert legend.isVisible() and len(legend.items) >= 3   # statuses, joined, left
    box = legend.sceneBoundingRect()
    assert QRectF(timeline.viewport().rect()).contains(box)
    drawn = [item for item in timeline.plot.items if item is not timeline.year_band]
    assert drawn and not any(box.intersects(item.sceneBoundingRect()) for item in drawn)
    assert not box.intersects(timeline.plot.vb.sceneBoundingRect())


def test_every_widget_of_the_plots_area_has_a_name(qtbot, tab):
    widget, *_ = tab
    for name in ("Matrix", "UpSet", "Coverage", "Members", "Timeline"):
        click_plot_tab(qtbot, widget, name)
    shown = [widget.note, widget.tabs, *widget.plots.values(), widget.members.parentWidget().parentWidget()]
    names = [w.objectName() for w in shown]
    assert all(isinstance(w, QWidget) for w in shown)
    assert all(names) and len(set(names)) == len(names), names


def test_upset_figures_and_dots_never_run_into_each_other(qtbot, grid):
    cat, w, _ = grid
    codes = sorted(w)
    for k in range(9):   # areas of every third ward from a different start: many small intersections
        cat.areas.add(Area(f"Z{k}", unit_ids=frozenset(w[c] for c in codes[k % 4::3][:3 + k % 3])))
    widget = show_tab(qtbot, cat, width=900, height=700)
    click_plot_tab(qtbot, widget, "UpSet")
    qtbot.mouseClick(widget.inclusive, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.inclusive.height() // 2))
    widget.upset_measure.setFocus()
    qtbot.keyClick(widget.upset_measure, Qt.Key.Key_Down)   # by population: figures in the thousands
    assert widget.inclusive.isChecked() and widget.upset_measure.currentData() == "population"
    upset = widget.upset
    upset.settle()
    settle()
    vb = upset.bars_plot.vb
    pitch = vb.mapViewToScene(QPointF(1, 0)).x() - vb.mapViewToScene(QPointF(0, 0)).x()
    assert len(upset.items) >= 20 and pitch < 40   # crowded enough to matter
    figures = [t.sceneBoundingRect() for t in upset.bars_plot.items
               if isinstance(t, pg.TextItem) and t.isVisible()]
    assert not any(a.intersects(b) for i, a in enumerate(figures) for b in figures[i + 1:])
    dots = [s for s in upset.dots_plot.items if isinstance(s, pg.ScatterPlotItem)]
    assert dots and all(s.opts["size"] < pitch for s in dots)


def test_timeline_years_stay_readable_in_a_narrow_window(qtbot, tab):
    widget, *_ = tab
    widget.resize(760, 600)
    click_plot_tab(qtbot, widget, "Timeline")
    axis = widget.timeline.plot.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)   # the year labels as the axis would draw them
    finally:
        painter.end()
    rects = [rect for rect, _, text in texts if text]
    assert len(rects) >= 3
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_the_coverage_key_covers_no_ward(qtbot, tab):
    widget, *_ = tab
    click_plot_tab(qtbot, widget, "Coverage")
    coverage = widget.coverage_plot
    box = coverage.legend.sceneBoundingRect()
    assert coverage.legend.isVisible() and QRectF(coverage.viewport().rect()).contains(box)
    assert not box.intersects(coverage.plot.vb.sceneBoundingRect())
    assert [label.text for _, label in coverage.legend.items] == [
        "covered by none: 5 wards", "1 partnership: 4 wards", "2 partnerships: 3 wards"]
