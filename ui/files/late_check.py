"""The integrity check of a catalogue the app opened without waiting for it.

The app opens with Catalogue.open(check_later=True): a large file's quick_check (most of a
second at 161k units) runs in a thread while the map is read and drawn, and the catalogue
lets nothing be written until it has passed. This watches that check from the event loop.
When it finds damage the user is told as when a damaged file is refused at opening, with
the same choices (restore the latest backup, salvage into a new file, or cancel); on
cancel the damaged catalogue stays on view, every edit is refused with the same line, and
closing it leaves the file exactly as it was found.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from models.errors import DamagedCatalogue

POLL_MS = 50   # the check takes tens of ms to a second; the user hears of damage this soon after


class CheckWatch(QObject):
    """Polls the window's catalogue's check (a thread of its own: no Qt signal can come from it)."""

    def __init__(self, window, catalogue):
        super().__init__(window)
        self._window, self._catalogue = window, catalogue
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        if catalogue.store.check_pending:
            self._timer.start()

    def _poll(self) -> None:
        if self._catalogue.store.checking:
            return
        self._timer.stop()
        if self._window.document is None or self._window.catalogue is not self._catalogue:
            return   # another catalogue is shown now; this one was closed (untouched if it failed)
        error = self._catalogue.store.check_result()
        if error is not None:
            damaged_while_open(self._window, error)


def damaged_while_open(window, error: DamagedCatalogue) -> None:
    """Tell the user, and offer recovery as opening a damaged file does."""
    from ui.files import opening

    catalogue = window.catalogue
    window.statusBar().showMessage(f"{error}. Nothing will be written to it.")
    # Restoring puts a backup in its place and opens that, which our lock would refuse;
    # nothing is written through this catalogue any more, so it needs no lock.
    catalogue.release_lock()
    opened = opening.answer(window, catalogue.path, error, window.backups)
    if opened is not None:
        window.set_catalogue(opened.catalogue)
        opening.tell(window, opened)
