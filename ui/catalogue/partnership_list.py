"""The list of partnerships: search as you type, filters, sortable columns, a count of what is shown."""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.analysis.evidence import ACTIVE, UNKNOWN, Evidence, counts
from models.catalogue.records import PARTNERSHIP_KINDS, POLICY_AREAS, STATUSES
from models.catalogue.search import Filters, PartnershipRow, Search
from models.errors import plural
from ui.catalogue.fields import name_widgets
from ui.catalogue.table_model import RowsModel
from ui.document import Changes, Document

# The rows, counts and filter choices: partnerships, their member counts, the organisation
# names the member box completes and matches, and the members' and sources' words the search finds.
SHOWS = ("partnerships", "memberships", "organisations", "citations", "sources")
# Only while the member box names a borough: its rows then include partnerships whose areas have wards there.
BOROUGH_SHOWS = ("areas", "area_units", "boundary_units")

_HEADERS = ("Name", "Kind", "Status", "Years", "Members")
# Okabe–Ito, with the word itself shown too: colour is never the only cue.
STATUS_COLOURS = {"active": "#007A5A", "proposed": "#0072B2", "ended": "#6B6B6B"}
ANY_YEAR = 1899   # the year box's "any year" value
_DISPLAY, _FOREGROUND = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole
_ALIGN, _TOOLTIP = Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ToolTipRole
_ROLES_USED = frozenset((_DISPLAY, _FOREGROUND, _ALIGN, _TOOLTIP))
_FIELD = (1, 2, 3, None, 6)   # column -> PartnershipRow index (Years is computed)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_STATUS_BRUSHES = {k: QColor(v) for k, v in STATUS_COLOURS.items()}
_UNKNOWN_BRUSH = QColor("#6B6B6B")


class PartnershipListModel(RowsModel):
    HEADERS = _HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[PartnershipRow] = []
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self.states: dict[int, str] = {}   # as of the year filter: id -> active/attested/unknown
        self.year: int | None = None

    def set_rows(self, rows: list[PartnershipRow], states: dict[int, str] | None = None,
                 year: int | None = None) -> None:
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self.states, self.year = states or {}, year
        self.endResetModel()

    def years_text(self, r: PartnershipRow) -> str:
        """The years, and the state as of the filter's year where it is not a dated span's."""
        state = self.states.get(r.id)
        if state is None or state == ACTIVE:
            return r.years
        return f"{r.years} {state}".strip()

    def row_of(self, pid: int) -> int | None:
        for i, r in enumerate(self._rows):
            if r.id == pid:
                return i
        return None

    def id_at(self, row: int) -> int:
        return self._rows[row].id

    # -- Qt ----------------------------------------------------------------
    def data(self, index, role=_DISPLAY):
        # Called for every visible cell and role on each keystroke: plain comparisons, no enum lookups.
        if role not in _ROLES_USED or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._rows):
            return None
        r, col = self._rows[row], index.column()
        if role == _DISPLAY:
            return r[_FIELD[col]] if col != 3 else self.years_text(r)
        if role == _FOREGROUND:
            if col == 3:
                return _UNKNOWN_BRUSH if self.states.get(r.id) == UNKNOWN else None
            return _STATUS_BRUSHES.get(r.status) if col == 2 else None
        if role == _ALIGN:
            return _RIGHT if col == 4 else None
        if col == 3 and r.id in self.states:   # tooltip
            return _STATE_TIPS[self.states[r.id]].format(year=self.year)
        return r.name if col == 0 else None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # Sorting the Python list directly: a QSortFilterProxyModel would call data() thousands of times.
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._rows = self._sorted(self._rows)
        self.layoutChanged.emit()

    def _sorted(self, rows):
        column, order = self._sort
        key = (lambda r: r.name.lower(), lambda r: (r.kind, r.name.lower()),
               lambda r: (r.status, r.name.lower()), lambda r: (r.start or "9999", r.name.lower()),
               lambda r: (r.members, r.name.lower()))[column]
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)


_STATE_TIPS = {
    "active": "Active in {year}: its dates cover it",
    "attested": "Attested in {year}: no dates cover it, but a source of that year cites it (or it was seen then)",
    "unknown": "Unknown in {year}: no dates and no evidence from that year",
}


