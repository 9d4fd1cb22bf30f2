"""The sources cited for a partnership: add, edit, remove; one source can serve many records."""
from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.catalogue import dates
from models.catalogue.records import MEMBERSHIP_FIELDS, PARTNERSHIP_FIELDS, SOURCE_TYPES, Citation, Source
from models.errors import CatalogueError
from ui.catalogue.fields import DateField, FieldMessage, TextField, grow_with_rows, name_widgets
from ui.document import Document

# The facts each kind of record can have cited one by one (field -> label); the others only whole.
FIELDS = {"partnership_id": {k: v[0] for k, v in PARTNERSHIP_FIELDS.items()},
          "membership_id": {k: v[0] for k, v in MEMBERSHIP_FIELDS.items()},
          "organisation_id": {}, "area_id": {}}
WHOLE = {"partnership_id": "The whole partnership", "membership_id": "The whole membership",
         "organisation_id": "The organisation", "area_id": "The area"}
CITED_COLOUR = QColor("#0072B2")
UNCITED_COLOUR = QColor("#D55E00")

# What the list shows (the editor refills it when these change): each citation's page and
# quote, and its source's title, publisher, year and link.
SHOWS = ("citations", "sources")

_PAGES = re.compile(r"^\d+(\s*[–-]\s*\d+)?$")   # "12" or "12–14", not a section title


def source_label(s: Source) -> str:
    extra = ", ".join(str(x) for x in (s.publisher, s.year) if x)
    return f"{s.title} ({extra})" if extra else s.title


def citation_lines(rows: list[tuple[Citation, Source]]) -> str:
    """Each citation's source, page and quote: what a cited fact's mark says when hovered."""
    out = []
    for c, s in rows:
        line = source_label(s)
        if c.page:
            line += f", p. {c.page}" if _PAGES.match(c.page) else f", {c.page}"
        if c.quote:
            line += f"\n    “{c.quote}”"
        out.append(line)
    return "\n".join(out)


