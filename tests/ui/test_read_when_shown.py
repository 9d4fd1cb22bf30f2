"""A view marked out of date reads the catalogue once, when it is next seen, not while hidden."""
import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from ui.read_when_shown import ReadWhenShown

pytestmark = pytest.mark.gui


class Counting(ReadWhenShown, QWidget):
    def __init__(self):
        super().__init__()
        self.reads = 0

    def refresh(self) -> None:
        self.stale = False
        self.reads += 1


def test_hidden_view_reads_once_when_its_tab_is_shown(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    front, view = QWidget(), Counting()
    tabs.addTab(front, "Front")
    tabs.addTab(view, "View")
    tabs.show()
    qtbot.waitExposed(tabs)
    assert view.reads == 0   # never shown: nothing read yet
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.reads == 1)
    tabs.setCurrentWidget(front)
    for _ in range(3):   # three edits elsewhere while the view is hidden
        view.out_of_date()
    assert view.reads == 1 and view.stale
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.reads == 2)
    assert not view.stale
    view.out_of_date()   # seen: read at once
    assert view.reads == 3
