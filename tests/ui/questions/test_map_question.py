"""Right-click a ward on the map: "Which partnerships cover it (or its borough)?" answered in the
Questions window with the sources, on the London example."""
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from tests.helpers import questions as facts
from tests.helpers.data import SEEDS
from tests.helpers.gui import make_window
from tests.helpers.map_gui import at

pytestmark = pytest.mark.skipif(not (SEEDS / "README.md").exists(), reason="the seed reports are not beside this checkout")


@pytest.fixture
def win(qtbot, london_example, tmp_path):
    w = make_window(qtbot, london_example, tmp_path / "settings.ini", tmp_path / "data")
    yield w
    w.map_tab.shutdown()
    w.close()


@pytest.mark.parametrize("item, harrow_wide", [(0, False), (1, True)])
def test_right_click_a_ward_asks_which_partnerships_cover_it(qtbot, win, item, harrow_wide):
    tab = win.show_map()
    qtbot.waitUntil(lambda: tab.layer.loaded, timeout=20000)
    t = tab.layer.table
    harrow = next(c for c, n in facts.BOROUGHS.items() if n == "Harrow")
    i = next(k for k, p in enumerate(t.parent_codes) if p == harrow)
    inside = shapely.point_on_surface(t.geometries[i])
    pos = at(tab, inside.x, inside.y)
    assert tab.view.unit_at(pos) == i
    # The right press, then the context menu event the window system follows an unaccepted one with
    # (QTest sends the mouse events to the widget directly, so it must be sent here).
    viewport = tab.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.RightButton, pos=pos)
    assert tab.view._pan_from is None          # the right button does not start a drag of the map
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                       viewport.mapToGlobal(pos)))
    qtbot.mouseRelease(viewport, Qt.MouseButton.RightButton, pos=pos)
    menu = tab.unit_menu
    qtbot.waitUntil(menu.isVisible)
    assert [a.text() for a in menu.actions()] == [f"Which Partnerships Cover {t.names[i]}?",
                                                  "Which Partnerships Cover Harrow?"]
    for _ in range(item + 1):
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    page = win.questions.where
    qtbot.waitUntil(win.questions.isVisible)
    code = harrow if harrow_wide else t.codes[i]
    assert page.place.text() == code
    assert page.summary.text().startswith(f"{'Harrow' if harrow_wide else t.names[i]} ({code})")
    names = {page.table.item(r, 0).text() for r in range(page.table.rowCount())}
    assert names == facts.covering_borough(harrow)
    shown = {page.sources.item(r).text() for r in range(page.sources.count())}
    assert shown == {f"{title} ({year})" + (f", {p}" if p else "") for title, year, p in facts.cited(*names)}
