"""File ▸ Restore from Backup…: the open catalogue's backups with date, reason and size.

Restoring never loses a catalogue: the open one is first saved beside itself, a
damaged one is renamed aside unchanged (see models.storage.backups.Backups.restore_into
and .restore).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.storage.backups import BEFORE_RESTORE, DAMAGED, Backup, Backups, aside_path, quick_check_file


def when(moment: datetime) -> str:
    """A backup's time in the user's own time zone: 'Tue 4 Jun 2024, 10:15'."""
    local = moment.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def size_text(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


class RestoreDialog(QDialog):
    """Lists the backups of one catalogue; Restore accepts with the chosen one (see `chosen`)."""

    def __init__(self, backups: Backups, catalogue_path: Path, parent: QWidget | None = None,
                 damaged: bool = False, select: Backup | None = None):
        super().__init__(parent)
        self.catalogue_path = Path(catalogue_path)
        self.backups = backups.list(self.catalogue_path)
        name = self.catalogue_path.name
        self.setWindowTitle("Restore from Backup")
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>Backups of {name}</b>, newest first. One is taken the first time the "
                         "catalogue is opened each day, and before it is upgraded; the last 7 days "
                         "and 4 weeks are kept.")
        heading.setWordWrap(True)
        layout.addWidget(heading)

        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Taken", "Reason", "Size"])
        self.table.setAlternatingRowColors(True)
        for backup in self.backups:
            item = QTreeWidgetItem([when(backup.taken_at), backup.reason, size_text(backup.size)])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, str(backup.path))
            self.table.addTopLevelItem(item)
        header = self.table.header()
        header.setStretchLastSection(False)   # the reason takes the spare width, not the size
        self.table.headerItem().setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        if not self.backups:
            empty = QLabel("No backups yet: the first is taken when the catalogue is next opened.")
            empty.setWordWrap(True)
            layout.addWidget(empty)

        if damaged:
            aside = aside_path(self.catalogue_path, DAMAGED, backups.clock()).name
            text = (f"Restoring puts the chosen backup in place of {name}. The damaged file is first "
                    f"moved aside, unchanged, as “{aside}”.")
        else:
            aside = aside_path(self.catalogue_path, BEFORE_RESTORE, backups.clock()).name
            text = (f"Restoring replaces the content of {name} with the chosen backup. The catalogue as "
                    f"it is now is first saved beside it as “{aside}”, which this list then shows: "
                    "restoring that undoes the restore.")
        note = QLabel(text)
        note.setWordWrap(True)
        layout.addWidget(note)
        folder = QLabel(f"Backups folder: {backups.folder_for(self.catalogue_path)}")
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setStyleSheet("color: palette(placeholder-text)")
        layout.addWidget(folder)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setDefault(True)
        buttons.accepted.connect(self._restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._update)
        self.table.itemDoubleClicked.connect(lambda *_: self._restore())
        if select is not None and select in self.backups:
            self.table.setCurrentItem(self.table.topLevelItem(self.backups.index(select)))
        self._update()
        self.resize(620, 380)

    def chosen(self) -> Backup | None:
        rows = [self.table.indexOfTopLevelItem(i) for i in self.table.selectedItems()]
        return self.backups[rows[0]] if rows else None

    def _update(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def _restore(self) -> None:
        backup = self.chosen()
        if backup is None:
            return
        # Backups pass quick_check when taken; this catches damage to the backup since.
        if not quick_check_file(backup.path):
            QMessageBox.warning(self, "Damaged backup",
                                f"The backup of {when(backup.taken_at)} is damaged; choose another.")
            return
        self.accept()
