"""The Overlaps tab as of a year: attested partnerships shown apart from active ones, unknown
ones only when "include undated" is ticked, and the timeline's marks at the sources' years."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from models.catalogue.records import Partnership
from tests.helpers.evidence import add_undated
from tests.helpers.overlaps_gui import click_plot_tab, settle, show_tab


def _bars_on_row(plot, row):
    import pyqtgraph as pg
    return [i for i in plot.plot.items if isinstance(i, pg.BarGraphItem) and list(i.opts["y"]) == [row]]


def test_as_of_a_year_shows_attested_apart_and_unknown_only_on_request(qtbot, grid):
    cat, _, _ = grid
    add_undated(cat)
    widget = show_tab(qtbot, cat)
    click_plot_tab(qtbot, widget, "Timeline")
    assert widget.listed_names() == ["P1", "P2", "P3", "P4"]
    # Tick "As of year" and step the slider to 2009 with the keyboard, as a person does.
    qtbot.mouseClick(widget.as_of, Qt.MouseButton.LeftButton, pos=widget.as_of.rect().center())
    assert widget.as_of.isChecked()
    qtbot.keyClick(widget.year, Qt.Key.Key_Home)
    for _ in range(2009 - widget.year.minimum()):
        qtbot.keyClick(widget.year, Qt.Key.Key_Right)
    settle()
    assert widget.year.value() == 2009
    # P2 is dated (2006 on), P3 attested by its 2009 report; P4 has no evidence and is left out.
    assert widget.listed_names() == ["P2", "P3"]
    (p3_item,) = widget.items.findItems("P3", Qt.MatchFlag.MatchExactly)
    assert p3_item.font().italic() and "attested in 2009" in p3_item.toolTip()
    rows = {r.name: r for r in widget.timeline.rows}
    assert set(rows) == {"P2", "P3"} and (rows["P2"].state, rows["P3"].state) == ("active", "attested")
    click_plot_tab(qtbot, widget, "Matrix")
    assert sorted(widget.heatmap.matrix.names) == ["B", "C", "D"]

    box = widget.include_unknown   # on its box: the check box spans the panel, its text does not
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    settle()
    assert widget.listed_names() == ["P2", "P3", "P4"]
    (p4_item,) = widget.items.findItems("P4", Qt.MatchFlag.MatchExactly)
    assert "unknown in 2009" in p4_item.toolTip()
    assert sorted(widget.heatmap.matrix.names) == ["B", "C", "D", "E"]
    click_plot_tab(qtbot, widget, "Timeline")
    assert {r.name: r.state for r in widget.timeline.rows}["P4"] == "unknown"


def test_the_timeline_marks_sources_years_and_draws_no_bar_for_undated(qtbot, grid):
    cat, _, ids = grid
    p3, p4 = add_undated(cat)
    cat.partnerships.update(Partnership("P4", first_seen="2011", last_seen="2012-06", id=p4))
    widget = show_tab(qtbot, cat)
    click_plot_tab(qtbot, widget, "Timeline")
    plot = widget.timeline
    order = [r.name for r in plot.rows]
    assert order == ["P1", "P2", "P3", "P4"]   # dated by start, then by first evidence
    # P3: a dot in the middle of 2009 and no bar across the years.
    assert (2009.5, order.index("P3")) in plot.marks
    assert _bars_on_row(plot, order.index("P3")) == []
    # P4: only the thin first–last seen bar, from 2011 to mid-2012.
    (seen,) = _bars_on_row(plot, order.index("P4"))
    assert seen.opts["x0"][0] == 2011.0 and 2012.4 < seen.opts["x0"][0] + seen.opts["width"][0] < 2012.6
    assert seen.opts["height"] < 0.3
    # Dated spans stay bars.
    assert len(_bars_on_row(plot, order.index("P1"))) == 1
    assert "cited in sources of 2009" in plot.describe(plot.rows[order.index("P3")])
    csv_rows = {r[0]: r for r in plot.csv_rows()}
    assert csv_rows["P3"][6] == "2009" and csv_rows["P4"][7:9] == ("2011", "2012-06")
