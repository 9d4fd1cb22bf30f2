"""The catalogue tab: the partnership list beside the editor, or the welcome view while empty."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from models.catalogue.records import Partnership
from models.catalogue.search import Search
from models.errors import CatalogueError
from ui.catalogue.partnership_editor import PartnershipEditor
from ui.catalogue.partnership_list import PartnershipList
from ui.document import EVERYTHING, Changes, Document
from ui.files.welcome import WelcomeView

# What Catalogue.is_empty looks at: the welcome view shows while all of them are empty.
WELCOME_SHOWS = ("partnerships", "organisations", "boundary_layers", "areas")
# The names the members panel's organisation box completes.
NAMES_SHOWS = ("organisations",)


class CatalogueView(QWidget):
    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.search = Search(document.catalogue)
        self.list = PartnershipList(document, self.search)
        self.editor = PartnershipEditor(document, self.search)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.editor)
        # Half each, and half of any room the window gains: the names need it more than the
        # editor's fields, which are wide enough well before that.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.welcome = WelcomeView()
        self.welcome.new_partnership.connect(self.new_partnership)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.welcome)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stack)
        self.list.current.connect(self.editor.show_partnership)
        self.editor.delete_requested.connect(self.delete_selected)
        document.changed.connect(self._changed)
        self._changed(EVERYTHING)

    def _changed(self, changes: Changes) -> None:
        cat = self.document.catalogue
        if changes.touch(*WELCOME_SHOWS):
            self.stack.setCurrentWidget(self.welcome if cat.is_empty() else self.splitter)
        if changes.touch(*NAMES_SHOWS):
            self.editor.set_organisation_names([o.name for o in cat.organisations.all()])

    @property
    def showing_welcome(self) -> bool:
        return self.stack.currentWidget() is self.welcome

    # -- gestures ------------------------------------------------------------
    def new_partnership(self) -> int | None:
        cat = self.document.catalogue
        name, n = "New partnership", 1
        while self.search.duplicate_names(name):
            n += 1
            name = f"New partnership {n}"
        try:
            revert = self.document.edit("New partnership", lambda: cat.partnerships.add(Partnership(name)))
        except CatalogueError as e:
            self.editor.name_message.show_error(str(e))
            return None
        self.list.select(revert.id)
        self.editor.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor.name.selectAll()
        return revert.id

    def delete_selected(self) -> str | None:
        """Deletes the selected partnerships as one edit; returns what was done, for the status bar."""
        ids = self.list.selected_ids()
        if not ids and self.editor.partnership:
            ids = [self.editor.partnership.id]
        if not ids:
            return None
        cat = self.document.catalogue
        if len(ids) == 1:
            name = cat.partnerships.get(ids[0]).name
            text = "Delete partnership"
            done = f"Deleted “{name}” with its members and citations"
        else:
            text = f"Delete {len(ids)} partnerships"
            done = f"Deleted {len(ids)} partnerships with their members and citations"
        try:
            self.document.edit(text, lambda: cat.partnerships.delete_many(ids))
        except CatalogueError as e:
            return str(e)
        return done + " (Edit ▸ Undo brings them back)"

    def show_partnership(self, pid: int) -> None:
        self.list.select(pid)
