"""The Questions window: a researcher's five short questions, one tab each, every answer
with the sources it rests on.

    Where       which partnerships cover this borough or ward?
    Shared      what do two partnerships (alliances) share?
    Coverage    which boroughs does no partnership of a policy area or kind cover?
    Then & now  what was active in one year against another?
    Area        how far does this area (a virtual borough) cross borough lines?

The answers come from models.analysis.questions, the same dicts the command line
prints, so the GUI and `partnership-atlas where …` never disagree. The catalogue is
read afresh for each answer: an edit made meanwhile shows.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.analysis.questions import Questions
from models.catalogue.records import PARTNERSHIP_KINDS
from models.errors import CatalogueError, plural

ANY = "any"
STATE_COLOURS = {"active": "#1b7837", "attested": "#5aae61", "inactive": "#b2182b", "unknown": "#777777"}


def source_text(s: dict, page: bool = True) -> str:
    year = f" ({s['year']})" if s.get("year") else ""
    return f"{s['title']}{year}" + (f", {s['page']}" if page and s.get("page") else "")


class _Page(QWidget):
    """One question: its form, an Answer button, the summary, the results and their sources."""
    columns: tuple[str, ...] = ()

    def __init__(self, name: str, questions: Callable[[], Questions]):
        super().__init__()
        self.setObjectName(f"question-{name}")
        self._questions = questions
        self.answer: dict | None = None
        self.form = QFormLayout()
        self.ask_button = QPushButton("Answer")   # no mnemonic: Return in a field answers too
        self.ask_button.setToolTip("Answer the question (Return in a field does too)")
        self.ask_button.setObjectName(f"question-{name}-answer")
        self.ask_button.clicked.connect(self.ask)
        self.summary = QLabel()
        self.summary.setObjectName(f"question-{name}-summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.columns))
        self.table.setObjectName(f"question-{name}-table")
        self.table.setAccessibleName("Answer")
        self.table.setHorizontalHeaderLabels(list(self.columns))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(self.columns[-1] in ("Sources", "Also in"))
        self.table.itemSelectionChanged.connect(self._row_sources)
        self.sources = QListWidget()
        self.sources.setObjectName(f"question-{name}-sources")
        self.sources.setAccessibleName("Sources of the answer")
        self.sources.setWordWrap(True)
        self.sources_label = QLabel("Sources")
        sources_box = QWidget()
        box = QVBoxLayout(sources_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.sources_label)
        box.addWidget(self.sources)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(sources_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.ask_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def line(self, name: str, label: str, placeholder: str, text: str = "") -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setAccessibleName(label.replace("&", ""))
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.returnPressed.connect(self.ask)
        self.form.addRow(label, edit)
        return edit

    def ask(self) -> None:
        try:
            self.answer = self.compute(self._questions())
        except CatalogueError as e:
            self.answer = None
            self.summary.setText(str(e))
            self.summary.setStyleSheet("color: #b2182b")
            self.table.setRowCount(0)
            self.sources.clear()
            return
        self.summary.setStyleSheet("")
        self.summary.setText(self.describe(self.answer))
        rows = self.rows(self.answer)
        self.table.setRowCount(len(rows))
        for r, (cells, sources) in enumerate(rows):
            for c, value in enumerate(cells):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                item = QTableWidgetItem("" if value is None else f"{value:,}" if number else str(value))
                if number:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                colour = STATE_COLOURS.get(value) if isinstance(value, str) else None
                if colour:
                    item.setForeground(QColor(colour))
                if sources is not None:
                    item.setToolTip("\n".join(source_text(s) for s in sources) or "no source cited")
                    item.setData(Qt.ItemDataRole.UserRole, sources)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 420))
        self._show_sources(self.answer["sources"], "Sources")

    def _show_sources(self, sources: list[dict], label: str) -> None:
        self.sources_label.setText(f"{label} ({len(sources)})" if sources else f"{label}: none cited")
        self.sources.clear()
        for s in sources:
            self.sources.addItem(source_text(s))

    def _row_sources(self) -> None:
        """A selected row shows its own sources; no selection, the whole answer's."""
        if self.answer is None:
            return
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) == 1:
            item = self.table.item(rows.pop(), 0)
            sources = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
            if sources is not None:
                self._show_sources(sources, f"Sources of {item.text()}")
                return
        self._show_sources(self.answer["sources"], "Sources")

    # Each question fills these in.
    def compute(self, q: Questions) -> dict:
        raise NotImplementedError

    def describe(self, answer: dict) -> str:
        raise NotImplementedError

    def rows(self, answer: dict) -> list[tuple[list, list[dict] | None]]:
        raise NotImplementedError


