"""A virtual borough on the real London wards: six adjoining wards across three boroughs."""

import pytest
import shapely
from PySide6.QtCore import QPointF, Qt

from models.formats.boundary_import import import_boundaries
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS, london_population_rows
from ui.document import Document
from ui.map.tab import MapTab

SIX = {  # code: borough, as the ONS file gives them
    "E05000092": "Brent",                  # Kensal Green
    "E05000098": "Brent",                  # Queens Park
    "E05000253": "Hammersmith and Fulham",  # College Park and Old Oak
    "E05000263": "Hammersmith and Fulham",  # Shepherd's Bush Green
    "E05009394": "Kensington and Chelsea",  # Dalgarno
    "E05009399": "Kensington and Chelsea",  # Notting Dale
}


@pytest.fixture
def london_tab(cat, qtbot):
    import_boundaries(cat, LONDON_WARDS, population=LONDON_POPULATION)
    tab = MapTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def test_six_wards_across_three_boroughs(london_tab, qtbot):
    tab = london_tab
    t = tab.layer.table
    rows = [t.codes.index(c) for c in SIX]
    x0, y0, x1, y1 = shapely.total_bounds(t.geometries[rows])
    tab.view.zoom_to_bounds(x0, y0, x1, y1, margin=0.3)
    tab.area_list.new_area("North Kensington")
    tab.set_tool("click")
    for r in rows:
        p = shapely.point_on_surface(t.geometries[r])
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=tab.view.mapFromScene(QPointF(p.x, -p.y)))
    area = tab.current_area()
    assert {t.codes[t.index_of()[u]] for u in area.unit_ids} == set(SIX)

    # Independent sums: the ONS population table, read here with the csv module.
    population = sum(int(row["population"]) for row in london_population_rows() if row["WD20CD"] in SIX)
    panel = tab.panel
    assert panel.text("wards") == "6"
    assert panel.text("population") == f"{population:,}"
    boroughs = panel.text("boroughs").split("<br>")
    assert sorted(boroughs) == sorted(f"{b}: 2 wards" for b in set(SIX.values()))
    assert panel.text("virtual").startswith("<b>yes</b> — spans 3 boroughs")
    assert panel.text("parts") == "one piece"
    km2 = sum(shapely.area(t.geometries[r]) for r in rows) / 1e6
    assert panel.text("km2") == f"{km2:,.2f} km²"

    # Taking out College Park and Old Oak and Dalgarno splits it: the two Brent wards
    # in the north, Notting Dale with Shepherd's Bush Green in the south; no ward alone.
    for code in ("E05000253", "E05009394"):
        p = shapely.point_on_surface(t.geometries[t.codes.index(code)])
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=tab.view.mapFromScene(QPointF(p.x, -p.y)))
    north = t.geometries[[t.codes.index(c) for c in ("E05000092", "E05000098")]]
    south = t.geometries[[t.codes.index(c) for c in ("E05000263", "E05009399")]]
    assert shapely.intersection(*north).length > 0 and shapely.intersection(*south).length > 0
    assert not shapely.intersects(shapely.union_all(north), shapely.union_all(south))
    assert panel.text("parts") == "2 separate parts"
    assert panel.text("wards") == "4"
