"""The example over London's shipped wards with the starter pack loaded from the File menu: the
tab, the map's outlines and the measures agree (the figures the tab shows are the model's, the
wards the map paints for a cell are the pair's parts, and each ICB is outlined by its wards)."""
import json

import numpy as np
import pytest
import shapely
from PySide6.QtCore import Qt

from models.analysis.coterminosity import measure, parts
from models.catalogue import Catalogue
from models.formats.example import build_example
from tests.helpers.cli import run
from tests.helpers.gui import make_window
from ui.coterminosity.model import FIXED, percent


@pytest.fixture(scope="module")
def example_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("london") / "example.gpkg"
    cat = Catalogue.create(path)
    build_example(cat, shipped=True)
    cat.close()
    return path


@pytest.fixture
def window(qtbot, example_file, tmp_path):
    path = tmp_path / "example.gpkg"
    path.write_bytes(example_file.read_bytes())
    w = make_window(qtbot, path, tmp_path / "s.ini", tmp_path / "data")
    file_menu = next(a.menu() for a in w.menuBar().actions() if a.text().replace("&", "") == "File")
    imports = next(a.menu() for a in file_menu.actions() if a.text().replace("&", "") == "Import")
    next(a for a in imports.actions() if a.text().replace("&", "") == "London Starter Pack").trigger()
    yield w
    w._map_slot.shutdown()


def test_the_tab_shows_the_models_figures_for_the_icbs(qtbot, window):
    cat = window.catalogue
    assert window.undo_action.text().replace("&", "") == "Undo Import the London starter pack"
    tab = window.show_coterminosity()
    # People are counted on the 2020 wards (the shipped populations are theirs): in force in 2021.
    tab.choose("ICBs", by="population", year=2021)
    expected = measure(cat, "ICBs 2022", by="population", as_of="2021")
    assert "London wards 2020" in tab.figures.text()
    model = tab.matrix
    shown = {model.index(r, 0).data(): (model.index(r, 1).data(), model.index(r, 2).data())
             for r in range(model.rowCount())}
    assert shown == {s.area: (s.category, s.split_into) for s in expected.summary}
    # Every borough-based area of the example falls in one of the categories.
    assert set(c for c, _ in shown.values()) <= {"coterminous", "nested", "contains", "split"}
    assert f"{expected.nesting_index:.3f}" in tab.figures.text()


def test_the_tab_and_the_command_line_agree(qtbot, window, capsys):
    tab = window.show_coterminosity()
    tab.choose("ICBs", by="units")
    code, out, _ = run(capsys, "coterminosity", window.catalogue.path, "--layer", "icb", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    model = tab.matrix
    assert {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())} == \
        {s["area"]: s["category"] for s in answer["summary"]}
    cells = {(s.area, ref.name): model.index(r, len(FIXED) + c).data()
             for r, s in enumerate(model.rows) for c, ref in enumerate(model.references)}
    assert all(cells[p["area"], p["reference"]] == percent(p["a_in_b"]) for p in answer["pairs"])


def test_a_cell_paints_the_pairs_parts_and_outlines_the_icbs(qtbot, window):
    cat = window.catalogue
    tab = window.show_coterminosity()
    tab.choose("ICBs", by="units")
    view = tab.matrix_view
    proxy = view.model()
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "North London Waste Authority")
    col = next(c for c in range(proxy.columnCount())
               if proxy.headerData(c, Qt.Orientation.Horizontal) == "North Central London")
    index = proxy.index(row, col)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    m = window.map_tab
    assert window.tabs.currentWidget() is window._map_slot and m.layer.id == tab.result.layer_id
    area_id, ref_id = index.data(Qt.ItemDataRole.UserRole + 1)
    inside, outside, ref_only = parts(cat, area_id, ref_id, m.layer.id)
    fill, ids = m.view.effective_fill(), m.layer.table.ids
    for k, expected in ((1, inside), (2, outside), (3, ref_only)):
        assert sorted(int(u) for u in ids[fill == k]) == sorted(int(u) for u in expected)
    # The ICBs are outlined: one item, five names, each outline the union of its wards.
    g = cat.references.find("ICBs 2022")
    drawn = m.references.outlines.geographies[g.id]
    assert len(drawn.names) == 5
    sets = cat.references.unit_sets(g.id, m.layer.id)
    ncl = next(a for a in cat.references.areas(g.id) if a.id == ref_id)
    outline = drawn.geometries[drawn.names.index(ncl.name)]
    wards = shapely.coverage_union_all(m.layer.table.geometries[m.layer.rows(sets[ref_id])])
    assert abs(outline.area - wards.area) < 1 and np.isclose(outline.length, wards.length)
