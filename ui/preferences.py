"""Edit ▸ Preferences…: the settings of the person, not of a catalogue (kept in QSettings).

For now one: the name the history and the rows' "changed by" give your edits."""
from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from models.storage.store import default_author

AUTHOR_KEY = "author"


def author(settings: QSettings) -> str:
    """The name set in Preferences, else $ATLAS_AUTHOR or the login name."""
    value = settings.value(AUTHOR_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else default_author()


def author_was_chosen(settings: QSettings) -> bool:
    value = settings.value(AUTHOR_KEY)
    return isinstance(value, str) and bool(value.strip())


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.author = QLineEdit(author(settings))
        self.author.setObjectName("preferences-author")
        self.author.setPlaceholderText(default_author())
        note = QLabel("Your edits are recorded under this name in the catalogue's history and as "
                      "who last changed each record, so colleagues sharing a catalogue can tell "
                      "whose work is whose.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Your &name:", self.author)
        form.addRow(note)
        form.addRow(buttons)
        self.resize(460, self.sizeHint().height())

    def accept(self) -> None:
        self.settings.setValue(AUTHOR_KEY, self.author.text().strip())
        super().accept()
