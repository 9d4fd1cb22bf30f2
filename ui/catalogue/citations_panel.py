"""The sources cited for a partnership: add, edit, remove; one source can serve many records."""
from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.catalogue.records import Citation, Source
from models.errors import CatalogueError
from ui.catalogue.fields import FieldMessage, TextField, grow_with_rows, name_widgets
from ui.document import Document

# What the list shows (the editor refills it when these change): each citation's page and
# quote, and its source's title, publisher, year and link.
SHOWS = ("citations", "sources")

_PAGES = re.compile(r"^\d+(\s*[–-]\s*\d+)?$")   # "12" or "12–14", not a section title


def source_label(s: Source) -> str:
    extra = ", ".join(str(x) for x in (s.publisher, s.year) if x)
    return f"{s.title} ({extra})" if extra else s.title


class CitationsModel(QAbstractListModel):
    """One entry per citation: the source, where in it, and the quote, on separate lines."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[Citation, Source]] = []

    def set_rows(self, rows: list[tuple[Citation, Source]]) -> None:
        if rows == self._rows:
            return   # a reload after another table's edit: nothing to reset, lay out or repaint
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, i: int) -> tuple[Citation, Source]:
        return self._rows[i]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c, s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            lines = [source_label(s)]
            if c.page:
                lines.append(f"p. {c.page}" if _PAGES.match(c.page) else c.page)
            if c.quote:
                lines.append(f"“{c.quote}”")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (source_label(s), s.url, c.page, c.quote) if x)
        return None


class SourceFields(QWidget):
    """Title, publisher, year and link of one source."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLineEdit()
        self.publisher = QLineEdit()
        self.year = QSpinBox(minimum=0, maximum=2999)
        self.year.setSpecialValueText("not known")
        self.url = QLineEdit(placeholderText="https://…")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Title", self.title)
        form.addRow("&Publisher", self.publisher)
        form.addRow("&Year", self.year)
        form.addRow("&Link", self.url)

    def set_source(self, s: Source | None) -> None:
        s = s or Source("")
        self.title.setText(s.title)
        self.publisher.setText(s.publisher)
        self.year.setValue(s.year or 0)
        self.url.setText(s.url)

    def source(self, source_id: int | None = None) -> Source:
        return Source(title=self.title.text(), publisher=self.publisher.text(),
                      year=self.year.value() or None, url=self.url.text().strip(), id=source_id)


