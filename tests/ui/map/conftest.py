import pytest

from tests.helpers.map_gui import open_map_tab


@pytest.fixture
def tab(grid_cat, qtbot):
    """The map tab on the grid of squares, shown as the active window."""
    return open_map_tab(qtbot, grid_cat)
