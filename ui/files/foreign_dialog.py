"""A catalogue with triggers and views from elsewhere cannot be opened for editing as it is:
they are shown, with the choice of reading it or editing a copy without them."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from models.catalogue import Catalogue
from models.errors import ForeignSchema
from models.storage import sqlite_file
from models.storage.foreign import copy_without_foreign

READ_ONLY, COPY = "read-only", "copy"


class ForeignObjectsDialog(QDialog):
    """Lists the triggers and views with their SQL; `choice` is READ_ONLY, COPY or None."""

    def __init__(self, path: Path, objects: list[tuple[str, str, str]], parent=None):
        super().__init__(parent)
        self.choice: str | None = None
        self.setWindowTitle(f"{path.name} holds triggers or views from elsewhere")
        self.resize(720, 480)
        layout = QVBoxLayout(self)
        kinds = sorted({kind for kind, _, _ in objects})
        count = (f"{len(objects)} triggers and views" if len(kinds) > 1 else
                 f"{len(objects)} {kinds[0]}{'s' if len(objects) != 1 else ''}" if kinds else "objects")
        intro = QLabel(
            f"<b>{path.name}</b> contains {count} that Partnership Atlas did not create. "
            "A trigger runs on every edit and could change or delete rows; a view can call functions. "
            "So the file will not be edited as it is.<br><br>"
            "You can <b>open it read-only</b> (nothing of theirs runs when reading), or "
            "<b>remove them into a copy</b>: a new file without them that you can edit. "
            "The original file is not changed either way.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)
        self.table = QTableWidget(len(objects), 2)
        self.table.setHorizontalHeaderLabels(["Type", "Name"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, (kind, name, _) in enumerate(objects):
            self.table.setItem(row, 0, QTableWidgetItem(kind))
            self.table.setItem(row, 1, QTableWidgetItem(name))
        self.sql = QPlainTextEdit(readOnly=True)
        self.sql.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sql.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._objects = objects
        self.table.currentCellChanged.connect(lambda row, *_: self._show_sql(row))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.sql)
        split.setSizes([140, 220])
        layout.addWidget(split, 1)
        buttons = QDialogButtonBox()
        self.buttons = {
            READ_ONLY: buttons.addButton("Open read-only", QDialogButtonBox.ButtonRole.AcceptRole),
            COPY: buttons.addButton("Remove them into a copy…", QDialogButtonBox.ButtonRole.ActionRole),
            None: buttons.addButton(QDialogButtonBox.StandardButton.Cancel),
        }
        self.buttons[COPY].setToolTip("Save a copy of the file without these triggers and views, and open it")
        for choice, button in self.buttons.items():
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
        layout.addWidget(buttons)
        self.buttons[READ_ONLY].setDefault(True)
        if objects:
            self.table.setCurrentCell(0, 1)

    def _show_sql(self, row: int) -> None:
        self.sql.setPlainText(self._objects[row][2] if 0 <= row < len(self._objects) else "")

    def _choose(self, choice: str | None) -> None:
        self.choice = choice
        self.accept() if choice else self.reject()

    def ask(self) -> str | None:
        self.exec()
        return self.choice


def ask_copy_path(parent, path: Path) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save the copy without them as",
                                            str(path.with_name(f"{path.stem} (copy).gpkg")),
                                            "Catalogues (*.gpkg)")
    return Path(chosen) if chosen else None


def open_foreign(parent, path: Path, error: ForeignSchema) -> Catalogue | None:
    """After ForeignSchema: the catalogue opened as the user chose, or None.

    Raises CatalogueError when that fails too (the caller shows it)."""
    choice = ForeignObjectsDialog(path, error.objects, parent).ask()
    if choice == READ_ONLY:
        return Catalogue.open(path, read_only=True)
    if choice != COPY:
        return None
    target = ask_copy_path(parent, path)
    if target is None:
        return None
    target = sqlite_file.catalogue_name(target)
    if target.exists() and target.resolve() != path.resolve():
        sqlite_file.delete(target)   # the save dialog asked
    return Catalogue.open(copy_without_foreign(path, target))
