"""The first-run view of an empty catalogue: four ways to begin."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

ONS_NOTE = ("London's wards (December 2020 and December 2022) and its 33 boroughs come with the "
            "app. For other places, ward boundaries are on the ONS Open Geography Portal "
            "(geoportal.statistics.gov.uk): search for “Wards (December 2022) Boundaries UK BGC” "
            "(or BSC, coarser and smaller), download it as GeoJSON or Shapefile and choose the file "
            "here. Ward populations are on the ONS website (“Ward-level population estimates”). "
            "Both are free under the Open Government Licence.")


class WelcomeView(QScrollArea):
    import_boundaries = Signal()
    open_example = Signal()
    import_partnerships = Signal()
    new_partnership = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        title = QLabel("Start your catalogue")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("Partnership Atlas keeps the partnerships between public bodies you find in "
                       "reports, with their members and sources, and draws the areas they cover over "
                       "ward boundaries. This catalogue is empty; here are four ways to begin.")
        intro.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        entries = (
            ("boundaries", "Import ward boundaries…", self.import_boundaries,
             "Load the wards (or boroughs) your areas will be drawn on. " + ONS_NOTE),
            ("example", "Open the example catalogue", self.open_example,
             "Thirty-odd London partnerships described in five published reports, with their "
             "members and sources, drawn over London's wards and boroughs (shipped with the app, "
             "nothing to download): a quick way to see what a finished catalogue looks like."),
            ("spreadsheet", "Import partnerships from a spreadsheet…", self.import_partnerships,
             "A CSV or Excel file with one partnership per row: you choose which column is which, "
             "see a preview and any errors, and nothing is written until the import is clean."),
            ("new", "Add a partnership by hand", self.new_partnership,
             "Type in a partnership and its members yourself."),
        )
        for row, (key, text, signal, note) in enumerate(entries):
            button = QPushButton(text)
            button.setMinimumHeight(button.sizeHint().height() * 3 // 2)
            button.setToolTip(note)
            button.clicked.connect(signal)
            label = QLabel(note)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
            self.buttons[key] = button
        grid.setColumnStretch(1, 1)
        tip = QLabel("You can also drop a boundary file (.geojson, .zip, .shp) or a spreadsheet "
                     "(.csv, .xlsx) on this window.")
        tip.setWordWrap(True)
        tip.setEnabled(False)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 36, 48, 36)
        layout.setSpacing(18)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(tip)
        layout.addStretch(1)
        page.setMaximumWidth(page.fontMetrics().horizontalAdvance("x") * 110)
        outer = QWidget()
        outer_layout = QVBoxLayout(outer)
        outer_layout.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(outer)
