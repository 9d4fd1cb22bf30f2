"""The Overlaps tab shown at a realistic size, and the gestures a person makes on it."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QListWidget, QStyle, QStyleOptionViewItem

from ui.document import Document


def show_tab(qtbot, cat, width: int = 1200, height: int = 800):
    from ui.overlaps.tab import OverlapsTab

    widget = OverlapsTab(Document(cat))
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settle() -> None:
    """Let posted layout requests run, as the event loop would between two gestures."""
    for _ in range(3):
        QApplication.processEvents()


def click_plot_tab(qtbot, widget, name: str) -> None:
    """Click the plot's tab (Matrix, UpSet, …) as a person does."""
    bar = widget.tabs.tabBar()
    index = [widget.tabs.tabText(k) for k in range(widget.tabs.count())].index(name)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert widget.tabs.currentIndex() == index
    settle()
    plot = widget.current_plot()
    if plot is not None:
        plot.settle()


def hover(qtbot, plot, pos: QPoint) -> None:
    """Move the mouse over a pyqtgraph plot to `pos` (widget coordinates). pyqtgraph drops
    moves that come sooner than its mouse rate limit after the last one, as a hand never
    does: wait that long first."""
    import pyqtgraph as pg

    rate = pg.getConfigOption("mouseRateLimit")
    if rate > 0:
        qtbot.wait(int(1000 / rate) + 5)
    qtbot.mouseMove(plot.viewport(), pos)
    settle()


def click_check_box(qtbot, view: QListWidget, text: str) -> None:
    """Click the check box of the list row showing `text`."""
    (item,) = view.findItems(text, Qt.MatchFlag.MatchExactly)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualItemRect(item)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    was = item.checkState()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    assert item.checkState() != was, f"the click missed the check box of {text}"
    settle()
