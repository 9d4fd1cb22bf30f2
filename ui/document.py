"""The open catalogue as the GUI sees it: one undo stack and one change signal.

Every edit goes through Document.edit(): the model method runs first (so an
error reaches the caller and nothing is pushed), then its Revert is pushed on
the QUndoStack. Views listen to `changed` and reload; no widget keeps another
in sync by hand.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from models.catalogue import Catalogue
from models.errors import CatalogueError
from models.store import Revert


class _Edit(QUndoCommand):
    def __init__(self, document: Document, text: str, revert: Revert):
        super().__init__(text)
        self._document = document
        self._undo = revert
        self._redo: Revert | None = None
        self._done = True  # push() calls redo() at once; the edit has already run

    def redo(self) -> None:
        if self._done:
            return
        self._run(lambda: self._redo())

    def undo(self) -> None:
        self._run(lambda: self._undo())

    def _run(self, step: Callable[[], Revert]) -> None:
        # Called from C++ by QUndoStack: an exception cannot reach the caller,
        # so it is reported through the document instead.
        try:
            inverse = step()
        except CatalogueError as e:
            self._document.failed.emit(str(e))
            self.setObsolete(True)
            return
        if self._done:
            self._redo, self._done = inverse, False
        else:
            self._undo, self._done = inverse, True
        self._document.changed.emit()


class Document(QObject):
    changed = Signal()       # anything in the catalogue changed: views reload
    failed = Signal(str)     # an undo/redo could not be applied (one line)

    def __init__(self, catalogue: Catalogue, parent: QObject | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(1000)

    def edit(self, text: str, apply: Callable[[], Revert]) -> Revert:
        """Run one model edit now and make it undoable as `text`; errors propagate."""
        revert = apply()
        self.undo_stack.push(_Edit(self, text, revert))
        self.changed.emit()
        return revert
