"""The History dock: every entry of the file's history, newest first, each unfolding into
what it changed; a search box, and a filter by record ("what happened to this partnership",
from the partnership list's context menu). Reloads after every edit, undo and redo, since
each writes an entry. Reads only through cat.history (no SQL here)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.catalogue.history import concerns, describe, summary
from ui.document import Document
from ui.read_when_shown import ReadWhenShown

SHOWN = 500   # newest entries listed; a search or a record reaches further back
CHANGES_SHOWN = 1000   # rows under one entry (a big import's are summed up after these)
COLUMNS = ("When", "Author", "Kind", "Edit", "What changed")


def local_time(at: str) -> str:
    """The stored UTC time in the user's own zone, to the second."""
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


class HistoryView(ReadWhenShown, QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("history-view")
        self.document = document
        self.record: tuple[str, str] | None = None   # (uuid, name) the list is narrowed to
        self._entries: dict = {}
        self._names: dict[str, str] = {}
        self.search = QLineEdit()
        self.search.setObjectName("history-search")
        self.search.setPlaceholderText("Search the history: an edit, an author, a value…")
        self.search.setClearButtonEnabled(True)
        self.record_label = QLabel()
        self.record_label.setObjectName("history-record")
        self.show_all = QPushButton("Show All")
        self.show_all.setObjectName("history-show-all")
        self.show_all.clicked.connect(lambda: self.show_record(None))
        self.tree = QTreeWidget()
        self.tree.setObjectName("history-tree")
        self.tree.setAccessibleName("Catalogue history")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.count_label = QLabel()
        record_row = QHBoxLayout()
        record_row.addWidget(self.record_label, 1)
        record_row.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(record_row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.count_label)
        # Typing waits a moment before searching, so a long history is not read per key.
        self._typing = QTimer(self, singleShot=True, interval=200)
        self._typing.timeout.connect(self.out_of_date)
        self.search.textChanged.connect(lambda _: self._typing.start())
        document.changed.connect(lambda _changes: self.out_of_date())
        self.tree.itemExpanded.connect(self._unfold)

    def show_record(self, record: tuple[str, str] | None) -> None:
        """Narrow the list to one record (uuid, name), or None for every entry."""
        self.record = record
        self.out_of_date()

    def refresh(self) -> None:
        self.stale = False
        history = self.document.catalogue.history
        text = self.search.text().strip() or None
        record = self.record[0] if self.record else None
        entries = history.entries(record=record, text=text, limit=SHOWN)
        names = history.names()
        self.record_label.setText(f"What happened to <b>{self.record[1]}</b>" if self.record else "")
        self.record_label.setVisible(self.record is not None)
        self.show_all.setVisible(self.record is not None)
        self.tree.clear()
        self._entries, self._names = {}, names
        items = []
        for e in entries:
            item = QTreeWidgetItem([local_time(e.at), e.author or "", e.kind, e.name,
                                    summary(e, names, record=record)])
            item.setToolTip(0, f"{e.at} (UTC)")
            item.setData(0, Qt.ItemDataRole.UserRole, e.uuid)
            if e.changes:   # its rows are made when it is unfolded: an import may hold thousands
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self._entries[e.uuid] = e
            items.append(item)
        self.tree.addTopLevelItems(items)
        for column, width in ((0, 170), (1, 130), (2, 60), (3, 220)):
            self.tree.setColumnWidth(column, width)
        more = " (the newest)" if len(entries) == SHOWN else ""
        self.count_label.setText(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}{more}")


    def _unfold(self, item: QTreeWidgetItem) -> None:
        entry = self._entries.get(item.data(0, Qt.ItemDataRole.UserRole))
        if entry is None or item.childCount():
            return
        record = self.record[0] if self.record else None
        changes = sorted(entry.changes, key=lambda c: not concerns(c, record)) if record else entry.changes
        children = []
        for change in changes[:CHANGES_SHOWN]:
            child = QTreeWidgetItem(["", "", change.op, change.tbl.replace("_", " "), describe(change, self._names)])
            child.setToolTip(4, _values_tip(change))
            children.append(child)
        if len(changes) > CHANGES_SHOWN:
            children.append(QTreeWidgetItem(["", "", "", "", f"… and {len(changes) - CHANGES_SHOWN:,} more"]))
        item.addChildren(children)


def _values_tip(change) -> str:
    """Before → after of each field, for the tooltip."""
    fields = change.fields
    lines = []
    for f in fields[:20]:
        old = (change.old or {}).get(f, "") if change.old else ""
        new = (change.new or {}).get(f, "") if change.new else ""
        lines.append(f"{f}: {_short(old)} → {_short(new)}")
    return "\n".join(lines)


def _short(value) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"
