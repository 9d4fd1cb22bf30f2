"""The Coterminosity tab as a user drives it, on the grid of 1 km² wards against a geography of
two halves (West = borough B1, columns 0-1; East = B2, columns 2-3):

    A = W00 W01 W10 W11          all in West: nested (4 of West's 6 wards)
    B = W01 W02 W11 W12 W21      3 wards in West, 2 in East: split into 2
    C = the box over W00, W01 (and a quarter of W02): its wards W00 W01, nested in West

The figures below are worked out here from those ward lists, not read from the model."""
import pytest
from PySide6.QtCore import QPoint, Qt

from models.catalogue.reference_geographies import NewArea, NewGeography
from tests.helpers.grid import CELL, GRID_ORIGIN
from tests.helpers.gui import make_window
from ui.coterminosity.model import FIXED, short_names

X0, Y0 = GRID_ORIGIN


def _add_halves(cat) -> int:
    return cat.references.add(NewGeography("Grid halves", agency="test"),
                              [NewArea("West", code="B1", authorities=[("B1", "")]),
                               NewArea("East", code="B2", authorities=[("B2", "")])]).id


@pytest.fixture
def window(qtbot, grid, tmp_path):
    cat, wards, ids = grid
    _add_halves(cat)
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    yield w, wards, ids
    w._map_slot.shutdown()


def _click_tab(qtbot, window, title):
    bar = window.tabs.tabBar()
    i = next(k for k in range(bar.count()) if bar.tabText(k).replace("&", "") == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    return window.tabs.widget(i)


def _open(qtbot, window):
    _click_tab(qtbot, window, "Coterminosity")
    tab = window.coterminosity_tab
    qtbot.waitUntil(lambda: tab.pages.currentWidget() is not None and tab.isVisible())
    return tab


def _cell(view, row_name, column_name):
    model = view.model()
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == column_name)
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == row_name)
    return model.index(row, col)


def _click_cell(qtbot, view, index):
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def test_the_matrix_gives_each_share_and_category(qtbot, window):
    w, _, _ = window
    tab = _open(qtbot, w)
    assert tab.pages.currentWidget() is tab.result_page
    view = tab.matrix_view
    model = view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [*FIXED, "East", "West"]
    categories = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert categories == {"A": "nested", "B": "split", "C": "nested"}
    assert _cell(view, "B", "West").data() == "60%" and _cell(view, "B", "East").data() == "40%"
    assert _cell(view, "A", "West").data() == "100%" and _cell(view, "A", "East").data() == ""
    tip = _cell(view, "B", "West").data(Qt.ItemDataRole.ToolTipRole)
    assert "60.0% of B lies in West" in tip and "50.0% of West lies in B" in tip and "Jaccard index 0.375" in tip
    assert _cell(view, "B", "Split into").data() == 2 and _cell(view, "B", "Best fit").data() == "West"
    # Darker for more: B's 60 % in West is shaded darker than its 40 % in East.
    west = _cell(view, "B", "West").data(Qt.ItemDataRole.BackgroundRole)
    east = _cell(view, "B", "East").data(Qt.ItemDataRole.BackgroundRole)
    assert west.lightness() < east.lightness()
    assert "2 nested, 1 split" in tab.figures.text()


