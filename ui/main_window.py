"""The main window: menus, the undo stack's actions, and the views as tabs."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from models.catalogue import Catalogue

from .document import Document


class MainWindow(QMainWindow):
    def __init__(self, catalogue: Catalogue):
        super().__init__()
        self.document = Document(catalogue, self)
        self.document.failed.connect(lambda text: QMessageBox.warning(self, "Not done", text))
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.summary = QLabel()
        self.tabs.addTab(self.summary, "Catalogue")
        self._build_menus()
        self.document.changed.connect(self._refresh)
        self._refresh()
        self.resize(1200, 800)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        stack = self.document.undo_stack
        undo = stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

    def _refresh(self) -> None:
        cat = self.document.catalogue
        self.setWindowTitle(f"{cat.path.name} — Partnership Atlas")
        self.summary.setText(f"{len(cat.partnerships.all())} partnerships, "
                             f"{len(cat.organisations.all())} organisations, "
                             f"{len(cat.areas.all())} areas")

    def closeEvent(self, event) -> None:
        self.document.catalogue.close()
        super().closeEvent(event)
