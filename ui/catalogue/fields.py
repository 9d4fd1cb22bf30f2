"""Small editing widgets shared by the editors: a message beside a field, multi-line text
that reports when editing is finished, dates and tags.

Colours are from the Okabe–Ito palette and every message also carries a symbol,
so nothing depends on telling red from green.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QTableView,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

ERROR_COLOUR = "#B34700"     # Okabe–Ito vermillion, darkened to read on white
WARNING_COLOUR = "#7A5200"   # Okabe–Ito orange, darkened to read on white
DATE_HINT = "YYYY, YYYY-MM or YYYY-MM-DD"


class FieldMessage(QLabel):
    """The reason a field is wrong (✗) or worth a second look (⚠), shown beside it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._colour = ""
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(f"✗ {text}", ERROR_COLOUR)

    def show_warning(self, text: str) -> None:
        self._show(f"⚠ {text}", WARNING_COLOUR)

    def clear_message(self) -> None:
        if self.text():
            self.setText("")
        self.hide()

    @property
    def is_error(self) -> bool:
        return self.isVisible() and self.text().startswith("✗")

    def _show(self, text: str, colour: str) -> None:
        if text == self.text() and self.isVisibleTo(self.parentWidget()):
            return
        self.setText(text)
        if self._colour != colour:   # a palette, not a style sheet: style sheets re-polish on every change
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
            self.setPalette(palette)
            self._colour = colour
        self.show()


def name_widgets(*named: tuple[QWidget, str, str | None]) -> None:
    """Object names (for tests and scripts) and, where the widget shows no text of its own
    that says what it is (a combo box shows its value), the name a screen reader announces."""
    for widget, object_name, accessible in named:
        widget.setObjectName(object_name)
        if accessible:
            widget.setAccessibleName(accessible)


class _FitRows(QObject):
    """Keeps a view as tall as its rows: after the rows change, and when its width changes
    (wrapped text takes more or fewer lines)."""

    def __init__(self, view: QAbstractItemView, min_rows: int):
        super().__init__(view)
        self._view = view
        self._width = -1
        self._min = view.fontMetrics().height() * min_rows + 2 * view.frameWidth() + 8
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.fit)
        view.viewport().installEventFilter(self)   # its resize comes after the view has laid it out
        self.fit()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show or (event.type() == QEvent.Type.Resize
                                                 and watched.width() != self._width):
            self._width = watched.width()
            self.fit()
        return False

    def fit(self, *_) -> None:
        view = self._view
        if not isValid(view):   # a QListWidget's own model reports its rows removed as it dies
            return
        if isinstance(view, QTableView):   # rows of one line: the header knows their heights
            header = view.horizontalHeader()
            # isHidden, not isVisible: the editor fills its page while the page is hidden.
            rows = view.verticalHeader().length() + (0 if header.isHidden() else header.sizeHint().height())
        else:
            view.doItemsLayout()   # wrapped rows: their rectangles at the present width
            count = view.model().rowCount()
            last = view.visualRect(view.model().index(count - 1, 0)) if count else None
            rows = last.bottom() + 1 + view.verticalOffset() + view.spacing() if last is not None else 0
        if view.horizontalScrollBar().isVisibleTo(view):
            rows += view.horizontalScrollBar().height()
        height = max(self._min, rows + 2 * view.frameWidth())
        if height != view.height() or view.minimumHeight() != height:
            view.setFixedHeight(height)


def grow_with_rows(view: QAbstractItemView, min_rows: int = 2) -> None:
    """Make a list or table as tall as its rows, with no scroll bar of its own: inside the
    editor's scrolling page a nested scroll bar would hide rows behind a small window."""
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    _FitRows(view, min_rows)


class TextField(QPlainTextEdit):
    """Multi-line text with the editingFinished signal QLineEdit has (on leaving the field)."""
    editingFinished = Signal()

    def __init__(self, parent: QWidget | None = None, lines: int = 3):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * (lines + 1) + 12)
        self._original = ""

    def set_text(self, text: str) -> None:
        self._original = text
        if text != self.toPlainText():   # laying out a document again is the costly part
            self.setPlainText(text)

    def text(self) -> str:
        return self.toPlainText()

    def has_pending_edits(self) -> bool:
        """Typed since it was filled or saved (its own undo then comes before the catalogue's)."""
        return self.toPlainText() != self._original

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self.toPlainText() != self._original:
            self._original = self.toPlainText()
            self.editingFinished.emit()


class DateField(QLineEdit):
    """A partial date: a year, a year-month or a full date."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(DATE_HINT)
        self.setToolTip(f"A partial date: {DATE_HINT}. Leave empty if not known.")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(DATE_HINT) + 24)


class TagEditor(QWidget):
    """Tags as removable chips plus a box to add one (with suggestions); emits the whole tuple."""
    changed = Signal(tuple)

    def __init__(self, suggestions: tuple[str, ...] = (), placeholder: str = "Add…",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._tags: tuple[str, ...] = ()
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._chips = QHBoxLayout()
        self._chips.setSpacing(4)
        self._layout.addLayout(self._chips)
        self.entry = QComboBox(editable=True)
        self.entry.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.entry.lineEdit().setPlaceholderText(placeholder)
        self.entry.setMinimumContentsLength(14)
        self.entry.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.entry.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.lineEdit().returnPressed.connect(self._add_typed)
        self.entry.activated.connect(lambda _: self._add_typed())
        self._layout.addWidget(self.entry)
        self._layout.addStretch(1)
        self.set_suggestions(suggestions)

    def set_suggestions(self, suggestions) -> None:
        self.entry.blockSignals(True)
        self.entry.clear()
        self.entry.addItems(sorted(set(suggestions), key=str.lower))
        self.entry.setCurrentIndex(-1)
        self.entry.blockSignals(False)

    def tags(self) -> tuple[str, ...]:
        return self._tags

    def set_tags(self, tags) -> None:
        if tuple(tags) == self._tags:
            return
        self._tags = tuple(tags)
        # Chips are reused, not rebuilt: selecting another partnership then only changes
        # their texts, which costs a repaint instead of widget creation and a relayout.
        while self._chips.count() < len(self._tags):
            chip = QToolButton()
            chip.setAutoRaise(False)
            chip.clicked.connect(lambda _=False, c=chip: self._remove(c.property("tag")))
            self._chips.addWidget(chip)
        for i in range(self._chips.count()):
            chip = self._chips.itemAt(i).widget()
            if i < len(self._tags):
                tag = self._tags[i]
                chip.setProperty("tag", tag)
                chip.setText(f"{tag}  ✕")
                chip.setToolTip(f"Remove “{tag}”")
                chip.setAccessibleName(f"Remove {tag}")
            chip.setVisible(i < len(self._tags))

    def _add_typed(self) -> None:
        text = self.entry.currentText().strip()
        self.entry.setCurrentIndex(-1)
        self.entry.setEditText("")
        if text and text.lower() not in (t.lower() for t in self._tags):
            self.changed.emit((*self._tags, text))

    def _remove(self, tag: str) -> None:
        self.changed.emit(tuple(t for t in self._tags if t != tag))
