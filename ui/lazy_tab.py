"""A tab whose view is built the first time it is shown or asked for.

    slot = LazyTab(build)      # build() -> QWidget, called at most once
    window.tabs.addTab(slot, "&Map")
    slot.view()                # the view, built now if it has not been yet

The map and the overlaps need modules (scipy, shapely's drawing, the plots) and work (loading
a layer) that the window shown at start-up does not: building them when a person first goes
to them keeps that cost out of the start.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyTab(QWidget):
    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._build = build
        self._view: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._view is not None

    def view(self) -> QWidget:
        if self._view is None:
            self._view = self._build()
            self.layout().addWidget(self._view)
            if self.isVisible():
                self._view.show()   # else the layout shows it a turn of the event loop later: a blank frame
        return self._view

    def showEvent(self, event) -> None:
        self.view()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop the view's background work before the tab goes away (nothing to stop if never built)."""
        if self._view is not None and hasattr(self._view, "shutdown"):
            self._view.shutdown()
