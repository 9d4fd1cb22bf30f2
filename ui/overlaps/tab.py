"""The Overlaps tab: which partnerships overlap, by how much, where and when.

Left: what to compare (measure, filters, the "as of" year, the partnerships to
include). Right: the plots. pyqtgraph is imported the first time the tab is
shown, so opening the application does not pay for it.

Signals for the map (the tab never reaches into other widgets):
  pair_selected(a_id, b_id)              two areas picked in the matrix
  partnership_pair_selected(a_id, b_id)  two partnerships picked (matrix by members)
  units_selected(list of unit ids)       an UpSet bar picked
  year_changed(year)                     the "as of" year; 0 means all years
"""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.analysis import overlaps, sets, timeline, universe
from models.analysis.evidence import ATTESTED, UNKNOWN, Evidence
from models.analysis.timeline import partnership_active
from models.errors import CatalogueError, plural
from ui.document import Changes, Document
from ui.overlaps.note import OneLineNote

MEASURES = (("Wards", "units"), ("Population", "population"), ("Area (km²)", "area"),
            ("Members (organisations)", "members"))
SHOW = (("Jaccard index", "jaccard"), ("Share of row in column", "containment"), ("Shared amount", "shared"))
ORDERS = (("Clustering", "cluster"), ("Name", "name"))
UPSET_MAX = 20
PLOTS = ("Matrix", "UpSet", "Coverage", "Members", "Timeline")

# The wards every area plot counts in (their shapes, population and layers): the slowest to load.
UNIVERSE_SHOWS = ("boundary_layers", "boundary_units")
# The side panel: the list (partnerships, areas of none), the policy and kind choices, and the
# year slider's span (partnership and membership dates).
CHOICES_SHOWS = ("partnerships", "memberships", "areas")
# Areas compared by their wards; partnerships for the as-of, policy and kind filters and names.
AREA_PLOT_SHOWS = (*UNIVERSE_SHOWS, "areas", "area_units", "partnerships")
# Who is in what: partnerships (names, dates), memberships (roles, dates), organisation names.
MEMBER_PLOT_SHOWS = ("partnerships", "memberships", "organisations")


def _combo(pairs) -> QComboBox:
    box = QComboBox()
    for text, data in pairs:
        box.addItem(text, data)
    return box


