"""A partnership's members: a table (role and dates edited in place) and a row to add one.

The organisation box completes over the catalogue's organisations; a name that
is not there yet creates the organisation and the membership in one edit.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.catalogue import dates
from models.catalogue.records import (
    MEMBERSHIP_FIELDS,
    ORGANISATION_KINDS,
    ROLES,
    Citation,
    Membership,
    Organisation,
    Source,
)
from models.errors import CatalogueError
from ui.catalogue import citations_panel
from ui.catalogue.fields import DateField, FieldMessage, grow_with_rows, name_widgets
from ui.catalogue.table_model import RowsModel
from ui.document import Document

# What the table shows (the editor refills it when these change): each member's role and
# dates, and its organisation's name.
SHOWS = ("memberships", "organisations")

_HEADERS = ("Organisation", "Role", "Joined", "Left", "First seen", "Last seen")
_FIELDS = (None, "role", "joined", "left", "first_seen", "last_seen")
# The membership's citable facts, by column: the role, and its dates (joined and left together).
_CITED = {1: "role", 2: "dates", 3: "dates"}
_ACTIONS = (None, "Change member's role", "Change joined date", "Change left date", "Change member first seen",
            "Change member last seen")


class MembersModel(RowsModel):
    HEADERS = _HEADERS

    """Rows are (Membership, organisation name); setData edits the catalogue through the document."""

    def __init__(self, document: Document, report, parent=None):
        super().__init__(parent)
        self.document = document
        self._report = report           # shows a model error beside the table
        self._rows: list[tuple[Membership, str]] = []
        self._cites: dict[int, list[tuple[Citation, Source]]] = {}
        self._icons = (citations_panel.mark_icon(False), citations_panel.mark_icon(True))

    def set_rows(self, rows: list[tuple[Membership, str]],
                 cites: dict[int, list[tuple[Citation, Source]]] | None = None) -> None:
        cites = cites or {}
        if rows == self._rows and cites == self._cites:
            return   # a reload after another table's edit: nothing to reset, lay out or repaint
        self.beginResetModel()
        self._rows = rows
        self._cites = cites
        self.endResetModel()

    def citations(self, membership_id: int) -> list[tuple[Citation, Source]]:
        return self._cites.get(membership_id, [])

    def _fact(self, m: Membership, column: int) -> tuple[list, bool] | None:
        """The citations of the fact in this column, and whether it holds anything; None if no fact."""
        field = _CITED.get(column)
        if field is None:
            return None
        rows = [r for r in self._cites.get(m.id, []) if r[0].field == field]
        filled = any(getattr(m, a) not in (None, "") for a in MEMBERSHIP_FIELDS[field][1])
        return rows, filled

    def membership(self, row: int) -> Membership:
        return self._rows[row][0]

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() > 0 else base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        m, name = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (name, m.role, m.joined or "", m.left or "", m.first_seen or "",
                    m.last_seen or "")[index.column()]
        fact = self._fact(m, index.column())
        if role == Qt.ItemDataRole.DecorationRole and fact and (fact[0] or fact[1]):
            return self._icons[bool(fact[0])]
        if role == Qt.ItemDataRole.ToolTipRole and fact:
            label = MEMBERSHIP_FIELDS[_CITED[index.column()]][0]
            tip = citations_panel.mark_tooltip(label, *fact).replace("(click to cite one)", "(Cite… to add one)")
            return tip + ("\nA partial date: YYYY, YYYY-MM or YYYY-MM-DD" if index.column() in (2, 3) else "")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (4, 5):
            return ("Evidence it was a member, where joined and left are not known: a partial date "
                    "(YYYY, YYYY-MM or YYYY-MM-DD); attested from first to last seen")
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == 0:
            return False
        m = self._rows[index.row()][0]
        changed = replace(m, **{_FIELDS[index.column()]: str(value).strip() or None})
        if index.column() == 1:
            changed = replace(changed, role=str(value))
        if changed == m:
            return False
        cat = self.document.catalogue
        try:
            self.document.edit(_ACTIONS[index.column()], lambda: cat.partnerships.update_member(changed))
        except CatalogueError as e:
            self._report(str(e))
            return False
        return True


class _RoleDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        box.addItems(ROLES)
        return box

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText())


class MembersPanel(QWidget):
    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.partnership_id: int | None = None
        self.message = FieldMessage()
        self.model = MembersModel(document, self.message.show_error, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(1, _RoleDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Members")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Wide enough for the longest role, fixed: fitting it to the contents made every
        # partnership shown measure every row again.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, max(self.fontMetrics().horizontalAdvance(r) for r in (*ROLES, "Role")) + 24)
        for col in (2, 3, 4, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, self.fontMetrics().horizontalAdvance(
                "0000-00-00" if col < 4 else "First seen") + 16)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        grow_with_rows(self.table, min_rows=3)
        remove = QShortcut(QKeySequence.StandardKey.Delete, self.table, self.remove_selected)
        # Set apart from the constructor, which ignores a context given by keyword: window-wide,
        # Delete would compete with Delete Partnership on the list and do nothing there.
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)

        self.organisation = QLineEdit(placeholderText="Organisation (type to find, or a new name)")
        self.organisation.setAccessibleName("New member organisation")
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.organisation.setCompleter(completer)
        self.organisation.textChanged.connect(self._check_new)
        self.organisation.returnPressed.connect(self._return_in_organisation)
        self.new_kind = QComboBox()
        self.new_kind.addItems(ORGANISATION_KINDS)
        self.new_kind.setCurrentText("other")
        self.new_kind.setToolTip("Kind of the new organisation")
        self.new_kind.setAccessibleName("Kind of the new organisation")
        self.new_kind.hide()
        self.role = QComboBox()
        self.role.addItems(ROLES)
        self.role.setCurrentText("member")
        self.role.setAccessibleName("Role")
        self.joined = DateField()
        self.joined.setPlaceholderText("Joined")
        self.joined.setAccessibleName("Joined")
        self.left = DateField()
        self.left.setPlaceholderText("Left")
        self.left.setAccessibleName("Left")
        for w in (self.joined, self.left):
            w.returnPressed.connect(self.add_member)
            w.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + 24)
        self.add_button = QPushButton("Add member")
        self.add_button.setToolTip("Add this organisation to the partnership (Enter)")
        self.add_button.clicked.connect(self.add_member)
        self.remove_button = QPushButton("Remove member")
        self.remove_button.setToolTip("Remove the selected members (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.cite_button = QPushButton("Cite…")
        self.cite_button.setToolTip("Cite a source for the selected membership, its dates or its role (the "
                                    "current cell's); where one is cited already, cite another or remove one")
        self.cite_button.clicked.connect(self.cite_selected)
        self.new_note = QLabel()
        self.new_note.hide()
        self.warning = FieldMessage()

        name_widgets((self.table, "members-table", None), (self.organisation, "member-organisation", None),
                     (self.new_kind, "member-new-kind", None), (self.role, "member-role", None),
                     (self.joined, "member-joined", None), (self.left, "member-left", None),
                     (self.add_button, "add-member", None), (self.remove_button, "remove-member", None),
                     (self.cite_button, "cite-member", None))
        # Two rows, so the organisation's name keeps its room at any text size.
        add_row = QGridLayout()
        add_row.addWidget(self.organisation, 0, 0, 1, 3)
        add_row.addWidget(self.new_kind, 0, 3)
        add_row.addWidget(self.role, 1, 0)
        add_row.addWidget(self.joined, 1, 1)
        add_row.addWidget(self.left, 1, 2)
        add_row.addWidget(self.add_button, 1, 3)
        add_row.setColumnStretch(0, 1)
        add_row.setColumnStretch(1, 1)
        add_row.setColumnStretch(2, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_note, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.cite_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.warning)
        layout.addLayout(add_row)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    def set_organisation_names(self, names: list[str]) -> None:
        self._names.setStringList(names)

    def show_partnership(self, pid: int | None, memberships: list[tuple[Membership, str]],
                         cites: dict[int, list[tuple[Citation, Source]]] | None = None) -> None:
        if pid != self.partnership_id:
            for w in (self.organisation, self.joined, self.left):
                w.setText("")
            self.message.clear_message()
        self.partnership_id = pid
        self.model.set_rows(memberships, cites)
        seen, twice = set(), []
        for m, name in memberships:
            if m.organisation_id in seen and name not in twice:
                twice.append(name)
            seen.add(m.organisation_id)
        if twice:
            self.warning.show_warning(f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} "
                                      "listed twice")
        else:
            self.warning.clear_message()
        self._update_buttons()

    def _update_buttons(self, *_):
        selected = self.table.selectionModel().selectedRows()
        self.remove_button.setEnabled(bool(selected))
        self.cite_button.setEnabled(len(selected) == 1)

    def cite_selected(self) -> None:
        """Cite a source for the selected membership; the current cell's fact comes chosen."""
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return
        m = self.model.membership(rows[0].row())
        field = _CITED.get(self.table.currentIndex().column())
        cited = [r for r in self.model.citations(m.id) if r[0].field == field]
        at = self.cite_button.mapToGlobal(self.cite_button.rect().bottomLeft())
        if citations_panel.cite_or_remove(self, self.document, "membership_id", m.id, field, cited, at):
            self.message.clear_message()

    def _check_new(self, text: str) -> None:
        text = text.strip()
        new = bool(text) and self.document.catalogue.organisations.find(text) is None
        self.new_kind.setVisible(new)
        self.new_note.setVisible(new)
        self.new_note.setText(f"“{text}” is not in the catalogue yet: adding creates it." if new else "")
        self.add_button.setText("Create and add" if new else "Add member")

    def _return_in_organisation(self) -> None:
        # Enter on a highlighted suggestion chooses it: the completer fills the box after this
        # signal, and the role and dates are still to be set. The next Enter adds.
        popup = self.organisation.completer().popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return
        self.add_member()

    def add_member(self) -> None:
        name = self.organisation.text().strip()
        if self.partnership_id is None:
            return
        if not name:
            self.message.show_error("type the organisation to add")
            return
        try:
            joined, left = dates.parse(self.joined.text()), dates.parse(self.left.text())
        except ValueError as e:
            self.message.show_error(str(e))
            return
        cat = self.document.catalogue
        org = cat.organisations.find(name)
        m = Membership(self.partnership_id, org.id if org else 0, role=self.role.currentText(),
                       joined=joined, left=left)
        try:
            if org:
                self.document.edit("Add member", lambda: cat.partnerships.add_member(m))
            else:
                new = Organisation(name, kind=self.new_kind.currentText())
                self.document.edit("Add new organisation as member",
                                   lambda: cat.partnerships.add_member_new_organisation(new, m))
        except CatalogueError as e:
            self.message.show_error(str(e))
            return
        self.message.clear_message()
        for w in (self.organisation, self.joined, self.left):
            # setText, not clear(): clear() is a step of the box's own undo, and Ctrl+Z in the
            # emptied box must undo the add, not bring the name back.
            w.setText("")
        self.role.setCurrentText("member")
        self.organisation.setFocus()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows:
            return
        ids = [self.model.membership(r).id for r in rows]
        cat = self.document.catalogue
        text = "Remove member" if len(ids) == 1 else f"Remove {len(ids)} members"
        try:
            if len(ids) == 1:
                self.document.edit(text, lambda: cat.partnerships.remove_member(ids[0]))
            else:
                self.document.edit(text, lambda: cat.partnerships.remove_members(ids))
        except CatalogueError as e:
            self.message.show_error(str(e))