class PartnershipList(QWidget):
    """Emits `current(id or None)` when the selection moves."""
    current = Signal(object)

    def __init__(self, document: Document, search: Search, parent=None):
        super().__init__(parent)
        self.document = document
        self.search = search
        self._current: int | None = None
        self._emitted = False
        self._selecting = False
        self.search_box = QLineEdit(placeholderText="Search names, descriptions, notes, members, sources…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search partnerships")
        self.search_box.setToolTip("Filters as you type (Ctrl+F)")
        self.search_box.textChanged.connect(self.refresh)

        self.kind = self._choice("Any kind", PARTNERSHIP_KINDS, "Show only partnerships of this kind")
        self.status = self._choice("Any status", STATUSES, "Show only partnerships with this status")
        self.policy = self._choice("Any policy area", POLICY_AREAS, "Show only this policy area")
        self.member = QLineEdit(placeholderText="Member or borough (name or GSS code)")
        self.member.setClearButtonEnabled(True)
        self.member.setToolTip("Show partnerships with this member organisation, or whose areas "
                               "cover wards of this borough (GSS code, e.g. E09000009)")
        self._org_names = QStringListModel(self)
        completer = QCompleter(self._org_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.member.setCompleter(completer)
        self.member.textChanged.connect(self.refresh)
        self.year = QSpinBox(minimum=ANY_YEAR, maximum=2100, value=ANY_YEAR)
        self.year.setSpecialValueText("Active in any year")
        self.year.setPrefix("Active in ")
        self.year.setToolTip("Show partnerships active at some time in this year")
        self.year.setAccessibleName("Active in year")
        self.year.valueChanged.connect(self.refresh)
        self.include_unknown = QCheckBox("include undated")
        self.include_unknown.setToolTip("With a year: also show partnerships with no dates and no source "
                                        "of that year (their state then is unknown)")
        self.include_unknown.setAccessibleName("Include undated partnerships")
        self.include_unknown.toggled.connect(self.refresh)
        self.unsourced = QCheckBox("facts without a source")
        self.unsourced.setToolTip("Only partnerships with a filled field (dates, status, policy areas, lead, "
                                  "governance, funding, savings) no citation of that field supports")
        self.unsourced.setAccessibleName("Only partnerships with facts without a source")
        self.unsourced.toggled.connect(self.refresh)
        self._evidence: Evidence | None = None   # read again after an edit
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setToolTip("Show every partnership")
        self.clear_button.clicked.connect(self.clear_filters)

        self.model = PartnershipListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        # The longest kind, so none is cut short ("joint authority/committee" was).
        header.resizeSection(1, max(self.fontMetrics().horizontalAdvance(k) for k in PARTNERSHIP_KINDS) + 12)
        header.resizeSection(2, self.fontMetrics().horizontalAdvance("proposed") + 20)
        header.resizeSection(3, self.fontMetrics().horizontalAdvance("0000–0000") + 16)
        header.resizeSection(4, self.fontMetrics().horizontalAdvance("Members") + 20)
        self.table.setAccessibleName("Partnerships")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.count_label = QLabel()

        name_widgets(
            (self, "partnership-list", None), (self.search_box, "partnership-search", None),
            (self.kind, "filter-kind", None), (self.status, "filter-status", None),
            (self.policy, "filter-policy-area", None),
            (self.member, "filter-member", "Member or borough (name or GSS code)"),
            (self.year, "filter-year", None), (self.include_unknown, "filter-include-undated", None),
            (self.unsourced, "filter-unsourced", None), (self.table, "partnership-table", None),
            (self.count_label, "partnership-count", None), (self.clear_button, "clear-filters", None))
        filters = QGridLayout()
        filters.addWidget(self.kind, 0, 0)
        filters.addWidget(self.status, 0, 1)
        filters.addWidget(self.policy, 0, 2)
        filters.addWidget(self.member, 1, 0, 1, 2)
        filters.addWidget(self.year, 1, 2)
        filters.addWidget(self.include_unknown, 2, 2)
        filters.addWidget(self.unsourced, 2, 0, 1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        document.changed.connect(self._changed)
        self.reload()

    def _choice(self, any_text: str, values, tip: str) -> QComboBox:
        box = QComboBox()
        box.addItem(any_text, None)
        for v in values:
            box.addItem(v, v)
        box.setToolTip(tip)
        box.setAccessibleName(tip)
        box.currentIndexChanged.connect(self.refresh)
        return box

    # -- what is shown -----------------------------------------------------
    def filters(self) -> Filters:
        member = self.member.text().strip()
        org = self.document.catalogue.organisations.find(member) if member else None
        return Filters(
            text=self.search_box.text(), kind=self.kind.currentData(), status=self.status.currentData(),
            policy_area=self.policy.currentData(),
            organisation_id=org.id if org and not org.gss_code else None,
            # An organisation with a GSS code is a borough: match its areas' wards as well.
            borough=(org.gss_code if org and org.gss_code else member if member and not org else None),
            year=None if self.year.value() == ANY_YEAR else self.year.value(),
            include_unknown=self.include_unknown.isChecked(), unsourced=self.unsourced.isChecked())

    def _changed(self, changes: Changes) -> None:
        if changes.touch(*SHOWS):
            self._evidence = None
        if changes.touch(*SHOWS) or (changes.touch(*BOROUGH_SHOWS) and self.filters().borough):
            self.reload()

    def reload(self) -> None:
        """After an edit: the filter choices and the rows."""
        cat = self.document.catalogue
        self._org_names.setStringList([o.name for o in cat.organisations.all()])
        current = self.policy.currentData()
        self.policy.blockSignals(True)
        self.policy.clear()
        self.policy.addItem("Any policy area", None)
        for area in sorted(set(POLICY_AREAS) | set(self.search.policy_areas_in_use()), key=str.lower):
            self.policy.addItem(area, area)
        self.policy.setCurrentIndex(max(0, self.policy.findData(current)))
        self.policy.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Run the search and filters again and keep the selection where it can be kept."""
        keep = self._current
        f = self.filters()
        rows, states = self.search.rows(f), {}
        if f.year is not None:   # the search leaves out what a dated span excludes; evidence does the rest
            if self._evidence is None:
                self._evidence = Evidence.load(self.document.catalogue)
            when = str(f.year)
            for r in rows:
                states[r.id] = self._evidence.partnership(self._evidence.partnerships[r.id], when)
            rows = [r for r in rows if counts(states[r.id], f.include_unknown)]
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows, states, f.year)
        self.table.selectionModel().blockSignals(False)
        total = self.search.count()
        shown = len(rows)
        self.count_label.setText(f"{total:,} partnership{'s' if total != 1 else ''}" if shown == total
                                 else f"{shown:,} of {plural(total, 'partnership')} shown")
        filtered = self.filters() != Filters(text=self.search_box.text(),
                                             include_unknown=self.include_unknown.isChecked())
        self.clear_button.setEnabled(filtered or bool(self.search_box.text()))
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self._select_row(row)
        else:
            self._emit(None)

    def clear_filters(self) -> None:
        for w in (self.kind, self.status, self.policy, self.year, self.member, self.search_box,
                  self.include_unknown, self.unsourced):
            w.blockSignals(True)
        self.search_box.clear()
        self.kind.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.policy.setCurrentIndex(0)
        self.member.clear()
        self.year.setValue(ANY_YEAR)
        self.include_unknown.setChecked(False)
        self.unsourced.setChecked(False)
        for w in (self.kind, self.status, self.policy, self.year, self.member, self.search_box,
                  self.include_unknown, self.unsourced):
            w.blockSignals(False)
        self.refresh()

    # -- selection ---------------------------------------------------------
    def select(self, pid: int | None) -> None:
        """Show and select a partnership, clearing the search if it hides it."""
        if pid is None:
            self.table.clearSelection()
            self._emit(None)
            return
        row = self.model.row_of(pid)
        if row is None:
            self.clear_filters()
            row = self.model.row_of(pid)
        if row is not None:
            self._select_row(row)

    def selected_ids(self) -> list[int]:
        return [self.model.id_at(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        # The view must hear of the change (it repaints just the rows involved); our own handler must not.
        self._selecting = True
        try:
            selection = self.table.selectionModel()
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
        finally:
            self._selecting = False
        self.table.scrollTo(index)
        self._emit(self.model.id_at(row))

    def _selection_changed(self, *_):
        if self._selecting:
            return
        ids = self.selected_ids()
        current = self.table.currentIndex()
        pid = self.model.id_at(current.row()) if current.isValid() and current.row() < self.model.rowCount() \
            and self.model.id_at(current.row()) in ids else (ids[0] if ids else None)
        self._emit(pid)

    def _emit(self, pid: int | None) -> None:
        # Only a real move refills the editor: a keystroke that keeps the selection costs nothing more.
        if pid != self._current or not self._emitted:
            self._current = pid
            self._emitted = True
            self.current.emit(pid)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