def mark_icon(cited: bool, size: int = 14) -> QIcon:
    """A small closed book (cited) or an empty dashed one (a fact with no source)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = CITED_COLOUR if cited else UNCITED_COLOUR
    pen = QPen(colour, 1.5)
    if not cited:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    if cited:
        painter.setBrush(colour)
    book = QRectF(2.5, 1.5, size - 5, size - 3)
    painter.drawRoundedRect(book, 1.5, 1.5)
    if cited:   # the pages' edge
        painter.setPen(QPen(QColor("white"), 1.2))
        painter.drawLine(int(book.left() + 2.5), int(book.bottom() - 2), int(book.right() - 1),
                         int(book.bottom() - 2))
    painter.end()
    return QIcon(pixmap)


def mark_tooltip(label: str, rows: list[tuple[Citation, Source]], filled: bool = True) -> str:
    if rows:
        return f"{label}: cited from\n{citation_lines(rows)}"
    if filled:
        return f"{label}: no source yet (click to cite one)"
    return f"{label}: empty (click to cite a source for it)"


def cite(parent: QWidget, document: Document, target: str, record_id: int, field: str | None = None) -> bool:
    """Ask for a source, page and quote for one record (or one field of it) and cite it as one edit."""
    cat = document.catalogue
    dialog = CiteDialog(cat.sources.all(), fields=FIELDS[target], whole=WHOLE[target], field=field, parent=parent)
    if not dialog.exec():
        return False
    c = Citation(source_id=0, page=dialog.page.text(), quote=dialog.quote.text(), field=dialog.field.currentData(),
                 **{target: record_id})
    what = f"Cite source for {FIELDS[target][c.field].lower()}" if c.field else "Cite source"
    try:
        if dialog.source.currentData() == CiteDialog.NEW:
            source = dialog.new_source.source()
            document.edit(what.replace("Cite source", "Cite new source"), lambda: cat.sources.cite_new(source, c))
        else:
            c = replace(c, source_id=dialog.source.currentData())
            document.edit(what, lambda: cat.sources.cite(c))
    except CatalogueError as e:   # beside the record where it has a message line, else in a message box
        message = getattr(parent, "message", None)
        if isinstance(message, FieldMessage):
            message.show_error(str(e))
        else:
            document.failed.emit(str(e))
        return False
    return True


def cite_or_remove(parent: QWidget, document: Document, target: str, record_id: int, field: str | None,
                   rows: list[tuple[Citation, Source]], at) -> bool:
    """With nothing cited, ask for a source; else a menu at `at` (global): cite another, or
    remove one of those cited (one undo step each)."""
    if not rows:
        return cite(parent, document, target, record_id, field)
    menu = QMenu(parent)
    another = menu.addAction("Cite another source…")
    menu.addSeparator()
    removals = [(menu.addAction(f"Remove citation of {source_label(s)}" + (f", p. {c.page}" if c.page else "")),
                 c.id) for c, s in rows]
    chosen = menu.exec(at)
    if chosen is None:
        return False
    if chosen == another:
        return cite(parent, document, target, record_id, field)
    citation_id = next(cid for action, cid in removals if action == chosen)
    try:
        document.edit("Remove citation", lambda: document.catalogue.sources.uncite(citation_id))
    except CatalogueError as e:
        document.failed.emit(str(e))
        return False
    return True


class CiteMark(QToolButton):
    """The mark beside one fact: a book when a source is cited for it (hover: which, page, quote),
    a dashed one when it holds something no source supports; clicking cites a source for it
    (or, once cited, offers to cite another or remove one: see cite_or_remove)."""

    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        self.label = label
        self.rows: list[tuple[Citation, Source]] = []
        self.filled = False
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the field keeps the tab order; the mark is a click
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAccessibleName(f"Sources for {label.lower()}")
        self.show_rows([], False)

    @property
    def cited(self) -> bool:
        return bool(self.rows)

    def show_rows(self, rows: list[tuple[Citation, Source]], filled: bool) -> None:
        self.rows, self.filled = rows, filled
        # An empty field has nothing to source: its mark is faint, there to click, not to warn.
        self.setIcon(mark_icon(bool(rows)) if rows or filled else _faint_icon())
        self.setText(str(len(rows)) if len(rows) > 1 else "")
        self.setToolTip(mark_tooltip(self.label, rows, filled))

    def menu_point(self):
        return self.mapToGlobal(self.rect().bottomLeft())


def _faint_icon() -> QIcon:
    pixmap = mark_icon(False).pixmap(14, 14)
    faint = QPixmap(pixmap.size())
    faint.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faint)
    painter.setOpacity(0.3)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    return QIcon(faint)


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
            if c.field:
                lines[0] = f"{FIELDS['partnership_id'].get(c.field, c.field)}: {lines[0]}"
            if c.page:
                lines.append(f"p. {c.page}" if _PAGES.match(c.page) else c.page)
            if c.quote:
                lines.append(f"“{c.quote}”")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (source_label(s), s.url, c.page, c.quote) if x)
        return None


class SourceFields(QWidget):
    """A source as reference managers want it: title, authors, type, publisher, year, link, DOI,
    and the date a web page was read."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLineEdit()
        self.authors = QLineEdit(placeholderText="Family, Given; an organisation; …")
        self.authors.setToolTip("Authors separated by ';': a person as 'Family, Given', an organisation "
                                "by its name")
        self.type = QComboBox()
        self.type.addItems(SOURCE_TYPES)
        self.publisher = QLineEdit()
        self.year = QSpinBox(minimum=0, maximum=2999)
        self.year.setSpecialValueText("not known")
        self.url = QLineEdit(placeholderText="https://…")
        self.doi = QLineEdit(placeholderText="10.xxxx/…")
        self.accessed = DateField()
        self.accessed.setToolTip("When you read it (for web pages): YYYY-MM-DD")
        self.message = FieldMessage()
        name_widgets((self.title, "source-title", "Title"), (self.authors, "source-authors", "Authors"),
                     (self.type, "source-type", "Type"), (self.publisher, "source-publisher", "Publisher"),
                     (self.year, "source-year", "Year"), (self.url, "source-url", "Link"),
                     (self.doi, "source-doi", "DOI"), (self.accessed, "source-accessed", "Accessed"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Title", self.title)
        form.addRow("A&uthors", self.authors)
        form.addRow("Typ&e", self.type)
        form.addRow("&Publisher", self.publisher)
        form.addRow("&Year", self.year)
        form.addRow("&Link", self.url)
        form.addRow("D&OI", self.doi)
        form.addRow("A&ccessed", self.accessed)
        form.addRow(self.message)

    def set_source(self, s: Source | None) -> None:
        s = s or Source("")
        self.title.setText(s.title)
        self.authors.setText("; ".join(s.authors))
        self.type.setCurrentText(s.type)
        self.publisher.setText(s.publisher)
        self.year.setValue(s.year or 0)
        self.url.setText(s.url)
        self.doi.setText(s.doi)
        self.accessed.setText(s.accessed or "")

    def source(self, source_id: int | None = None) -> Source:
        return Source(title=self.title.text(), publisher=self.publisher.text(),
                      year=self.year.value() or None, url=self.url.text().strip(), id=source_id,
                      authors=tuple(a.strip() for a in self.authors.text().split(";") if a.strip()),
                      type=self.type.currentText(), doi=self.doi.text().strip(),
                      accessed=self.accessed.text().strip() or None)

    def problem(self) -> str | None:
        """Why the source cannot be saved as it stands (shown in the dialog, which stays open)."""
        from models.catalogue.sources import checked_source
        try:
            dates.parse(self.accessed.text())
            checked_source(self.source())
        except ValueError as e:
            return f"accessed: {e}"
        except CatalogueError as e:
            return str(e)
        return None


class CiteDialog(QDialog):
    """Choose an existing source (or describe a new one), with the page and a quote."""
    NEW = -1

    def __init__(self, sources: list[Source], citation: Citation | None = None, parent=None,
                 fields: dict[str, str] | None = None, whole: str = "The whole partnership",
                 field: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit citation" if citation else "Cite a source")
        # Which fact the source supports: the whole record, or one field of it.
        self.field = QComboBox()
        self.field.setAccessibleName("Supports")
        self.field.setObjectName("cite-field")
        self.field.addItem(whole, None)
        for name, label in (FIELDS["partnership_id"] if fields is None else fields).items():
            self.field.addItem(label, name)
        self.field.setCurrentIndex(max(0, self.field.findData(citation.field if citation else field)))
        self.field.setEnabled(citation is None and self.field.count() > 1)
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
        form.addRow("Suppo&rts", self.field)
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
        if self.source.currentData() == self.NEW:
            if not self.new_source.title.text().strip():
                self.message.show_error("a new source needs a title")
                return
            problem = self.new_source.problem()
            if problem:
                self.message.show_error(problem)
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
        if self.partnership_id is not None and cite(self, self.document, "partnership_id", self.partnership_id):
            self.message.clear_message()

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
        buttons.accepted.connect(lambda: fields.message.show_error(fields.problem()) if fields.problem()
                                 else dialog.accept())
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
