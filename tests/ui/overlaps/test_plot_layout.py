"""The Overlaps plots keep still and keep their data visible: a hover note that does not move
the matrix, an UpSet plot that uses its space, legends that cover no cell or bar."""
from __future__ import annotations

import dataclasses

from tests.helpers.overlaps_gui import hover, settle, show_tab

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
        assert widget.note.text() == heat.describe(row, col)   # the hover was seen...
        assert heat.geometry() == before                       # ...and the matrix did not move
    assert widget.note.height() <= widget.note.fontMetrics().lineSpacing() * 1.6   # one line
    assert widget.note.is_cut() and widget.note.toolTip() == widget.note.text()   # the rest on demand