class OverlapsTab(QWidget):
    pair_selected = Signal(int, int)
    partnership_pair_selected = Signal(int, int)
    units_selected = Signal(list)
    year_changed = Signal(int)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.plots: dict[str, object] = {}
        self._universe = None
        self._unchecked: set[tuple[str, int]] = set()
        self._stale = set(PLOTS)
        self._catalogue_stale = True
        # Read when the tab is first shown; a filter set before then lists nothing until it is.
        self._partnerships: list = []
        self._areas: list = []

        self.measure = _combo(MEASURES)
        self.show_value = _combo(SHOW)
        self.order = _combo(ORDERS)
        self.policy = QComboBox()
        self.kind = QComboBox()
        self.as_of = QCheckBox("As of year")
        self.year = QSlider(Qt.Orientation.Horizontal)
        self.year.setEnabled(False)
        self.year_label = QLabel("all years")
        # As of a year, partnerships with no evidence for it are left out unless asked for:
        # drawn among the active ones they read as active.
        self.include_unknown = QCheckBox("include undated")
        self.include_unknown.setObjectName("overlaps-include-undated")
        self.include_unknown.setToolTip("As of a year, also show partnerships with no dates and no source "
                                        "of that year (their state is unknown)")
        self.play = QToolButton(text="▶")
        self.play.setToolTip("Play through the years")
        self.play.setCheckable(True)
        self._timer = QTimer(self, interval=800, timeout=self._step_year)
        self.items = QListWidget()
        check_all, check_none = QPushButton("All"), QPushButton("None")
        check_all.clicked.connect(lambda: self._check_all(True))
        check_none.clicked.connect(lambda: self._check_all(False))

        form = QFormLayout()
        form.addRow("Measure", self.measure)
        form.addRow("Show", self.show_value)
        form.addRow("Order", self.order)
        form.addRow("Policy area", self.policy)
        form.addRow("Kind", self.kind)
        year_row = QHBoxLayout()
        for w in (self.as_of, self.year, self.year_label, self.play):
            year_row.addWidget(w)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addLayout(year_row)
        side.addWidget(self.include_unknown)
        side.addWidget(QLabel("Partnerships (and areas of none) to compare:"))
        side.addWidget(self.items, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(check_all)
        buttons.addWidget(check_none)
        buttons.addStretch(1)
        side.addLayout(buttons)
        left = QWidget()
        left.setLayout(side)

        self.tabs = QTabWidget()
        for name in PLOTS:
            self.tabs.addTab(QWidget(), name)
        self.inclusive = QCheckBox("Inclusive intersections")
        self.upset_measure = _combo((("by wards", "units"), ("by population", "population")))
        self.tabs.setObjectName("overlaps-plots")
        self.note = OneLineNote()   # the hover sentence changes with every move: it must not move the plot
        self.note.setObjectName("overlaps-note")
        self.export_button = QPushButton("Export…")
        menu = QMenu(self.export_button)
        for label, suffix in (("Image (PNG)…", ".png"), ("Drawing (SVG)…", ".svg"), ("Numbers (CSV)…", ".csv")):
            menu.addAction(label, lambda s=suffix: self._export_dialog(s))
        self.export_button.setMenu(menu)
        bar = QHBoxLayout()
        bar.addWidget(self.inclusive)
        bar.addWidget(self.upset_measure)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        right_layout = QVBoxLayout()
        right_layout.addLayout(bar)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.note)
        right = QWidget()
        right.setLayout(right_layout)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        for box in (self.measure, self.show_value, self.order, self.upset_measure):
            box.currentIndexChanged.connect(self._options_changed)
        self.inclusive.toggled.connect(self._options_changed)
        self.policy.currentIndexChanged.connect(self._filters_changed)
        self.kind.currentIndexChanged.connect(self._filters_changed)
        self.as_of.toggled.connect(self._as_of_toggled)
        self.include_unknown.toggled.connect(self._filters_changed)
        self.year.valueChanged.connect(self._year_moved)
        self.play.toggled.connect(lambda on: self._timer.start() if on else self._timer.stop())
        self.items.itemChanged.connect(self._item_checked)
        self.tabs.currentChanged.connect(lambda _: self._refresh_visible())
        document.changed.connect(self._catalogue_changed)
        self._update_upset_controls()

    # -- state ------------------------------------------------------------
    @property
    def cat(self):
        return self.document.catalogue

    def when(self) -> str | None:
        return str(self.year.value()) if self.as_of.isChecked() else None

    def unknown_too(self) -> bool:
        return self.include_unknown.isChecked()

    def set_year(self, year: int | None) -> None:
        """Show the catalogue as of `year`, or at any time (None)."""
        self._load_catalogue()
        if year is not None:
            self.year.setValue(year)   # quiet while "as of" is off: one year_changed below
        self.as_of.setChecked(year is not None)

    def listed_names(self) -> list[str]:
        return [self.items.item(k).text() for k in range(self.items.count())]

    def chosen(self) -> tuple[list[int], list[int]]:
        """Checked partnership ids and checked ids of areas with no partnership."""
        keys = [self.items.item(k).data(Qt.ItemDataRole.UserRole) for k in range(self.items.count())
                if self.items.item(k).checkState() == Qt.CheckState.Checked]
        return [i for kind, i in keys if kind == "p"], [i for kind, i in keys if kind == "a"]

    def current_plot(self):
        return self.plots.get(PLOTS[self.tabs.currentIndex()])

    # -- loading ------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.plots:
            self._build_plots()
        self._load_catalogue()
        self._refresh_visible()

    def _build_plots(self) -> None:
        from ui.overlaps.plots.coverage import CoveragePlot
        from ui.overlaps.plots.heatmap import HeatmapPlot
        from ui.overlaps.plots.members import MembersPlot
        from ui.overlaps.plots.timeline import TimelinePlot
        from ui.overlaps.plots.upset import UpSetPlot

        self.heatmap, self.upset = HeatmapPlot(), UpSetPlot()
        self.coverage_plot, self.members, self.timeline = CoveragePlot(), MembersPlot(), TimelinePlot()
        for k, (name, widget) in enumerate(zip(PLOTS, (self.heatmap, self.upset, self.coverage_plot,
                                                       self.members, self.timeline))):
            self.plots[name] = widget
            self.tabs.removeTab(k)
            if name == "Members":  # one row per organisation: scroll rather than squeeze
                scroll = QScrollArea()
                scroll.setObjectName("overlaps-members-scroll")
                scroll.setWidgetResizable(True)
                scroll.setWidget(widget)
                self.tabs.insertTab(k, scroll, name)
            else:
                self.tabs.insertTab(k, widget, name)
        self.tabs.setCurrentIndex(0)
        self.heatmap.pair_clicked.connect(self._pair_clicked)
        self.heatmap.hovered.connect(lambda text: self.note.setText(text) if text else None)
        self.upset.bar_clicked.connect(self.units_selected)

    def _plot_shows(self, name: str) -> tuple[str, ...]:
        """The tables the plot `name` reads, as it is set now (a later change of measure redraws it anyway)."""
        if name in ("Members", "Timeline") or (name == "Matrix" and self.measure.currentData() == "members"):
            return MEMBER_PLOT_SHOWS
        return AREA_PLOT_SHOWS

    def _catalogue_changed(self, changes: Changes) -> None:
        if changes.touch(*UNIVERSE_SHOWS):
            self._universe = None
        if self._universe is None or changes.touch(*CHOICES_SHOWS):
            self._catalogue_stale = True
        self._stale |= {name for name in PLOTS if changes.touch(*self._plot_shows(name))}
        if self.isVisible():
            self._load_catalogue()
            self._refresh_visible()

    def _load_catalogue(self) -> None:
        if not self._catalogue_stale:
            return
        self._catalogue_stale = False
        if self._universe is None:
            self._universe = universe.load_universe(self.cat)
        self._partnerships = self.cat.partnerships.all()
        self._areas = self.cat.areas.all()
        for box, values in ((self.policy, sorted({a for p in self._partnerships for a in p.policy_areas})),
                            (self.kind, sorted({p.kind for p in self._partnerships}))):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem("All", None)
            for v in values:
                box.addItem(v, v)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)
        lo, hi = self._span()
        year = self.year.value()
        self.year.blockSignals(True)
        self.year.setRange(lo, hi)
        self.year.blockSignals(False)
        if self.year.value() != year and self.as_of.isChecked():
            self._stale = set(PLOTS)   # the new span moved the "as of" year: every plot filters by it
        self._fill_list()

    def _span(self) -> tuple[int, int]:
        """Years the slider covers: the first date in the catalogue to this year (open-ended
        partnerships are still running)."""
        lo, hi = timeline.year_span(self.cat)
        return lo, max(hi, QDate.currentDate().year())

    def _fill_list(self) -> None:
        when, policy, kind = self.when(), self.policy.currentData(), self.kind.currentData()
        evidence = Evidence.load(self.cat) if when else None
        self.items.blockSignals(True)
        self.items.clear()
        for p in self._partnerships:
            if (policy and policy not in p.policy_areas) or (kind and p.kind != kind) \
                    or not partnership_active(p, when, self.unknown_too(), evidence):
                continue
            item = self._add_item(p.name, ("p", p.id))
            state = evidence.partnership(p, when) if evidence is not None else None
            if state in (ATTESTED, UNKNOWN):   # told apart from the active ones, not only by colour
                item.setToolTip(f"{p.name}: {state} in {when}" + (" (a source of that year cites it)"
                                                                  if state == ATTESTED else " (no evidence)"))
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
                if state == UNKNOWN:
                    item.setForeground(QColor("#6B6B6B"))
        if not policy and not kind:
            for a in self._areas:
                if a.partnership_id is None:
                    self._add_item(f"{a.name} (area)", ("a", a.id))
        self.items.blockSignals(False)

    def _add_item(self, text: str, key: tuple[str, int]) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked if key in self._unchecked else Qt.CheckState.Checked)
        self.items.addItem(item)
        return item

    # -- reacting -------------------------------------------------------------
    def _options_changed(self, *_) -> None:
        self._update_upset_controls()
        self._stale |= {"Matrix", "UpSet"}
        self._refresh_visible()

    def _filters_changed(self, *_) -> None:
        self._fill_list()
        self._stale = set(PLOTS)
        self._refresh_visible()

    def _as_of_toggled(self, on: bool) -> None:
        self.year.setEnabled(on)
        self.year_label.setText(str(self.year.value()) if on else "all years")
        self.year_changed.emit(self.year.value() if on else 0)
        self._filters_changed()

    def _year_moved(self, year: int) -> None:
        if not self.as_of.isChecked():
            return
        self.year_label.setText(str(year))
        self.year_changed.emit(year)
        self._filters_changed()

    def _step_year(self) -> None:
        if not self.as_of.isChecked():
            self.as_of.setChecked(True)
            self.year.setValue(self.year.minimum())
        elif self.year.value() >= self.year.maximum():
            self.play.setChecked(False)
        else:
            self.year.setValue(self.year.value() + 1)

    def _item_checked(self, item: QListWidgetItem) -> None:
        key = tuple(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self._unchecked.discard(key)
        else:
            self._unchecked.add(key)
        self._stale = set(PLOTS)   # every plot, the coverage map too, shows only what is ticked
        self._refresh_visible()

    def _check_all(self, on: bool) -> None:
        self.items.blockSignals(True)
        for k in range(self.items.count()):
            item = self.items.item(k)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            key = tuple(item.data(Qt.ItemDataRole.UserRole))
            (self._unchecked.discard if on else self._unchecked.add)(key)
        self.items.blockSignals(False)
        self._stale = set(PLOTS)
        self._refresh_visible()

    def _update_upset_controls(self) -> None:
        upset = PLOTS[self.tabs.currentIndex()] == "UpSet"
        self.inclusive.setVisible(upset)
        self.upset_measure.setVisible(upset)

    def _pair_clicked(self, a_id: int, b_id: int) -> None:
        m = self.heatmap.matrix
        row, col = list(m.ids).index(a_id), list(m.ids).index(b_id)
        self.note.setText("Selected: " + self.heatmap.describe(row, col))
        if m.by == "members":
            self.partnership_pair_selected.emit(a_id, b_id)
        else:
            self.pair_selected.emit(a_id, b_id)

    # -- drawing -------------------------------------------------------------
    def _refresh_visible(self) -> None:
        self._update_upset_controls()
        name = PLOTS[self.tabs.currentIndex()]
        if not self.plots or name not in self._stale or self._catalogue_stale:
            return
        self._stale.discard(name)
        try:
            getattr(self, "_draw_" + name.lower())()
        except CatalogueError as e:
            self.note.setText(str(e))

    def _chosen_area_ids(self) -> list[int]:
        partnership_ids, area_ids = self.chosen()
        wanted = set(partnership_ids)
        return [a.id for a in self._areas if a.partnership_id in wanted] + area_ids

    def _draw_matrix(self) -> None:
        by = self.measure.currentData()
        if by == "members":
            m = overlaps.member_grid(self.cat, self.when(), self.chosen()[0],
                                     include_unknown=self.unknown_too()).overlap()
        else:
            m = overlaps.area_set(self.cat, self.when(), area_ids=self._chosen_area_ids(),
                                  universe=self._universe, include_unknown=self.unknown_too()).overlap(by)
        self.heatmap.set_matrix(m, self.show_value.currentData(), self.order.currentData())
        self.note.setText(f"{plural(len(m), 'partnership' if by == 'members' else 'area')} compared by "
                          f"{overlaps.UNIT_WORDS[by]}. Hover a cell for the figures; click it to select the pair.")

    def _draw_upset(self) -> None:
        areas = overlaps.area_set(self.cat, self.when(), area_ids=self._chosen_area_ids(), universe=self._universe,
                                  include_unknown=self.unknown_too())
        ids = [int(i) for i in areas.ids[:UPSET_MAX]]
        names = areas.names[:UPSET_MAX]
        by = self.upset_measure.currentData()
        sizes = areas.overlap(by).sizes[:UPSET_MAX]
        items = sets.intersections(areas, ids, inclusive=self.inclusive.isChecked())
        self.upset.set_data(items, ids, names, list(sizes), by, self.inclusive.isChecked())
        more = len(areas.ids) - len(ids)
        self.note.setText(plural(len(ids), "area") + (f" (the first {UPSET_MAX}; uncheck some to choose, "
                                                 f"{more} left out)" if more > 0 else "")
                          + ". Click a bar to select its wards.")

    def _draw_coverage(self) -> None:
        partnership_ids, area_ids = self.chosen()
        cov = sets.coverage(self.cat, policy_area=self.policy.currentData(), kind=self.kind.currentData(),
                            as_of=self.when(), universe=self._universe, partnership_ids=partnership_ids,
                            area_ids=area_ids, include_unknown=self.unknown_too())
        rows = [self._universe.row_of[int(u)] for u in cov.unit_ids]
        what = " ".join(x for x in (self.policy.currentData(), self.kind.currentData()) if x)
        ticked, listed = len(partnership_ids) + len(area_ids), self.items.count()
        if ticked < listed:   # say so when the map leaves some of the list out
            title = f"Wards covered by the ticked {what + ' ' if what else ''}partnerships ({ticked} of {listed})"
        else:
            title = f"Wards covered by {what or 'all'} partnerships"
        self.coverage_plot.set_coverage(cov, self._universe.geometries[rows],
                                        title + (f" as of {self.when()}" if self.when() else ""))
        self.note.setText(f"{len(cov.uncovered()):,} of {len(cov.unit_ids):,} wards are covered by none.")

    def _draw_members(self) -> None:
        self.members.set_grid(overlaps.member_grid(self.cat, self.when(), self.chosen()[0],
                                                   include_unknown=self.unknown_too()))
        self.note.setText("Cells: role of each organisation; dates where it joined or left.")

    def _draw_timeline(self) -> None:
        listed = [key[1] for key in (self.items.item(k).data(Qt.ItemDataRole.UserRole)
                                     for k in range(self.items.count())) if key[0] == "p"]
        rows = timeline.timeline(self.cat, self.when(), only_active=bool(self.when()), partnership_ids=listed,
                                 include_unknown=self.unknown_too())
        year = self.year.value() if self.as_of.isChecked() else None
        self.timeline.set_rows(rows, self._span(), year)
        self.note.setText("Bars are dated spans and fade where the catalogue has no date; ● a cited source's "
                          "year; thin bars from first to last seen; ▲ joined, ▼ left.")

    # -- export ---------------------------------------------------------------
    def export_current(self, path: str) -> None:
        plot = self.current_plot()
        if plot is None:
            raise CatalogueError("open the Overlaps tab first")
        plot.export(path)

    def _export_dialog(self, suffix: str) -> None:
        name = PLOTS[self.tabs.currentIndex()].lower()
        path, _ = QFileDialog.getSaveFileName(self, "Export plot", f"overlaps-{name}{suffix}",
                                              f"*{suffix}")
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            self.export_current(path)
        except CatalogueError as e:
            QMessageBox.warning(self, "Not exported", str(e))
