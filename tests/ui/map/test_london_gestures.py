"""Panning and zooming the real London wards as a hand does: a drag with the left button
moves the map with the pointer, wheel notches zoom about the pointer, and once the notches
stop the map turns sharp again and names its boroughs. (bench/bench_smooth.py times the same
gestures; this checks where they leave the map, never how long they take.)"""

import shapely
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from models.formats.boundary_import import import_boundaries
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS
from tests.helpers.gui import show_active
from ui.document import Document
from ui.map.tab import MapTab

LEFT = Qt.MouseButton.LeftButton
HOLLAND = "E05009397"   # a ward of Kensington and Chelsea, west of the middle of London


def wheel(vp, pos: QPoint, notches: int) -> None:
    """One wheel event over the viewport, 120 a notch, as a mouse sends it."""
    event = QWheelEvent(QPointF(pos), QPointF(vp.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(vp, event)


def test_a_drag_then_wheel_notches_over_a_ward_pan_and_zoom_the_london_wards(cat, qtbot):
    import_boundaries(cat, LONDON_WARDS, population=LONDON_POPULATION)
    tab = MapTab(Document(cat))
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    show_active(qtbot, tab)
    view, vp = tab.view, tab.view.viewport()
    t = tab.layer.table
    holland = shapely.point_on_surface(t.geometries[t.codes.index(HOLLAND)])
    mpp = view.metres_per_pixel()

    # A drag of 150 px right and 90 px up, in steps as the pointer goes: Holland follows it.
    start = view.mapFromScene(QPointF(holland.x, -holland.y))
    qtbot.mouseMove(vp, start)
    qtbot.mousePress(vp, LEFT, pos=start)
    for k in range(1, 11):
        qtbot.mouseMove(vp, start + QPoint(15 * k, -9 * k))
    end = start + QPoint(150, -90)
    qtbot.mouseRelease(vp, LEFT, pos=end)
    now = view.mapFromScene(QPointF(holland.x, -holland.y))
    assert abs(now.x() - end.x()) <= 1 and abs(now.y() - end.y()) <= 1, (end, now)
    assert view.metres_per_pixel() == mpp   # a pan does not zoom
    assert view.unit_at(end) == t.codes.index(HOLLAND)

    # Three notches in over Holland: 1.25 each, Holland kept under the pointer.
    for _ in range(3):
        wheel(vp, end, 1)
    assert abs(view.metres_per_pixel() - mpp / 1.25 ** 3) < 1e-9 * mpp
    now = view.mapFromScene(QPointF(holland.x, -holland.y))
    assert abs(now.x() - end.x()) <= 1 and abs(now.y() - end.y()) <= 1, (end, now)
    assert view.unit_at(end) == t.codes.index(HOLLAND)

    # The notches stop: the map paints its tiles sharp at the new scale and names the
    # boroughs in view again (left out while the notches went on).
    assert view.units.settling
    painted = view.units.painted
    qtbot.waitUntil(lambda: not view.units.settling, timeout=5000)
    vp.grab()
    assert view.units.painted > painted
    names = {text for kind, text, _ in view.labeller.placed}
    assert len(names) >= 5 and {"Westminster", "Hammersmith and Fulham"} <= names, " / ".join(sorted(names))