def test_clicking_a_header_sorts_by_fit(qtbot, window):
    w, _, _ = window
    tab = _open(qtbot, w)
    view = tab.matrix_view
    header = view.horizontalHeader()
    col = FIXED.index("Jaccard")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    order = [view.model().index(r, 0).data() for r in range(view.model().rowCount())]
    # Best Jaccard: C 2/6 (its 2 wards of West's 6), B 3/8, A 4/6; by number, not as text.
    assert order == ["C", "B", "A"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert [view.model().index(r, 0).data() for r in range(view.model().rowCount())] == order[::-1]


def test_clicking_a_cell_shows_both_parts_on_the_map(qtbot, window):
    w, wards, ids = window
    tab = _open(qtbot, w)
    _click_cell(qtbot, tab.matrix_view, _cell(tab.matrix_view, "B", "East"))
    assert w.tabs.currentWidget() is w._map_slot
    m = w.map_tab
    fill = m.view.effective_fill()
    codes = m.layer.table.codes
    shown = {k: sorted(codes[i] for i in range(len(codes)) if fill[i] == k) for k in (1, 2, 3)}
    assert shown == {1: ["W02", "W12"], 2: ["W01", "W11", "W21"], 3: ["W03", "W13", "W22", "W23"]}
    assert [r.text for r in m.legend.rows] == ["In both (2)", "B only (3)", "East only (4)",
                                               "Grid halves (outlines)"]
    assert m.references.shown() == [tab.geography_id()]
    # Fitted to the pair (columns 1-3) once the map, built by this click, is laid out.
    qtbot.wait(50)
    seen = m.view.mapToScene(m.view.viewport().rect()).boundingRect()
    assert seen.left() <= X0 + CELL and seen.right() >= X0 + 4 * CELL and seen.width() < 3 * 3 * CELL
    assert "Map tab" in w.statusBar().currentMessage()


def test_the_summary_line_follows_the_selected_row(qtbot, window):
    w, _, _ = window
    tab = _open(qtbot, w)
    view = tab.matrix_view
    _click_cell(qtbot, view, _cell(view, "A", "Category"))
    assert tab.line.text().startswith("A: nested in West; best fit West (Jaccard 0.67")
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert tab.line.text().startswith(f"{view.currentIndex().siblingAtColumn(0).data()}: ")


def test_the_other_way_round_gives_each_reference_areas_best_fit(qtbot, window):
    w, _, _ = window
    tab = _open(qtbot, w)
    bar = tab.tables.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    model = tab.best_view.model()
    rows = {model.index(r, 0).data(): (model.index(r, 1).data(), model.index(r, 2).data(), model.index(r, 5).data())
            for r in range(model.rowCount())}
    # West: A 4/6 beats B 3/8 and C 2/6; East: only B touches it, 2/(5+6-2).
    assert rows == {"West": ("A", "0.67", 3), "East": ("B", "0.22", 1)}


def test_without_reference_geographies_the_tab_says_how_to_get_them(qtbot, grid, tmp_path):
    cat, _, _ = grid
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    tab = _open(qtbot, w)
    assert tab.pages.currentWidget() is tab.empty_page
    assert "No reference geographies yet" in tab.empty_text.text() and tab.pack_button.isVisible()
    assert not tab.geography.isEnabled() and not tab.measure.isEnabled()


def test_a_geography_off_the_loaded_wards_gets_the_models_message(qtbot, grid, tmp_path):
    from models.catalogue.records import Organisation
    cat, _, _ = grid
    cat.organisations.add(Organisation("Elsewhere", gss_code="E09000099"))
    cat.references.add(NewGeography("Far away"), [NewArea("There", authorities=[("E09000099", "")])])
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    tab = _open(qtbot, w)
    assert tab.pages.currentWidget() is tab.message
    assert "lies outside the loaded wards" in tab.message.text()
    assert tab.matrix.rowCount() == 0


def test_headers_leave_out_the_words_every_reference_area_shares():
    assert short_names(["NHS North Central London", "NHS North East London", "NHS South East London"]) == \
        ["North Central London", "North East London", "South East London"]
    assert short_names(["Metropolitan Police", "City of London Police"]) == ["Metropolitan Police",
                                                                              "City of London Police"]
    assert short_names(["NHS London"]) == ["NHS London"] and short_names(["A B", "A"]) == ["A B", "A"]


def test_as_of_a_year_before_the_geography_the_figures_warn(qtbot, grid, tmp_path):
    cat, _, _ = grid
    cat.references.add(NewGeography("Later halves", in_force_from="2030"),
                       [NewArea("West", authorities=[("B1", "")]), NewArea("East", authorities=[("B2", "")])])
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    tab = _open(qtbot, w)
    qtbot.mouseClick(tab.as_of, Qt.MouseButton.LeftButton, pos=QPoint(8, tab.as_of.height() // 2))
    assert tab.as_of.isChecked() and tab.year.isEnabled()
    tab.year.setFocus()
    for key in (Qt.Key.Key_Home, Qt.Key.Key_Right, Qt.Key.Key_Right):   # the grid's first year is 2005
        qtbot.keyClick(tab.year, key)
    assert tab.year_label.text() == "2007"
    assert tab.pages.currentWidget() is tab.result_page
    assert "as of 2007" in tab.figures.text() and "⚠" in tab.figures.text()


def test_without_wards_the_tab_says_to_import_them(qtbot, tmp_path):
    from models.catalogue import Catalogue
    from models.catalogue.records import Organisation
    cat = Catalogue.create(tmp_path / "empty.gpkg")
    cat.organisations.add(Organisation("Camden", gss_code="E09000007"))
    cat.references.add(NewGeography("Camden only"), [NewArea("Camden", authorities=[("E09000007", "")])])
    w = make_window(qtbot, cat, tmp_path / "s.ini", tmp_path / "data")
    tab = _open(qtbot, w)
    assert tab.pages.currentWidget() is tab.message and "No ward boundaries yet" in tab.message.text()
