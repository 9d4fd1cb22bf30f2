"""The Coterminosity tab: how well each partnership's area fits another agency's geography.

Top: the reference geography, by wards, people or km², and the "as of" year. Then the
geography's figures (nesting index, areas left intact, how many areas fall in each category),
and two tables: partnerships' areas × reference areas (each cell the share of the area inside
the reference area, coloured; sortable by any column through a proxy), and the other way round
(for each reference area, the area that fits it best). The selected row's summary is one line
below. The tab never reaches into other widgets; the window links its signals:

  cell_chosen(area_id, reference_area_id)   a cell clicked: the window shows the pair on the map
  load_pack()                               the empty state's button: File ▸ Import ▸ London Starter Pack

Measured when shown, and again when shown after a change that concerns it.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.errors import CatalogueError
from ui.coterminosity.model import PAIR_ROLE, BestFits, FitMatrix, sorted_by_value, summary_line
from ui.document import Changes, Document
from ui.read_when_shown import ReadWhenShown

MEASURES = (("Wards", "units"), ("Population", "population"), ("Area (km²)", "area"))
# What the measures read: the geographies, the partnerships' areas (derived ones follow their
# members), the dates the "as of" year filters by, and the wards and their populations.
SHOWS = ("reference_geographies", "reference_areas", "areas", "area_units", "partnerships", "memberships",
         "organisations", "boundary_layers", "boundary_units", "citations", "sources")
CATEGORIES = ("coterminous", "nested", "contains", "split", "outside")
NO_REFERENCES = ("<b>No reference geographies yet.</b><p>A reference geography is another agency's set of "
                 "areas — NHS Integrated Care Boards, police force areas, sub-regional partnerships — to "
                 "measure how well each partnership's area fits it. Load the London starter pack (the five "
                 "ICBs of 2022, the two police forces and the four sub-regional partnerships, each with its "
                 "source), or import your own with File ▸ Import ▸ Reference Geography… (a CSV of areas and "
                 "authority codes, or a boundary file).</p>")
NO_WARDS = ("<b>No ward boundaries yet.</b><p>Coterminosity is measured on wards: import them with "
            "File ▸ Import ▸ Boundaries…, or open the example from the Catalogue tab's start page.</p>")


class CoterminosityTab(ReadWhenShown, QWidget):
    cell_chosen = Signal(int, int)
    load_pack = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.result = None
        self._references: list = []

        self.geography = QComboBox(objectName="cotGeography")
        self.geography.setToolTip("The other agency's geography to measure the partnerships against")
        self.measure = QComboBox(objectName="cotMeasure")
        for text, key in MEASURES:
            self.measure.addItem(text, key)
        self.as_of = QCheckBox("As of year", objectName="cotAsOf")
        self.year = QSlider(Qt.Orientation.Horizontal, objectName="cotYear")
        self.year.setEnabled(False)
        self.year_label = QLabel("all years")
        self.figures = QLabel(objectName="cotFigures")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.matrix = FitMatrix(self)
        self.matrix_view = self._table(sorted_by_value(self.matrix), "cotMatrix")
        self.best = BestFits(self)
        self.best_view = self._table(sorted_by_value(self.best), "cotBestFits")
        self.tables = QTabWidget(objectName="cotTables")
        self.tables.addTab(self.matrix_view, "Partnerships × reference areas")
        self.tables.addTab(self.best_view, "Reference areas: best-fitting partnership")
        self.line = QLabel(objectName="cotLine")
        self.line.setWordWrap(True)
        self.line.setText("Click a cell to see the area and the reference area together on the map.")

        self.empty_text = QLabel(NO_REFERENCES, objectName="cotEmpty")
        self.empty_text.setWordWrap(True)
        self.pack_button = QPushButton("Load the London Starter Pack", objectName="cotLoadPack")
        self.pack_button.clicked.connect(self.load_pack)
        self.message = QLabel(objectName="cotMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        top = QHBoxLayout()
        top.addWidget(QLabel("Reference geography"))
        top.addWidget(self.geography, 2)
        top.addWidget(QLabel("By"))
        top.addWidget(self.measure)
        for w in (self.as_of, self.year, self.year_label):
            top.addWidget(w)
        top.addStretch(1)
        result_page = QWidget()
        result = QVBoxLayout(result_page)
        result.setContentsMargins(0, 0, 0, 0)
        result.addWidget(self.figures)
        result.addWidget(self.tables, 1)
        result.addWidget(self.line)
        empty_page = QWidget()
        empty = QVBoxLayout(empty_page)
        empty.addStretch(1)
        empty.addWidget(self.empty_text)
        empty.addWidget(self.pack_button, 0, Qt.AlignmentFlag.AlignLeft)
        empty.addStretch(2)
        self.pages = QStackedWidget(objectName="cotPages")
        for page in (result_page, empty_page, self.message):
            self.pages.addWidget(page)
        self.result_page, self.empty_page = result_page, empty_page
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

        self.geography.activated.connect(lambda _: self.refresh())
        self.measure.activated.connect(lambda _: self.refresh())
        self.as_of.toggled.connect(self._as_of_toggled)
        self.year.valueChanged.connect(self._year_moved)
        self.matrix_view.clicked.connect(self._clicked)
        self.best_view.clicked.connect(self._clicked)
        self.matrix_view.selectionModel().currentRowChanged.connect(self._row_changed)
        document.changed.connect(self._on_changed)

    def _table(self, proxy, name: str) -> QTableView:
        view = QTableView(objectName=name)
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return view

    @property
    def cat(self):
        return self.document.catalogue

    # -- state -------------------------------------------------------------------
    def when(self) -> str | None:
        return str(self.year.value()) if self.as_of.isChecked() else None

    def by(self) -> str:
        return self.measure.currentData()

    def geography_id(self) -> int | None:
        return self.geography.currentData()

    def choose(self, geography: str | None = None, by: str | None = None, year: int | None = 0) -> None:
        """Set what to measure as the controls would (year None: all years; 0: leave it)."""
        self._load_choices()
        if geography is not None:
            self.geography.setCurrentIndex(self.geography.findText(geography, Qt.MatchFlag.MatchContains))
        if by is not None:
            self.measure.setCurrentIndex(self.measure.findData(by))
        if year is None:
            self.as_of.setChecked(False)
        elif year:
            self.year.setValue(year)
            self.as_of.setChecked(True)
        self.refresh()

    def _as_of_toggled(self, on: bool) -> None:
        self.year.setEnabled(on)
        self.year_label.setText(str(self.year.value()) if on else "all years")
        self.refresh()

    def _year_moved(self, year: int) -> None:
        if self.as_of.isChecked():
            self.year_label.setText(str(year))
            self.refresh()

    # -- reading -----------------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        if changes.touch(*SHOWS):
            self.out_of_date()

    def _load_choices(self) -> None:
        from models.analysis import timeline

        chosen = self.geography_id()
        self.geography.blockSignals(True)
        self.geography.clear()
        for g in self.cat.references.list():
            dates = f"{g.in_force_from or '…'}–{g.in_force_to or ''}" if g.in_force_from or g.in_force_to else ""
            self.geography.addItem(f"{g.name} ({g.area_count} areas{', ' + dates if dates else ''})", g.id)
        k = self.geography.findData(chosen)
        self.geography.setCurrentIndex(k if k >= 0 else 0)
        self.geography.blockSignals(False)
        lo, hi = timeline.year_span(self.cat)
        year = self.year.value()
        self.year.blockSignals(True)
        self.year.setRange(lo, max(hi, QDate.currentDate().year()))
        if not self.as_of.isChecked():
            self.year.setValue(self.year.maximum())
        else:
            self.year.setValue(year)
        self.year.blockSignals(False)

    def refresh(self) -> None:
        """Measure the chosen geography now and show it (or why there is nothing to show)."""
        self.stale = False
        self._load_choices()
        gid = self.geography_id()
        for control in (self.geography, self.measure, self.as_of):
            control.setEnabled(gid is not None)
        if gid is None:
            self._show_page(self.empty_page)
            return
        if not any(layer.level == "ward" for layer in self.cat.layers.all()):
            self._show_message(NO_WARDS)
            return
        from models.analysis.coterminosity import measure

        geography = self.cat.references.get(gid)
        try:
            result = measure(self.cat, geography, by=self.by(), as_of=self.when())
        except CatalogueError as e:   # e.g. a geography none of whose areas is on the loaded wards
            self._show_message(f"<b>{geography.name}</b><p>{e}</p>")
            return
        self.result = result
        self._references = self.cat.references.areas(gid)
        self.matrix.set_result(result, self._references)
        self.best.set_result(result, self._references)
        for view in (self.matrix_view, self.best_view):
            view.resizeColumnsToContents()
            header = view.horizontalHeader()
            for c in range(view.model().columnCount()):   # long partnership names are elided, not the matrix
                header.resizeSection(c, min(header.sectionSize(c), 320 if c == 0 else 180))
        self.figures.setText(self._figures(geography, result))
        self._show_page(self.result_page)

    def _figures(self, geography, result) -> str:
        counts = {c: 0 for c in CATEGORIES}
        for s in result.summary:
            counts[s.category] = counts.get(s.category, 0) + 1
        by = self.measure.currentText().lower()
        when = f" as of {self.when()}" if self.when() else ""
        parts = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
        text = (f"<b>{geography.name}</b> against {len(result.summary)} partnership areas, by {by} on "
                f"{result.layer}{when}: {parts or 'no areas'}.<br>Relative nesting index "
                f"{_figure(result.nesting_index, '.3f')} (Zhukov et al. 2023: 1 when every area lies whole in "
                f"one reference area); {_figure(result.intact_share, '.0%')} of the areas left intact "
                "(meeting one reference area only).")
        for line in getattr(result, "warnings", ()):   # not in force then; areas with no ward here
            text += f"<br><span style='color:#8c2d04'>⚠ {html.escape(line)}</span>"
        return text

    def _show_page(self, page) -> None:
        self.pages.setCurrentWidget(page)

    def _show_message(self, html: str) -> None:
        self.result = None
        self.matrix.set_result(None, [])
        self.best.set_result(None, [])
        self.message.setText(html)
        self._show_page(self.message)

    # -- gestures -----------------------------------------------------------------
    def _clicked(self, index) -> None:
        pair = index.data(PAIR_ROLE)
        if pair is not None:
            self.cell_chosen.emit(*pair)

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        s = self.matrix.rows[self.matrix_view.model().mapToSource(current).row()]
        self.line.setText(summary_line(s))


def _figure(value: float, spec: str) -> str:
    return "—" if value != value else format(value, spec)   # NaN: no area touches the geography
