"""The open catalogue as the GUI sees it: one undo stack and one change signal.

Every edit goes through Document.edit(): the model method runs first (so an
error reaches the caller and nothing is pushed), then its Revert is pushed on
the QUndoStack. `changed` carries the Changes (the tables the edit, its undo or its
redo touched), so a view reloads only when they concern it; no widget keeps another
in sync by hand.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from models.catalogue import Catalogue
from models.errors import CatalogueError
from models.storage.schema import CONTENT_TABLES
from models.storage.store import Revert


class Changes(frozenset):
    """The catalogue tables one step touched, cascades included (like Anki's OpChanges)."""

    def touch(self, *tables: str) -> bool:
        return not self.isdisjoint(tables)


EVERYTHING = Changes(CONTENT_TABLES)   # for a view that must reload whatever happened


class _Edit(QUndoCommand):
    def __init__(self, document: Document, text: str, revert: Revert):
        super().__init__(text)
        self._document = document
        self._undo = revert
        self._redo: Revert | None = None
        self._done = True  # push() calls redo() at once; the edit has already run

    # Each does nothing if the edit is already in that state (push() calls redo() at
    # once), or if a step before it in the same undo/redo pass failed.
    def redo(self) -> None:
        if self._done or self._document._stalled:
            return
        self._run(lambda: self._redo())

    def undo(self) -> None:
        if not self._done or self._document._stalled:
            return
        self._run(lambda: self._undo())

    def _run(self, step: Callable[[], Revert]) -> None:
        # Called from C++ by QUndoStack: an exception cannot reach the caller,
        # so it is reported through the document instead.
        try:
            inverse = step()
        except CatalogueError as e:
            # The step rolled back: the file is as it was (a full disk, a file made
            # read-only). The step stays on the stack, still in its state, so the
            # stack keeps saying what the file holds and the user can try again;
            # Document puts the stack's index back once the pass is over.
            self._document._stalled = True
            self._document.failed.emit(str(e))
            return
        if self._done:
            self._redo, self._done = inverse, False
        else:
            self._undo, self._done = inverse, True
        self._document.changed.emit(Changes(inverse.tables))


class Document(QObject):
    changed = Signal(object)  # Changes: what an edit, undo or redo touched; views reload what concerns them
    failed = Signal(str)     # an undo/redo could not be applied (one line)

    def __init__(self, catalogue: Catalogue, parent: QObject | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.undo_stack = QUndoStack(self)
        # No undo limit: a step holds only the rows its edit changed (5,000 edits on the
        # example catalogue take a few MB), and a cap silently loses the oldest steps.
        self._stalled = False  # an undo or redo failed in the current pass
        self.undo_stack.indexChanged.connect(self._after_index_changed)

    def edit(self, text: str, apply: Callable[[], Revert]) -> Revert:
        """Run one model edit now and make it undoable as `text`; errors propagate. The file's
        history names the edit `text` too (undo and redo name themselves after it)."""
        with self.catalogue.store.naming(text):
            revert = apply()
        self.undo_stack.push(_Edit(self, text, revert))
        self.changed.emit(Changes(revert.tables))
        return revert

    def _after_index_changed(self, index: int) -> None:
        # QUndoStack moves its index past a failed step anyway; move it back to the
        # end of the applied steps (a prefix of the stack). The steps in between are
        # in their state already, so setIndex runs none of them.
        if not self._stalled:
            return
        self._stalled = False
        stack = self.undo_stack
        applied = sum(1 for i in range(stack.count()) if stack.command(i)._done)
        if applied != index:
            stack.setIndex(applied)