class CiteDialog(QDialog):
    """Choose an existing source (or describe a new one), with the page and a quote."""
    NEW = -1

    def __init__(self, sources: list[Source], citation: Citation | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Edit citation" if citation else "Cite a source")
        self.source = QComboBox()
        self.source.setAccessibleName("Source")
        if citation is None:
            self.source.addItem("New source…", self.NEW)
        for s in sources:
            self.source.addItem(source_label(s), s.id)
        self.new_source = SourceFields()
        self.page = QLineEdit(placeholderText="e.g. 12, 12–14 or a section title")
        self.quote = TextField(lines=4)
        self.message = FieldMessage()
        form = QFormLayout()
        form.addRow("&Source", self.source)
        form.addRow(self.new_source)
        form.addRow("P&age or section", self.page)
        form.addRow("&Quote", self.quote)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.source.currentIndexChanged.connect(
            lambda _: self.new_source.setVisible(self.source.currentData() == self.NEW))
        if citation:
            self.source.setCurrentIndex(max(0, self.source.findData(citation.source_id)))
            self.page.setText(citation.page)
            self.quote.set_text(citation.quote)
        elif sources:
            self.source.setCurrentIndex(1)
        self.new_source.setVisible(self.source.currentData() == self.NEW)
        self.resize(self.fontMetrics().horizontalAdvance("x") * 70, self.sizeHint().height())

    def _check(self) -> None:
        if self.source.currentData() == self.NEW and not self.new_source.title.text().strip():
            self.message.show_error("a new source needs a title")
            return
        self.accept()


class CitationsPanel(QWidget):
    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.partnership_id: int | None = None
        self.model = CitationsModel(self)
        self.table = QListView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setSpacing(3)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Sources")
        grow_with_rows(self.table)
        self.table.doubleClicked.connect(lambda _: self.edit_citation())
        self.cite_button = QPushButton("Cite a source…")
        self.cite_button.setToolTip("Add a report, minutes or page this partnership's facts come from")
        self.cite_button.clicked.connect(self.cite)
        self.edit_button = QPushButton("Edit citation…")
        self.edit_button.clicked.connect(self.edit_citation)
        self.source_button = QPushButton("Edit source…")
        self.source_button.setToolTip("Change the source itself (every record citing it sees the change)")
        self.source_button.clicked.connect(self.edit_source)
        self.remove_button = QPushButton("Remove citation")
        self.remove_button.clicked.connect(self.remove)
        self.message = FieldMessage()
        name_widgets((self.table, "citations-list", None), (self.cite_button, "cite-source", None),
                     (self.edit_button, "edit-citation", None), (self.source_button, "edit-source", None),
                     (self.remove_button, "remove-citation", None))
        buttons = QHBoxLayout()
        for b in (self.cite_button, self.edit_button, self.source_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_partnership(self, pid: int | None, rows: list[tuple[Citation, Source]]) -> None:
        if pid != self.partnership_id:
            self.message.clear_message()
        self.partnership_id = pid
        self.model.set_rows(rows)
        self._update_buttons()

    def _selected(self) -> tuple[Citation, Source] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _update_buttons(self, *_):
        has = self._selected() is not None
        for b in (self.edit_button, self.source_button, self.remove_button):
            b.setEnabled(has)
        self.cite_button.setEnabled(self.partnership_id is not None)

    def _run(self, text, apply) -> None:
        try:
            self.document.edit(text, apply)
            self.message.clear_message()
        except CatalogueError as e:
            self.message.show_error(str(e))

    def cite(self) -> None:
        cat = self.document.catalogue
        dialog = CiteDialog(cat.sources.all(), parent=self)
        if not dialog.exec():
            return
        c = Citation(source_id=0, page=dialog.page.text(), quote=dialog.quote.text(),
                     partnership_id=self.partnership_id)
        if dialog.source.currentData() == CiteDialog.NEW:
            source = dialog.new_source.source()
            self._run("Cite new source", lambda: cat.sources.cite_new(source, c))
        else:
            c = replace(c, source_id=dialog.source.currentData())
            self._run("Cite source", lambda: cat.sources.cite(c))

    def edit_citation(self) -> None:
        selected = self._selected()
        if not selected:
            return
        cat = self.document.catalogue
        dialog = CiteDialog(cat.sources.all(), selected[0], parent=self)
        if dialog.exec():
            c = replace(selected[0], source_id=dialog.source.currentData(), page=dialog.page.text(),
                        quote=dialog.quote.text())
            if c != selected[0]:
                self._run("Edit citation", lambda: cat.sources.update_citation(c))

    def edit_source(self) -> None:
        selected = self._selected()
        if not selected:
            return
        cat = self.document.catalogue
        source = selected[1]
        dialog = QDialog(self)
        dialog.setWindowTitle("Edit source")
        fields = SourceFields()
        fields.set_source(source)
        uses = cat.sources.usage(source.id)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(fields)
        note = FieldMessage()
        if uses > 1:
            note.show_warning(f"{uses} records cite this source; all of them will show the change")
        layout.addWidget(note)
        layout.addWidget(buttons)
        if dialog.exec():
            changed = fields.source(source.id)
            if changed != source:
                self._run("Edit source", lambda: cat.sources.update(changed))

    def remove(self) -> None:
        selected = self._selected()
        if selected:
            cat = self.document.catalogue
            self._run("Remove citation", lambda: cat.sources.uncite(selected[0].id))