def _sources_cell(sources: list[dict]) -> str:
    titles = []
    for s in sources:
        t = source_text(s, page=False)
        if t not in titles:
            titles.append(t)
    return "; ".join(titles)


def _when(answer: dict) -> str:
    return f" as of {answer['as_of']}" if answer.get("as_of") else ""


class WherePage(_Page):
    columns = ("Partnership", "Via", "Role", "Sources")

    def __init__(self, questions):
        super().__init__("where", questions)
        self.place = self.line("question-place", "&Borough or ward:", "a name, a GSS code or part of a name")
        self.as_of = self.line("question-where-as-of", "As &of:", "any time, or a year or date")

    def compute(self, q):
        return q.where(self.place.text(), self.as_of.text() or None)

    def describe(self, a):
        n = len(a["partnerships"])
        return (f"{a['place']} ({a['code']}), a {a['level']}: {plural(n, 'partnership')} "
                f"{'covers' if n == 1 else 'cover'} it{_when(a)}")

    def rows(self, a):
        return [([p["name"], p["via"], p["role"] or "", _sources_cell(p["sources"])], p["sources"])
                for p in a["partnerships"]]


class SharedPage(_Page):
    columns = ("Shared organisation", "Also in")

    def __init__(self, questions):
        super().__init__("shared", questions)
        self.first = self.line("question-shared-a", "&First partnership:", "a name or part of one")
        self.second = self.line("question-shared-b", "S&econd partnership:", "a name or part of one")
        self.as_of = self.line("question-shared-as-of", "As &of:", "any time, or a year or date")

    def compute(self, q):
        return q.shared(self.first.text(), self.second.text(), self.as_of.text() or None)

    def describe(self, a):
        orgs = a["organisations"]
        return (f"{a['a']} and {a['b']}{_when(a)} share {plural(len(orgs), 'organisation')}"
                f"{': ' + ', '.join(orgs) if orgs else ''}; {plural(a['wards'], 'ward')} and "
                f"{a['people']:,} people lie in both areas.")

    def rows(self, a):
        return [([org, ", ".join(a["also_in"].get(org, [])) or "no other partnership"], None)
                for org in a["organisations"]]


class CoveragePage(_Page):
    columns = ("Borough", "Code", "Partnerships", "Wards covered", "Wards")

    def __init__(self, questions):
        super().__init__("coverage", questions)
        self.policy_area = QComboBox()
        self.policy_area.setObjectName("question-policy-area")
        self.policy_area.setAccessibleName("Policy area")
        self.kind = QComboBox()
        self.kind.setObjectName("question-kind")
        self.kind.setAccessibleName("Kind of partnership")
        self.as_of = self.line("question-coverage-as-of", "As &of:", "any time, or a year or date")
        self.form.insertRow(0, "&Policy area:", self.policy_area)
        self.form.insertRow(1, "&Kind:", self.kind)

    def refill(self, q: Questions) -> None:
        """The policy areas and kinds the catalogue's partnerships use, the choice kept."""
        used = sorted({a for p in q.partnerships.values() for a in p.policy_areas}, key=str.casefold)
        kinds = [k for k in PARTNERSHIP_KINDS if k in {p.kind for p in q.partnerships.values()}]
        for combo, items in ((self.policy_area, used), (self.kind, kinds)):
            keep = combo.currentText()
            combo.clear()
            combo.addItems([ANY, *items])
            combo.setCurrentText(keep if keep in items else ANY)

    def compute(self, q):
        pa, kind = self.policy_area.currentText(), self.kind.currentText()
        return q.coverage(None if pa == ANY else pa, None if kind == ANY else kind, self.as_of.text() or None)

    def describe(self, a):
        what = " ".join(x for x in (a["policy_area"], a["kind"]) if x)
        none = a["uncovered_boroughs"]
        if not none:
            return f"Every borough is covered by {'a ' + what if what else 'some'} partnership{_when(a)}."
        return (f"No {what + ' ' if what else ''}partnership covers {plural(len(none), 'borough')}{_when(a)}: "
                f"{', '.join(none)}.")

    def rows(self, a):
        # The boroughs none covers first: they are what the question asks for.
        ordered = sorted(a["boroughs"], key=lambda b: (b["count"] > 0, b["name"].casefold()))
        return [([b["name"], b["code"], b["count"], b["wards_covered"], b["wards"]], None) for b in ordered]


