"""Ctrl+Z undoes the catalogue edit wherever the focus is, unless the text field being typed
in has edits of its own not yet saved.

A QLineEdit (and a QPlainTextEdit) claims the Undo and Redo keys whenever it has the focus,
even with nothing of its own to undo, so the window's Undo never hears them: after "Add
member" the emptied box took Ctrl+Z. This filter, installed on the focused text field,
lets the field keep the keys only while it holds typing that is not in the catalogue yet.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget


def has_pending_text(widget: QWidget) -> bool:
    """Whether the field holds typing its own undo should take back first."""
    if isinstance(widget, QLineEdit):
        # isModified: the text differs from the last setText/setModified(False), i.e. what was
        # loaded or saved; undoing the typing back to it turns it off again.
        return widget.isModified() and widget.isUndoAvailable()
    if isinstance(widget, QPlainTextEdit):
        pending = getattr(widget, "has_pending_edits", None)
        return pending() if pending is not None else widget.document().isUndoAvailable()
    return False


class UndoKeys(QObject):
    """Watches the focus inside `window` and hands Undo/Redo keys to `actions` when the field
    has nothing of its own to undo."""

    def __init__(self, window: QWidget, actions: list[QAction]):
        super().__init__(window)
        self._window = window
        self._actions = actions
        self._watched: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def _keys(self) -> set[str]:
        return {s.toString() for a in self._actions for s in a.shortcuts()}

    def _focus_changed(self, _old, new) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:   # the widget is gone already
                pass
            self._watched = None
        if isinstance(new, (QLineEdit, QPlainTextEdit)) and self._window.isAncestorOf(new):
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key = QKeySequence(event.keyCombination()).toString()
        if key not in self._keys() or has_pending_text(watched):
            return False
        # Not overridden: the key goes on to the shortcut map, where the window's action takes it.
        event.ignore()
        return True
