"""The selected partnership's editor: every field, checked as you type, saved when you leave it.

Each field's change is one edit with its own name on the undo stack ("Rename
partnership", "Change status"…). A field whose text is wrong shows why beside
it and is not saved until it is right.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.catalogue import dates
from models.catalogue.records import (
    PARTNERSHIP_FIELDS,
    PARTNERSHIP_KINDS,
    POLICY_AREAS,
    SAVINGS_PERIODS,
    STATUSES,
    Partnership,
)
from models.catalogue.search import Search
from models.errors import CatalogueError
from models.formats.partnership_import import parse_amount
from ui.catalogue import citations_panel, members_panel
from ui.catalogue.fields import DateField, FieldMessage, TagEditor, TextField, grow_with_rows, name_widgets
from ui.document import Changes, Document

NO_LEAD = -1
# The partnership's own fields (and the other names the name is checked against), its linked
# areas with their ward counts, the lead's name, and what the members and sources panels show.
SHOWS = ("partnerships", "areas", "area_units", *members_panel.SHOWS, *citations_panel.SHOWS)


def _amount_text(amount: float | None) -> str:
    if amount is None:
        return ""
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


class PartnershipEditor(QWidget):
    delete_requested = Signal()

    def __init__(self, document: Document, search: Search, parent=None):
        super().__init__(parent)
        self.document = document
        self.search = search
        self.partnership: Partnership | None = None
        self._loading = False
        self._areas_shown: list[tuple[str, str]] = []

        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.name.setFont(font)
        self.name_message = FieldMessage()
        self.kind = QComboBox()
        self.kind.addItems(PARTNERSHIP_KINDS)
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.status_message = FieldMessage()
        self.start = DateField()
        self.start.setAccessibleName("Start date")
        self.end = DateField()
        self.end.setAccessibleName("End date")
        self.dates_message = FieldMessage()
        # The researcher's own evidence where start and end are not known: attested between them.
        self.first_seen = DateField()
        self.first_seen.setAccessibleName("First seen")
        self.first_seen.setToolTip("The earliest date you have evidence it was operating (YYYY, YYYY-MM "
                                   "or YYYY-MM-DD); it counts as attested from first to last seen")
        self.last_seen = DateField()
        self.last_seen.setAccessibleName("Last seen")
        self.last_seen.setToolTip("The latest date you have evidence it was operating")
        self.seen_message = FieldMessage()
        self.policy_areas = TagEditor(POLICY_AREAS, "Add a policy area…")
        self.policy_areas.setToolTip("Policy areas: choose a suggestion or type your own, then Enter")
        self.lead = QComboBox()
        self.lead.setToolTip("The lead organisation, chosen from the members")
        self.governance = TextField(lines=2)
        self.funding = QLineEdit()
        self.savings = QLineEdit(placeholderText="e.g. 1,500,000 or 2.5m")
        self.savings.setToolTip("Savings reported, in pounds")
        self.savings.setAccessibleName("Savings in pounds")
        self.savings_period = QComboBox()
        self.savings_period.addItem("—", None)
        for p in SAVINGS_PERIODS:
            self.savings_period.addItem(p, p)
        self.savings_text = QLineEdit(placeholderText="as the source puts it")
        self.savings_message = FieldMessage()
        self.description = TextField(lines=4)
        self.notes = TextField(lines=3)
        self.tags = TagEditor((), "Add a tag…")
        self.members = members_panel.MembersPanel(document)
        self.citations = citations_panel.CitationsPanel(document)
        self.areas = QListWidget()
        self.areas.setAccessibleName("Linked areas")
        grow_with_rows(self.areas, min_rows=1)
        self.delete_button = QPushButton("Delete partnership…")
        self.delete_button.setToolTip("Delete it with its members and citations (undo brings them back)")
        self.delete_button.clicked.connect(self.delete_requested)
        # A mark beside each fact a source can support: which source, or that none does yet.
        self.marks: dict[str, citations_panel.CiteMark] = {}
        for field, (label, _) in PARTNERSHIP_FIELDS.items():
            mark = self.marks[field] = citations_panel.CiteMark(label)
            mark.setObjectName(f"cite-mark-{field.replace('_', '-')}")
            mark.clicked.connect(lambda _=False, f=field: self.cite_field(f))

        name_widgets(
            (self, "partnership-editor", "Partnership"), (self.name, "partnership-name", None),
            (self.kind, "partnership-kind", "Kind"), (self.status, "partnership-status", "Status"),
            (self.start, "partnership-start", None), (self.end, "partnership-end", None),
            (self.first_seen, "partnership-first-seen", None), (self.last_seen, "partnership-last-seen", None),
            (self.policy_areas, "partnership-policy-areas", "Policy areas"),
            (self.policy_areas.entry, "partnership-policy-area-entry", "Add a policy area"),
            (self.lead, "partnership-lead", "Lead organisation"),
            (self.governance, "partnership-governance", "Governance"),
            (self.funding, "partnership-funding", "Funding"), (self.savings, "partnership-savings", None),
            (self.savings_period, "partnership-savings-period", "Savings period"),
            (self.savings_text, "partnership-savings-text", "Savings as reported"),
            (self.description, "partnership-description", "Description"),
            (self.notes, "partnership-notes", "Notes"), (self.tags, "partnership-tags", "Tags"),
            (self.tags.entry, "partnership-tag-entry", "Add a tag"),
            (self.members, "members-panel", "Members"), (self.citations, "citations-panel", "Sources"),
            (self.areas, "partnership-areas", None), (self.delete_button, "delete-partnership", None))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name", self.name)
        form.addRow("", self.name_message)
        form.addRow("&Kind", self.kind)
        form.addRow(self._marked("&Status", self.status, "status"), self.status)
        form.addRow("", self.status_message)
        dates_row = QHBoxLayout()
        dates_row.addWidget(self.start)
        dates_row.addWidget(QLabel("to"))
        dates_row.addWidget(self.end)
        dates_row.addStretch(1)
        form.addRow(self._marked("&Dates", self.start, "dates"), dates_row)
        form.addRow("", self.dates_message)
        seen_row = QHBoxLayout()
        seen_row.addWidget(self.first_seen)
        seen_row.addWidget(QLabel("to"))
        seen_row.addWidget(self.last_seen)
        seen_row.addStretch(1)
        form.addRow(self._label("Seen (ev&idence)", self.first_seen), seen_row)
        form.addRow("", self.seen_message)
        form.addRow(self._marked("&Policy areas", self.policy_areas, "policy_areas"), self.policy_areas)
        form.addRow(self._marked("&Lead", self.lead, "lead"), self.lead)
        form.addRow(self._marked("&Governance", self.governance, "governance"), self.governance)
        form.addRow(self._marked("&Funding", self.funding, "funding"), self.funding)
        savings_row = QHBoxLayout()
        savings_row.addWidget(QLabel("£"))
        savings_row.addWidget(self.savings, 1)
        savings_row.addWidget(self.savings_period)
        savings_row.addWidget(self.savings_text, 2)
        form.addRow(self._marked("Sa&vings", self.savings, "savings"), savings_row)
        form.addRow("", self.savings_message)
        form.addRow("D&escription", self.description)
        form.addRow("N&otes", self.notes)
        form.addRow("&Tags", self.tags)

        members_box = QGroupBox("Members")
        QVBoxLayout(members_box).addWidget(self.members)
        sources_box = QGroupBox("Sources")
        QVBoxLayout(sources_box).addWidget(self.citations)
        areas_box = QGroupBox("Areas on the map")
        areas_layout = QVBoxLayout(areas_box)
        areas_layout.addWidget(self.areas)
        self.areas_note = QLabel("No areas yet: draw them on the map.")
        areas_layout.addWidget(self.areas_note)

        page = QWidget()
        body = QVBoxLayout(page)
        body.addLayout(form)
        body.addWidget(members_box)
        body.addWidget(sources_box)
        body.addWidget(areas_box)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.delete_button)
        body.addLayout(bottom)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.empty = QLabel("Select a partnership on the left, or add one with\n"
                            "Partnership ▸ New Partnership (Ctrl+Shift+N).")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._connect()
        document.changed.connect(self._changed)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        # A row holding a layout has no buddy of its own: give the mnemonic one.
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _marked(self, text: str, buddy: QWidget, field: str) -> QWidget:
        """A field's label with its source mark beside it."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self._label(text, buddy))
        row.addWidget(self.marks[field])
        row.addStretch(1)
        return box

    def cite_field(self, field: str) -> None:
        if self.partnership is not None:
            mark = self.marks[field]
            citations_panel.cite_or_remove(self, self.document, "partnership_id", self.partnership.id, field,
                                           mark.rows, mark.menu_point())

    def _connect(self) -> None:
        # While a partnership is being filled in these wait: _fill runs each once at the end
        # (setText on the name alone would query the other names twice).
        self.name.textChanged.connect(lambda _: self._loading or self._check_name())
        self.name.editingFinished.connect(self._commit_name)
        for w in (self.start, self.end):
            w.textChanged.connect(lambda _: self._loading or self._check_dates())
        self.start.editingFinished.connect(lambda: self._commit_dates("Change start date"))
        self.end.editingFinished.connect(lambda: self._commit_dates("Change end date"))
        for w in (self.first_seen, self.last_seen):
            w.textChanged.connect(lambda _: self._loading or self._check_seen())
        self.first_seen.editingFinished.connect(lambda: self._commit_seen("Change first seen"))
        self.last_seen.editingFinished.connect(lambda: self._commit_seen("Change last seen"))
        self.kind.activated.connect(lambda _: self._update("Change kind", kind=self.kind.currentText()))
        self.status.activated.connect(lambda _: self._update("Change status", status=self.status.currentText()))
        self.policy_areas.changed.connect(lambda t: self._update("Change policy areas", policy_areas=t))
        self.tags.changed.connect(lambda t: self._update("Change tags", tags=t))
        self.lead.activated.connect(self._commit_lead)
        self.governance.editingFinished.connect(
            lambda: self._update("Edit governance", governance=self.governance.text()))
        self.funding.editingFinished.connect(lambda: self._update("Edit funding", funding=self.funding.text()))
        self.savings.textChanged.connect(lambda _: self._loading or self._check_savings())
        self.savings.editingFinished.connect(self._commit_savings)
        self.savings_period.activated.connect(
            lambda _: self._update("Change savings period", savings_period=self.savings_period.currentData()))
        self.savings_text.editingFinished.connect(
            lambda: self._update("Edit savings as reported", savings_text=self.savings_text.text()))
        self.description.editingFinished.connect(
            lambda: self._update("Edit description", description=self.description.text()))
        self.notes.editingFinished.connect(lambda: self._update("Edit notes", notes=self.notes.text()))

    # -- filling -----------------------------------------------------------
    def show_partnership(self, pid: int | None) -> None:
        cat = self.document.catalogue
        try:
            p = cat.partnerships.get(pid) if pid is not None else None
        except CatalogueError:
            p = None
        self.partnership = p
        if p is None:
            self.stack.setCurrentWidget(self.empty)
            self.members.show_partnership(None, [])
            self.citations.show_partnership(None, [])
            return
        self._loading = True
        try:
            self._fill(p)
        finally:
            self._loading = False
        self.stack.setCurrentIndex(1)

    def _changed(self, changes: Changes) -> None:
        if changes.touch(*SHOWS):
            self.reload()

    def reload(self) -> None:
        self.show_partnership(self.partnership.id if self.partnership else None)

    def _fill(self, p: Partnership) -> None:
        cat = self.document.catalogue
        if self.name.text() != p.name:
            self.name.setText(p.name)
        self.name.setModified(False)   # saved: Ctrl+Z in the field now undoes the catalogue edit
        self.kind.setCurrentText(p.kind)
        self.status.setCurrentText(p.status)
        self.start.setText(p.start or "")
        self.end.setText(p.end or "")
        self.first_seen.setText(p.first_seen or "")
        self.last_seen.setText(p.last_seen or "")
        self.seen_message.clear_message()
        self.policy_areas.set_tags(p.policy_areas)
        self.tags.set_tags(p.tags)
        self.governance.set_text(p.governance)
        self.funding.setText(p.funding)
        self.savings.setText(_amount_text(p.savings_amount))
        self.savings_period.setCurrentIndex(max(0, self.savings_period.findData(p.savings_period)))
        self.savings_text.setText(p.savings_text)
        self.description.set_text(p.description)
        self.notes.set_text(p.notes)
        for w in (self.name, self.start, self.end, self.first_seen, self.last_seen, self.funding, self.savings,
                  self.savings_text):
            w.setCursorPosition(0)

        names: dict[int, str] = {}
        memberships = cat.partnerships.memberships(p.id)
        for m in memberships:
            if m.organisation_id not in names:
                names[m.organisation_id] = cat.organisations.get(m.organisation_id).name
        self.members.show_partnership(p.id, [(m, names[m.organisation_id]) for m in memberships],
                                      {m.id: cat.sources.cited(membership_id=m.id) for m in memberships})
        leads = [("No lead organisation", NO_LEAD), *((name, org_id) for org_id, name in names.items())]
        if p.lead_id is not None and p.lead_id not in names:
            leads.append((f"{cat.organisations.get(p.lead_id).name} (not a member)", p.lead_id))
        # Rebuilt only when the choices differ: a cleared combo box asks its layout again.
        if leads != [(self.lead.itemText(i), self.lead.itemData(i)) for i in range(self.lead.count())]:
            self.lead.clear()
            for text, data in leads:
                self.lead.addItem(text, data)
        self.lead.setCurrentIndex(max(0, self.lead.findData(NO_LEAD if p.lead_id is None else p.lead_id)))

        rows = cat.sources.cited(partnership_id=p.id)
        self.citations.show_partnership(p.id, rows)
        for field, (_, attributes) in PARTNERSHIP_FIELDS.items():
            filled = any(getattr(p, a) not in (None, "", ()) for a in attributes)
            self.marks[field].show_rows([r for r in rows if r[0].field == field], filled)

        areas = [(a.colour, f"{a.name} — {a.units:,} ward{'s' if a.units != 1 else ''}")
                 for a in self.search.linked_areas(p.id)]
        if areas != self._areas_shown:   # most partnerships have none: nothing to clear or lay out
            self._areas_shown = areas
            self.areas.clear()
            for colour, text in areas:
                pixmap = QPixmap(14, 14)
                pixmap.fill(QColor(colour))
                self.areas.addItem(QListWidgetItem(QIcon(pixmap), text))
        has_areas = self.areas.count() > 0
        self.areas.setVisible(has_areas)
        self.areas_note.setVisible(not has_areas)
        self._check_name()
        self._check_dates()
        self._check_savings()

    def set_organisation_names(self, names: list[str]) -> None:
        self.members.set_organisation_names(names)

    # -- checking as you type ----------------------------------------------
    def _check_name(self) -> None:
        if self.partnership is None:
            return
        name = self.name.text().strip()
        if not name:
            self.name_message.show_error("a partnership needs a name")
        elif self.search.duplicate_names(name, self.partnership.id):
            self.name_message.show_warning("another partnership already has this name")
        else:
            self.name_message.clear_message()

    def _check_dates(self) -> None:
        if self.partnership is None:
            return
        try:
            start = dates.parse(self.start.text())
        except ValueError as e:
            self.dates_message.show_error(f"start: {e}")
            return self._check_status(None)
        try:
            end = dates.parse(self.end.text())
        except ValueError as e:
            self.dates_message.show_error(f"end: {e}")
            return self._check_status(None)
        if dates.before(end, start):
            self.dates_message.show_error(f"the end ({end}) is before the start ({start})")
        else:
            self.dates_message.clear_message()
        self._check_status(end)

    def _check_seen(self) -> None:
        if self.partnership is None:
            return
        try:
            first = dates.parse(self.first_seen.text())
            last = dates.parse(self.last_seen.text())
        except ValueError as e:
            self.seen_message.show_error(f"seen: {e}")
            return
        if dates.before(last, first):
            self.seen_message.show_error(f"last seen ({last}) is before first seen ({first})")
        else:
            self.seen_message.clear_message()

    def _check_status(self, end: str | None) -> None:
        today = dt.date.today().isoformat()
        if self.status.currentText() == "active" and end and dates.latest(end) < today:
            self.status_message.show_warning(f"marked active, but it ended in {end}")
        elif self.status.currentText() == "ended" and not end:
            self.status_message.show_warning("marked ended, but it has no end date")
        else:
            self.status_message.clear_message()

    def _check_savings(self) -> None:
        try:
            parse_amount(self.savings.text())
            self.savings_message.clear_message()
        except ValueError as e:
            self.savings_message.show_error(str(e))

    # -- saving --------------------------------------------------------------
    def _update(self, action: str, **changes) -> bool:
        if self._loading or self.partnership is None:
            return False
        p = self.document.catalogue.partnerships.get(self.partnership.id)
        changed = replace(p, **changes)
        if changed == p:
            return False
        try:
            self.document.edit(action, lambda: self.document.catalogue.partnerships.update(changed))
        except CatalogueError as e:
            shown = self.dates_message if ("start" in changes or "end" in changes) else \
                self.seen_message if ("first_seen" in changes or "last_seen" in changes) else self.name_message
            shown.show_error(str(e))
            return False
        return True

    def _commit_name(self) -> None:
        if not self.name_message.is_error:
            self._update("Rename partnership", name=self.name.text())

    def _commit_dates(self, action: str) -> None:
        # Both dates together: fixing the start may be what makes an end typed earlier valid.
        if self._loading or self.partnership is None or self.dates_message.is_error:
            return   # the reason is already beside the field
        self._update(action, start=dates.parse(self.start.text()), end=dates.parse(self.end.text()))

    def _commit_seen(self, action: str) -> None:
        # Both together, as the dates: fixing one may be what makes the other valid.
        if self._loading or self.partnership is None or self.seen_message.is_error:
            return
        self._update(action, first_seen=dates.parse(self.first_seen.text()),
                     last_seen=dates.parse(self.last_seen.text()))

    def _commit_lead(self, _index: int) -> None:
        data = self.lead.currentData()
        self._update("Change lead organisation", lead_id=None if data == NO_LEAD else data)

    def _commit_savings(self) -> None:
        try:
            amount = parse_amount(self.savings.text())
        except ValueError:
            return
        changes = {"savings_amount": amount}
        if amount is not None and self.savings_period.currentData() is None:
            changes["savings_period"] = "per year"
        self._update("Change savings", **changes)