class ThenPage(_Page):
    columns = ("Partnership", "First", "Second", "Sources")

    def __init__(self, questions):
        super().__init__("then", questions)
        self.first = QSpinBox()
        self.second = QSpinBox()
        for spin, name, year in ((self.first, "question-first-year", 2008),
                                 (self.second, "question-second-year", 2010)):
            spin.setObjectName(name)
            spin.setAccessibleName(name.replace("question-", "").replace("-", " "))
            spin.setRange(1900, 2100)
            spin.setValue(year)
            spin.lineEdit().returnPressed.connect(self.ask)
        self.form.addRow("&First year:", self.first)
        self.form.addRow("S&econd year:", self.second)

    def compute(self, q):
        return q.states(self.first.value(), self.second.value())

    def describe(self, a):
        return (f"{plural(len(a['only_first']), 'partnership')} active or attested in {a['first']} only, "
                f"{len(a['only_second']):,} in {a['second']} only, {len(a['both']):,} in both; "
                f"{len(a['unknown']):,} with no evidence for either year are listed last.")

    def rows(self, a):
        self.table.setHorizontalHeaderLabels(["Partnership", a["first"], a["second"], "Sources"])
        order = {"active": 0, "attested": 0, "inactive": 1, "unknown": 2}
        ordered = sorted(a["partnerships"], key=lambda p: (min(order[p["first"]], order[p["second"]]),
                                                           p["name"].casefold()))
        return [([p["name"], p["first"], p["second"], _sources_cell(p["sources"])], p["sources"]) for p in ordered]


class AreaPage(_Page):
    columns = ("Borough", "Code", "Wards", "km²", "People")

    def __init__(self, questions):
        super().__init__("area", questions)
        self.area = self.line("question-area", "Area &name:", "an area's name or part of it")
        self.as_of = self.line("question-area-as-of", "As &of:", "any time, or a year or date")

    def compute(self, q):
        return q.area(self.area.text(), self.as_of.text() or None)

    def describe(self, a):
        people = "an unknown number of" if a["population"] is None else f"{a['population']:,}"
        crossing = (f"a virtual borough: it crosses {plural(len(a['boroughs']), 'borough')}"
                    if a["virtual_borough"] else "within one borough")
        shape = "in one piece" if a["contiguous"] else f"in {plural(a['parts'], 'separate part')}"
        overlaps = "; ".join(f"{o['area']} ({plural(o['wards'], 'ward')})" for o in a["overlaps"][:4])
        return (f"{a['name']}{_when(a)}: {plural(a['wards'], 'ward')}, {a['km2']:,.1f} km², {people} people; "
                f"{crossing}; {shape}." + (f"\nShares wards with {overlaps}." if overlaps else ""))

    def rows(self, a):
        return [([b["name"], b["code"] or "", b["wards"], round(b["km2"], 1),
                  "" if b["population"] is None else b["population"]], None) for b in a["boroughs"]]


class QuestionsDialog(QDialog):
    """Not modal: a researcher keeps it open beside the map and the list."""

    def __init__(self, catalogue: Callable[[], object], parent=None):
        super().__init__(parent)
        self.setObjectName("questions-dialog")
        self.setWindowTitle("Questions")
        self.setModal(False)
        self._catalogue = catalogue
        self.tabs = QTabWidget()
        self.tabs.setObjectName("questions-tabs")
        self.where = WherePage(self.questions)
        self.shared = SharedPage(self.questions)
        self.coverage = CoveragePage(self.questions)
        self.then = ThenPage(self.questions)
        self.area = AreaPage(self.questions)
        for page, title in ((self.where, "&Where"), (self.shared, "S&hared"), (self.coverage, "&Coverage"),
                            (self.then, "&Then and Now"), (self.area, "&Area")):
            self.tabs.addTab(page, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(900, 640)
        # Return answers the question being typed, never "presses" Close (a dialog's default button).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.tabs.currentChanged.connect(lambda _: self._focus_first())

    def questions(self) -> Questions:
        return Questions(self._catalogue())

    def show_question(self, index: int) -> None:
        self.coverage.refill(self.questions())   # another file may be open, or new policy areas in use
        self.tabs.setCurrentIndex(index)
        self.show()
        self.raise_()
        self.activateWindow()
        self._focus_first()

    def ask_where(self, place: str) -> None:
        """Which partnerships cover this place (a code from the map)?"""
        self.show_question(0)
        self.where.place.setText(place)
        self.where.as_of.clear()
        self.where.ask()

    def _focus_first(self) -> None:
        page = self.tabs.currentWidget()
        first = page.form.itemAt(0, QFormLayout.ItemRole.FieldRole)
        if first is not None and first.widget() is not None:
            first.widget().setFocus()
