"""The `tab` fixture: the Overlaps tab on the grid (tests/helpers/overlap_grid.py), shown."""
from __future__ import annotations

import pytest

from tests.helpers.overlaps_gui import show_tab


@pytest.fixture
def tab(qtbot, grid):
    cat, w, ids = grid
    return show_tab(qtbot, cat), cat, w, ids
