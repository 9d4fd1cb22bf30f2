"""A virtual borough on the real London wards: six adjoining wards across three boroughs."""

import pytest
import shapely
from PySide6.QtCore import QPointF, Qt

from models.formats.boundary_import import import_boundaries
from tests.helpers.data import (
    LONDON_BOROUGHS,
    LONDON_POPULATION,
    LONDON_WARDS,
    london_population_rows,
    london_ward_features,
)
from tests.helpers.gui import show_active
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
    show_active(qtbot, tab)
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


def test_a_drawn_area_reports_boroughs_and_population_by_share(london_tab, qtbot):
    """A free polygon across the Hammersmith and Fulham / Kensington and Chelsea boundary,
    drawn with the polygon tool: boroughs, the cross-boundary flag and the population
    apportioned by the share of each ward it covers, checked against the ONS table."""
    tab = london_tab
    t = tab.layer.table
    a, b = (t.geometries[t.codes.index(c)] for c in ("E05000263", "E05009399"))
    mid = shapely.intersection(a, b).centroid
    tab.view.zoom_to_bounds(mid.x - 1500, mid.y - 1500, mid.x + 1500, mid.y + 1500)
    tab.area_list.new_area("Drawn across")
    tab.set_tool("polygon")
    vp = tab.view.viewport()
    for dx, dy in ((-700, -500), (700, -500), (700, 500), (-700, 500)):
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=tab.view.mapFromScene(QPointF(mid.x + dx, -(mid.y + dy))))
    qtbot.keyClick(vp, Qt.Key.Key_Return)
    drawn = tab.current_area().drawn
    assert drawn is not None and tab.current_area().unit_ids == frozenset()

    people = {row["WD20CD"]: int(row["population"]) for row in london_population_rows() if row["population"]}
    expected, boroughs = 0.0, set()
    for code, geom, parent in zip(t.codes, t.geometries, t.parent_codes):
        share = shapely.intersection(geom, drawn).area / geom.area
        expected += people.get(code, 0) * share
        if share >= 0.05:
            boroughs.add(tab.layer.borough_names[parent])
    assert boroughs == {"Hammersmith and Fulham", "Kensington and Chelsea"}
    panel = tab.panel
    assert panel.text("population") == f"{expected:,.0f} (by share of each ward's area)"
    assert sorted(line.split(":")[0] for line in panel.text("boroughs").split("<br>")) == sorted(boroughs)
    assert panel.text("virtual").startswith("<b>yes</b> — spans 2 boroughs")
    assert panel.text("km2") == f"{drawn.area / 1e6:,.2f} km²"


def _no_overlaps(rects) -> bool:
    return not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])


def test_borough_names_at_middle_zoom_and_ward_names_zoomed_in_never_overlap(london_tab, qtbot):
    tab, view = london_tab, london_tab.view
    boroughs = set(tab.layer.borough_names.values())
    wards = set(tab.layer.table.names)
    view.viewport().grab()
    placed = view.labeller.placed
    # All of London: borough names only, most of the 33 (the rest would collide).
    kinds = {kind for kind, _, _ in placed}
    assert kinds == {0} and {t for _, t, _ in placed} <= boroughs and len(placed) >= 20
    assert _no_overlaps([r for _, _, r in placed])
    assert all(view.viewport().rect().contains(r.toRect()) for _, _, r in placed)
    # Zoomed in on Holland: ward names, each once on screen and clear of the others.
    tab.find("Holland")
    for _ in range(2):
        view.zoom_by(1 / 1.5)
    qtbot.waitUntil(lambda: not view.units.settling)   # names come back once the zoom steps stop
    view.viewport().grab()
    placed = view.labeller.placed
    names = [t for kind, t, _ in placed if kind == 1]
    assert "Holland" in names and set(names) <= wards and len(names) >= 15
    assert _no_overlaps([r for _, _, r in placed])
    # The labels are what the user sees: the pixels under a label's box are not all fill.
    _, _, rect = next(p for p in placed if p[1] == "Holland")

    def dark_in_label() -> int:
        image = view.viewport().grab().toImage()
        return sum(image.pixelColor(x, y).lightness() < 110 for x in range(int(rect.left()), int(rect.right()))
                   for y in range(int(rect.top()), int(rect.bottom())))

    shown = dark_in_label()
    assert shown >= 20
    tab.layer_actions["labels"].trigger()  # the Labels button: names off
    assert dark_in_label() < shown / 4


def test_borough_names_come_from_a_borough_layer_when_wards_have_no_parents(cat, qtbot, tmp_path):
    import json

    wards = {"type": "FeatureCollection", "features": london_ward_features()}
    for f in wards["features"]:  # the same wards, without their borough fields
        f["properties"] = {k: v for k, v in f["properties"].items() if not k.startswith("LAD")}
    bare = tmp_path / "wards_without_boroughs.geojson"
    bare.write_text(json.dumps(wards), encoding="utf-8")
    import_boundaries(cat, bare, name="Wards", level="ward")
    tab = MapTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    show_active(qtbot, tab)
    assert not any(tab.layer.table.parent_codes)
    tab.view.viewport().grab()
    assert tab.view.labeller.placed == []  # no boroughs known yet
    # Importing the boroughs as a layer of their own names them on the ward map.
    tab.document.edit("Import boroughs", lambda: import_boundaries(
        cat, LONDON_BOROUGHS, name="Boroughs", level="borough")[0])
    assert tab.layer.table is not None and tab.layer_combo.currentText().startswith("Wards")
    tab.view.viewport().grab()
    names = {t for kind, t, _ in tab.view.labeller.placed if kind == 0}
    assert len(names) >= 20 and {"Westminster", "Camden"} <= names


def test_a_wheel_notch_over_holland_keeps_holland_under_the_pointer(london_tab, qtbot):
    """The report: one notch over the map threw Holland ward from (396, 407) off screen."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    tab, view = london_tab, london_tab.view
    t = tab.layer.table
    p = shapely.point_on_surface(t.geometries[t.codes.index("E05009397")])   # Holland
    pos = view.mapFromScene(QPointF(p.x, -p.y))
    vp = view.viewport()
    qtbot.mouseMove(vp, pos)
    for notches in (1, 1, -1, 2):
        event = QWheelEvent(QPointF(pos), QPointF(vp.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * notches),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(vp, event)
        now = view.mapFromScene(QPointF(p.x, -p.y))
        assert abs(now.x() - pos.x()) <= 1 and abs(now.y() - pos.y()) <= 1, (pos, now)
    assert view.unit_at(pos) == t.codes.index("E05009397")
