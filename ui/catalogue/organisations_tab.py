"""Organisations: kind, GSS code and the partnerships each belongs to; merge two records of one body."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.catalogue.records import ORGANISATION_KINDS, Organisation
from models.errors import CatalogueError, plural
from ui.catalogue import citations_panel
from ui.catalogue.fields import FieldMessage, TextField, name_widgets
from ui.catalogue.table_model import RowsModel
from ui.document import Changes, Document

# Each organisation's fields and partnership count, and the chosen one's memberships
# with the names of their partnerships, and the sources cited for it.
SHOWS = ("organisations", "memberships", "partnerships", "citations", "sources")

_HEADERS = ("Name", "Kind", "GSS code", "Partnerships")


class OrganisationsModel(RowsModel):
    HEADERS = _HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[Organisation, int]] = []

    def set_rows(self, rows: list[tuple[Organisation, int]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def organisation(self, row: int) -> Organisation:
        return self._rows[row][0]

    def row_of(self, org_id: int) -> int | None:
        for i, (o, _) in enumerate(self._rows):
            if o.id == org_id:
                return i
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        o, n = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (o.name, o.kind, o.gss_code or "", n)[index.column()]
        if role == Qt.ItemDataRole.UserRole:   # sort key
            return (o.name.lower(), o.kind, o.gss_code or "~", n)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class MergeDialog(QDialog):
    """Pick the duplicate record to fold into the one kept."""

    def __init__(self, keep: Organisation, others: list[Organisation], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Merge organisations")
        self.others = {f"{o.name} ({o.gss_code})" if o.gss_code else o.name: o for o in others}
        self.other = QComboBox(editable=True)
        self.other.addItems(list(self.others))
        self.other.setCurrentIndex(-1)
        self.other.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.other.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.message = FieldMessage()
        note = QLabel(f"Keep <b>{keep.name}</b> and fold this record into it. Every membership, "
                      "citation and lead moves to the kept record; the duplicate is removed. "
                      "Undo brings it back.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        form = QFormLayout()
        form.addRow("&Duplicate", self.other)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def chosen(self) -> Organisation | None:
        return self.others.get(self.other.currentText())

    def _check(self) -> None:
        if self.chosen() is None:
            self.message.show_error("choose an organisation from the list")
            return
        self.accept()


class OrganisationsView(QWidget):
    open_partnership = Signal(int)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.current: Organisation | None = None
        self._loading = False
        self.filter = QLineEdit(placeholderText="Find an organisation by name or GSS code…")
        self.filter.setClearButtonEnabled(True)
        self.model = OrganisationsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _: self._update_count())
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(
            1, self.fontMetrics().horizontalAdvance("central government and agencies") + 16)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setAccessibleName("Organisations")
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.count = QLabel()

        self.name = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(ORGANISATION_KINDS)
        self.gss = QLineEdit(placeholderText="e.g. E09000009")
        self.gss.setToolTip("The ONS GSS code of a local authority or other statutory body")
        self.notes = TextField(lines=3)
        self.message = FieldMessage()
        self.memberships = QTableWidget(0, 4)
        self.memberships.setHorizontalHeaderLabels(["Partnership", "Role", "Joined", "Left"])
        self.memberships.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.memberships.verticalHeader().hide()
        self.memberships.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.memberships.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.memberships.setToolTip("Double-click to open the partnership")
        self.memberships.cellDoubleClicked.connect(self._open_partnership)
        self.merge_button = QPushButton("Merge a duplicate into this…")
        self.merge_button.setToolTip("Two records of the same body: keep this one, move the other's memberships here")
        self.merge_button.clicked.connect(self.merge)
        self.delete_button = QPushButton("Delete organisation")
        self.delete_button.clicked.connect(self.delete)
        self.sources_mark = citations_panel.CiteMark("Organisation")
        self.sources_mark.clicked.connect(self._mark_clicked)
        self.sources_text = QLabel()
        self.sources_text.setWordWrap(True)
        self.cite_button = QPushButton("Cite a source…")
        self.cite_button.setToolTip("A report or page that describes this organisation")
        self.cite_button.clicked.connect(self.cite)

        for w, action, field in ((self.name, "Rename organisation", "name"),
                                 (self.gss, "Change GSS code", "gss_code")):
            w.editingFinished.connect(lambda w=w, a=action, f=field: self._update(a, **{f: w.text()}))
        self.kind.activated.connect(lambda _: self._update("Change organisation kind", kind=self.kind.currentText()))
        self.notes.editingFinished.connect(lambda: self._update("Edit organisation notes", notes=self.notes.text()))

        name_widgets((self.filter, "organisation-search", "Find an organisation"),
                     (self.table, "organisation-table", None), (self.name, "organisation-name", "Name"),
                     (self.kind, "organisation-kind", "Kind"), (self.gss, "organisation-gss-code", "GSS code"),
                     (self.notes, "organisation-notes", "Notes"),
                     (self.memberships, "organisation-memberships", "Partnerships it belongs to"),
                     (self.merge_button, "merge-organisation", None),
                     (self.sources_mark, "organisation-sources-mark", None),
                     (self.sources_text, "organisation-sources", None),
                     (self.cite_button, "cite-organisation", None),
                     (self.delete_button, "delete-organisation", None))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        self.detail = QWidget()
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Kind", self.kind)
        form.addRow("&GSS code", self.gss)
        form.addRow("N&otes", self.notes)
        sources_row = QHBoxLayout()
        sources_row.addWidget(self.sources_mark)
        sources_row.addWidget(self.sources_text, 1)
        sources_row.addWidget(self.cite_button)
        form.addRow("Sources", sources_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.delete_button)
        right = QVBoxLayout(self.detail)
        right.addLayout(form)
        right.addWidget(self.message)
        right.addWidget(QLabel("Partnerships it belongs to"))
        right.addWidget(self.memberships, 1)
        right.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        document.changed.connect(self._changed)
        self.reload()

    def _changed(self, changes: Changes) -> None:
        if changes.touch(*SHOWS):
            self.reload()

    def reload(self) -> None:
        cat = self.document.catalogue
        counts = cat.organisations.partnership_counts()
        keep = self.current.id if self.current else None
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows([(o, counts.get(o.id, 0)) for o in cat.organisations.all()])
        self.table.selectionModel().blockSignals(False)
        self._update_count()
        self.select(keep)

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count.setText(plural(total, "organisation") if shown == total else f"{shown:,} of {plural(total, 'organisation')} shown")

    def select(self, org_id: int | None) -> None:
        row = self.model.row_of(org_id) if org_id is not None else None
        if row is None:
            self.current = None
            self._show(None)
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(index.row())
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(index)
        self._show(self.model.organisation(row))

    def _selected(self, *_):
        rows = self.table.selectionModel().selectedRows()
        self._show(self.model.organisation(self.proxy.mapToSource(rows[0]).row()) if rows else None)

    def _show(self, org: Organisation | None) -> None:
        if org is None or (self.current and org.id != self.current.id):
            self.message.clear_message()
        self.current = org
        self.detail.setEnabled(org is not None)
        self._loading = True
        cat = self.document.catalogue
        self.name.setText(org.name if org else "")
        self.kind.setCurrentText(org.kind if org else "other")
        self.gss.setText(org.gss_code or "" if org else "")
        self.notes.set_text(org.notes if org else "")
        cited = cat.sources.cited(organisation_id=org.id) if org else []
        self.sources_mark.show_rows(cited, org is not None)
        self.sources_text.setText("; ".join(citations_panel.source_label(s) for _, s in cited) or "none cited")
        memberships = cat.partnerships.memberships_of(org.id) if org else []
        names = cat.partnerships.names() if memberships else {}
        self.memberships.setRowCount(len(memberships))
        for i, m in enumerate(memberships):
            for j, text in enumerate((names.get(m.partnership_id, ""), m.role, m.joined or "", m.left or "")):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.partnership_id)
                self.memberships.setItem(i, j, item)
        self._loading = False

    def cite(self) -> None:
        if self.current is not None:
            citations_panel.cite(self, self.document, "organisation_id", self.current.id)

    def _mark_clicked(self) -> None:
        if self.current is not None:
            citations_panel.cite_or_remove(self, self.document, "organisation_id", self.current.id, None,
                                           self.sources_mark.rows, self.sources_mark.menu_point())

    def _open_partnership(self, row: int, _col: int) -> None:
        item = self.memberships.item(row, 0)
        if item:
            self.open_partnership.emit(item.data(Qt.ItemDataRole.UserRole))

    def _update(self, action: str, **changes) -> None:
        if self._loading or self.current is None:
            return
        cat = self.document.catalogue
        org = cat.organisations.get(self.current.id)
        if "gss_code" in changes:
            changes["gss_code"] = changes["gss_code"].strip() or None
        changed = replace(org, **changes)
        if changed == org:
            return
        try:
            self.document.edit(action, lambda: cat.organisations.update(changed))
            self.message.clear_message()
        except CatalogueError as e:
            self.message.show_error(str(e))

    def merge(self) -> None:
        if self.current is None:
            return
        cat = self.document.catalogue
        keep = self.current
        dialog = MergeDialog(keep, [o for o in cat.organisations.all() if o.id != keep.id], self)
        if dialog.exec() and dialog.chosen():
            drop = dialog.chosen()
            try:
                self.document.edit("Merge organisations", lambda: cat.organisations.merge(keep.id, drop.id))
            except CatalogueError as e:
                self.message.show_error(str(e))

    def delete(self) -> None:
        if self.current is None:
            return
        cat = self.document.catalogue
        org = self.current
        n = len(cat.partnerships.memberships_of(org.id))
        if n and QMessageBox.question(
                self, "Delete organisation",
                f"{org.name} is a member of {n} partnership{'s' if n != 1 else ''}. Delete it and "
                "those memberships? (Edit ▸ Undo brings them back.)") != QMessageBox.StandardButton.Yes:
            return
        try:
            self.document.edit("Delete organisation", lambda: cat.organisations.delete(org.id))
        except CatalogueError as e:
            self.message.show_error(str(e))
