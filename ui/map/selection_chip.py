"""The chip over the map's top edge that names the window's selection ("Selected: Hackney ✕"):
the map highlights a selection made in any tab, so it says what is highlighted and offers a way
back to the plain map (its ✕, or Esc on the map). Hidden while nothing is selected."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class SelectionChip(QFrame):
    cleared = Signal()   # the ✕ clicked

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("mapSelectionChip")
        # Opaque, rounded and bordered: it sits over the wards and must read as a control.
        self.setStyleSheet("#mapSelectionChip { background: #fffdf5; border: 1px solid #8a8a8a;"
                           " border-radius: 11px; }")
        self.label = QLabel(objectName="mapSelectionLabel")
        self.close_button = QToolButton(objectName="mapSelectionClear", text="✕", autoRaise=True)
        self.close_button.setToolTip("Clear the selection in every tab (Esc on the map)")
        self.close_button.clicked.connect(self.cleared)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 4, 2)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.close_button)
        self.hide()

    def show_name(self, text: str | None) -> None:
        """Name the selection (None: nothing selected, the chip hides)."""
        if text:
            self.label.setText(f"Selected: {text}")
            self.adjustSize()
        self.setVisible(bool(text))
