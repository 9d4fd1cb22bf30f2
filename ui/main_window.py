"""The main window: menus, the undo stack's actions, files, drag-and-drop and the views as tabs.

One window shows one catalogue file. Opening another file builds a new
Document (and new tabs) for it; the undo actions follow through a QUndoGroup.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox, QTabWidget, QUndoView, QWidget

from models.catalogue import Catalogue
from models.storage import paths
from models.storage.backups import Backups
from models.storage.paths import APP_NAME
from models.storage.sqlite_file import CATALOGUE_SUFFIXES
from ui import preferences
from ui.catalogue.organisations_tab import OrganisationsView
from ui.catalogue.tab import CatalogueView
from ui.document import Document
from ui.files.actions import FileActions
from ui.files.late_check import CheckWatch
from ui.files.recovery import restore_from_backup
from ui.history.view import HistoryView
from ui.lazy_tab import LazyTab
from ui.selection import Selection, link_selection
from ui.undo_keys import UndoKeys

BOUNDARY_SUFFIXES = {".geojson", ".json", ".zip", ".shp", ".gz"}
SPREADSHEET_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".tsv"}

# Tabs other parts of the app provide: (module, class, title). Each class takes the Document.

class MainWindow(QMainWindow):
    def __init__(self, catalogue: Catalogue, settings: QSettings | None = None,
                 data_folder: str | os.PathLike | None = None):
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.data_folder = Path(data_folder) if data_folder else paths.user_data_folder()
        self.backups = Backups(paths.backups_folder(self.data_folder))
        self.document: Document | None = None
        self.last_message: QMessageBox | None = None   # the latest message shown, for tests and screenshots
        self.undo_group = QUndoGroup(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("main-tabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.files = FileActions(self)
        self.undo_view = QUndoView(self.undo_group)
        self.undo_view.setEmptyLabel("Opened")
        self.undo_view.setObjectName("undo-view")
        self.undo_view.setAccessibleName("Undo history")
        self.undo_dock = QDockWidget("Undo History", self)
        self.undo_dock.setObjectName("undo-history")
        self.undo_dock.setWidget(self.undo_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.undo_dock)
        self.undo_dock.hide()
        # The file's own history (every edit across restarts, by whom); its view follows the catalogue.
        self.history_dock = QDockWidget("Catalogue History", self)
        self.history_dock.setObjectName("file-history")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        self.setAcceptDrops(True)
        self._build_menus()
        self.set_catalogue(catalogue)
        self._restore_settings()

    # -- the open catalogue ------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        return self.document.catalogue

    def set_catalogue(self, catalogue: Catalogue) -> None:
        """Show this catalogue; the previous one is closed."""
        old = self.document
        if old is not None:
            self._flush_typing()
            self._save_view_settings()
            self.undo_group.removeStack(old.undo_stack)
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if hasattr(widget, "shutdown"):
                widget.shutdown()
            widget.deleteLater()
        if old is not None:
            old.changed.disconnect()
            old.catalogue.close()
            old.deleteLater()
        catalogue.store.author = preferences.author(self.settings)
        self.document = Document(catalogue, self)
        self._check_watch = CheckWatch(self, catalogue)   # damage found after opening is told too
        self.history_view = HistoryView(self.document)
        self.history_dock.setWidget(self.history_view)
        self.selection = Selection(self.document)   # one per catalogue: ids mean nothing in another
        self.document.failed.connect(lambda text: self.show_message("Not done", text))
        self.document.changed.connect(self._update_actions)
        self.undo_group.addStack(self.document.undo_stack)
        self.undo_group.setActiveStack(self.document.undo_stack)
        self.catalogue_view = CatalogueView(self.document)
        self.organisations_view = OrganisationsView(self.document)
        self.organisations_view.open_partnership.connect(self._open_partnership)
        self.catalogue_view.welcome.import_boundaries.connect(lambda: self.files.import_boundaries())
        self.catalogue_view.welcome.open_example.connect(lambda: self.files.open_example())
        self.catalogue_view.welcome.import_partnerships.connect(lambda: self.files.import_partnerships())
        self.catalogue_view.list.table.addAction(self.delete_action)
        # Right-clicking partnerships offers what the Partnership menu does for them, and their sources.
        self.catalogue_view.list.table.addAction(self.export_sources_action)
        self.catalogue_view.list.table.addAction(self.partnership_history_action)
        self.catalogue_view.list.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.catalogue_view.setObjectName("catalogue-tab")
        self.organisations_view.setObjectName("organisations-tab")
        self.add_tab(self.catalogue_view, "&Catalogue")
        self.add_tab(self.organisations_view, "O&rganisations")
        self._add_other_tabs()
        self._restore_view_settings()
        self.files.remember(catalogue.path)
        self._update_title()
        self._update_actions()
        if catalogue.store.backup_warning:
            self.statusBar().showMessage(catalogue.store.backup_warning, 20000)
        elif not preferences.author_was_chosen(self.settings) and not catalogue.read_only:
            self.statusBar().showMessage(f"Your edits are recorded as '{catalogue.store.author}': "
                                         "Edit ▸ Preferences… to give your name", 20000)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a view as a tab (View ▸ lists it with Ctrl+number); returns its index."""
        index = self.tabs.addTab(widget, title)
        self._update_view_menu()
        return index

    def _add_other_tabs(self) -> None:
        # Built when first shown or asked for (map_tab, overlaps_tab): the window at start-up
        # needs neither their modules (scipy, the plots, the map's geometry) nor their loading.
        self._map_slot = LazyTab(self._build_map_tab)
        self._overlaps_slot = LazyTab(self._build_overlaps_tab)
        self._network_slot = LazyTab(self._build_network_tab)
        self._map_slot.setObjectName("map-tab")
        self._overlaps_slot.setObjectName("overlaps-tab")
        self._network_slot.setObjectName("network-tab")
        self.add_tab(self._map_slot, "&Map")
        self.add_tab(self._overlaps_slot, "O&verlaps")
        self.add_tab(self._network_slot, "&Network")
        link_selection(self)
        self._coterminosity_slot = LazyTab(self._build_coterminosity_tab)
        self._coterminosity_slot.setObjectName("coterminosity-tab")
        self.add_tab(self._coterminosity_slot, "Co&terminosity")

    def built(self, name: str) -> bool:
        """Whether a lazily built tab ("map", "overlaps", "network") exists yet."""
        return {"map": self._map_slot, "overlaps": self._overlaps_slot,
                "network": self._network_slot}[name].is_built

    @property
    def map_tab(self):
        """The map tab, built now if it has not been shown yet."""
        return self._map_slot.view()

    @property
    def network_tab(self):
        """The network tab, built now if it has not been shown yet."""
        return self._network_slot.view()

    @property
    def overlaps_tab(self):
        """The overlaps tab, built now if it has not been shown yet."""
        return self._overlaps_slot.view()

    @property
    def coterminosity_tab(self):
        """The coterminosity tab, built now if it has not been shown yet."""
        return self._coterminosity_slot.view()

    def show_coterminosity(self):
        self.tabs.setCurrentWidget(self._coterminosity_slot)
        return self.coterminosity_tab

    def show_map(self):
        """Bring the map tab to the front (building it if need be) and return it."""
        self.tabs.setCurrentWidget(self._map_slot)
        return self.map_tab

    def _build_map_tab(self):
        # Imported here: see _add_other_tabs.
        from ui.links import link_map
        from ui.map.tab import MapTab
        tab = MapTab(self.document, settings=self.settings)
        link_map(self, tab)
        return tab

    def _build_overlaps_tab(self):
        # Imported here: see _add_other_tabs.
        from ui.links import link_views
        from ui.overlaps.tab import OverlapsTab
        tab = OverlapsTab(self.document)
        link_views(self, tab)
        return tab

    def _build_coterminosity_tab(self):
        # Imported here: see _add_other_tabs.
        from ui.coterminosity.tab import CoterminosityTab
        from ui.links import link_coterminosity
        tab = CoterminosityTab(self.document)
        link_coterminosity(self, tab)
        return tab

    def _build_network_tab(self):
        # Imported here: see _add_other_tabs (networkx and the plots).
        from ui.links import link_network
        from ui.network.tab import NetworkTab
        tab = NetworkTab(self.document)
        tab.setObjectName("network-view")
        link_network(self, tab)
        return tab

    def _update_title(self) -> None:
        cat = self.catalogue
        self.setWindowFilePath(str(cat.path))
        suffix = " [read-only]" if cat.read_only else ""
        self.setWindowTitle(f"{cat.path.name}{suffix} — {APP_NAME}")

    # -- menus ---------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_menus(self) -> None:
        f = self.files
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("&New Catalogue…", f.new_catalogue, QKeySequence.StandardKey.New,
                                         "Create an empty catalogue file"))
        file_menu.addAction(self._action("&Open…", f.open_dialog, QKeySequence.StandardKey.Open,
                                         "Open a catalogue file (.gpkg)"))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addAction(self._action("Save a &Copy As…", f.save_copy, "Ctrl+Shift+S",
                                         "Write a copy of this catalogue to another file"))
        file_menu.addAction(self._action("Restore from &Backup…", lambda: restore_from_backup(self),
                                         tip="Put an earlier copy of this catalogue in its place "
                                             "(one is kept for each of the last 7 days and 4 weeks)"))
        file_menu.addAction(self._action("&Merge Another Catalogue…", f.merge_catalogue,
                                         tip="Bring in the work done in another copy of this catalogue, "
                                             "after reviewing it (one undo step)"))
        file_menu.addSeparator()
        import_menu = file_menu.addMenu("&Import")
        import_menu.addAction(self._action("&Boundaries (GeoJSON, Shapefile, GeoPackage)…", f.import_boundaries,
                                           tip="Import ward or borough boundaries"))
        import_menu.addAction(self._action("&Partnerships (CSV, Excel)…", f.import_partnerships, "Ctrl+I",
                                           "Import partnerships from a spreadsheet"))
        import_menu.addAction(self._action("&Sources (CSL-JSON, BibTeX)…", f.import_sources,
                                           tip="Add references from Zotero or another reference manager "
                                               "(those already here are skipped)"))
        import_menu.addSeparator()
        self.import_reference_action = self._action(
            "&Reference Geography…", f.import_reference_geography,
            tip="Another agency's areas (ICBs, police forces…): a CSV of areas and authority codes, "
                "or a boundary file")
        self.import_pack_action = self._action(
            "&London Starter Pack", f.import_london_pack,
            tip="London's ICBs (2022), police force areas and sub-regional partnerships, each with its source")
        import_menu.addAction(self.import_reference_action)
        import_menu.addAction(self.import_pack_action)
        export_menu = file_menu.addMenu("&Export")
        export_menu.addAction(self._action("All Partnerships as &CSV…", lambda: f.export("csv", False),
                                           tip="Every partnership, in the columns the import reads"))
        export_menu.addAction(self._action("All Areas as &GeoJSON…", lambda: f.export("geojson", False),
                                           tip="Areas with their partnerships' attributes, in WGS84"))
        export_menu.addAction(self._action("&Report…", lambda: f.export_report(False),
                                           tip="A PDF to hand on: each partnership's map, members, figures "
                                               "and references, with the overlaps and coverage"))
        export_menu.addSeparator()
        export_menu.addAction(self._action("&Selected Partnerships as CSV…", lambda: f.export("csv", True),
                                           tip="Only the partnerships selected in the list"))
        export_menu.addAction(self._action("Selected Partnerships' &Areas as GeoJSON…",
                                           lambda: f.export("geojson", True)))
        export_menu.addAction(self._action(
            "Selected Partnerships as a Cata&logue…", lambda: f.export("gpkg", True),
            tip="A standalone catalogue file with the selected partnerships and all they reference"))
        export_menu.addAction(self._action("Selected Partnerships as a Re&port…", lambda: f.export_report(True),
                                           tip="A PDF of the partnerships selected in the list"))
        export_menu.addSeparator()
        export_menu.addAction(self._action("All Sources (CSL-JSON, Bib&TeX)…", lambda: f.export_sources(False),
                                           tip="Every source, for Zotero, pandoc or LaTeX"))
        self.export_sources_action = self._action(
            "Selected Partnerships' So&urces…", lambda: f.export_sources(True),
            tip="The sources cited for the selected partnerships, their members and areas")
        export_menu.addAction(self.export_sources_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("P&ublish to Server…", f.publish_to_server,
                                         tip="Publish the catalogue to a PostGIS schema for the team"))
        file_menu.addAction(self._action("Pu&ll from Server…", f.pull_from_server,
                                         tip="Merge the team server's catalogue into this one (one undo step)"))
        file_menu.addSeparator()
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        # Spelled out, not StandardKey.Redo: on X11 that already is Ctrl+Shift+Z, and a key
        # listed twice makes Qt call the shortcut ambiguous and run nothing.
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.undo_keys = UndoKeys(self, [self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("&Find Partnership", self._focus_search, QKeySequence.StandardKey.Find,
                                         "Search names, descriptions, notes, members and sources"))
        edit_menu.addSeparator()
        preferences_action = self._action("&Preferences…", self.show_preferences, "Ctrl+,",
                                          "Your name for the catalogue's history")
        preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        edit_menu.addAction(preferences_action)

        partnership_menu = bar.addMenu("&Partnership")
        self.new_action = self._action("&New Partnership", self.new_partnership, "Ctrl+Shift+N",
                                       "Add a partnership and start typing its name")
        partnership_menu.addAction(self.new_action)
        self.delete_action = self._action("&Delete Partnership", self.delete_partnerships,
                                          QKeySequence.StandardKey.Delete,
                                          "Delete the selected partnerships (undo brings them back)")
        # Delete acts on the list only, so the key still deletes text in the editor's fields.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        partnership_menu.addAction(self.delete_action)
        self.partnership_history_action = self._action(
            "&History of This Partnership", self.show_partnership_history,
            tip="What happened to the selected partnership: its edits, members, citations and areas")
        partnership_menu.addAction(self.partnership_history_action)

        map_menu = bar.addMenu("M&ap")
        self.rebase_action = self._action("&Re-base Areas…", lambda: self.show_map().rebase_areas(),
                                          tip="Carry areas onto another vintage of their wards")
        self.rebase_action.setObjectName("rebaseAreas")
        map_menu.addAction(self.rebase_action)

        questions_menu = bar.addMenu("&Questions")   # a researcher's questions, each with its sources
        for k, (text, key) in enumerate((("Which Partnerships Cover a &Place?", "Ctrl+Shift+Q"),
                                         ("What Do Two Partnerships &Share?", None),
                                         ("Which Boroughs Does &No Partnership Cover?", None),
                                         ("What Was Active &Then and Now?", None),
                                         ("How Far Does an &Area Cross Borough Lines?", None))):
            questions_menu.addAction(self._action(text, lambda k=k: self.show_questions(k), key))

        self.view_menu = bar.addMenu("&View")
        history = self.undo_dock.toggleViewAction()
        history.setText("Undo &History")
        history.setShortcut(QKeySequence("Ctrl+H"))
        self._tab_actions: list[QAction] = []
        self._view_separator = self.view_menu.addSeparator()
        self.view_menu.addAction(history)
        file_history = self.history_dock.toggleViewAction()
        file_history.setText("&Catalogue History")
        file_history.setShortcut(QKeySequence("Ctrl+Shift+H"))
        file_history.setToolTip("Every edit of this catalogue, by whom and when, across restarts")
        self.view_menu.addAction(file_history)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("Where to Get &Boundaries", self.files.explain_boundaries))
        help_menu.addAction(self._action("&About Partnership Atlas", self._about))

    def show_preferences(self) -> None:
        dialog = preferences.PreferencesDialog(self.settings, self)
        if dialog.exec():
            self.catalogue.store.author = preferences.author(self.settings)
            self.statusBar().showMessage(f"Your edits are recorded as '{self.catalogue.store.author}'", 5000)

    def show_partnership_history(self) -> None:
        """The History dock narrowed to the selected partnership (and the rows pointing to it)."""
        ids = self.catalogue_view.list.selected_ids()
        if not ids:
            return
        p = self.catalogue.partnerships.get(ids[0])
        self.history_view.show_record((self.catalogue.identity.uuid_of("partnerships", p.id), p.name))
        self.history_dock.show()
        self.history_dock.raise_()

    def show_questions(self, index: int = 0):
        """The Questions window (one per main window), at question `index`."""
        from ui.questions.dialog import QuestionsDialog
        if getattr(self, "questions", None) is None:
            self.questions = QuestionsDialog(lambda: self.catalogue, self)
        self.questions.show_question(index)
        return self.questions

    def _update_view_menu(self) -> None:
        for action in self._tab_actions:
            self.view_menu.removeAction(action)
            # Its key goes now: until deleteLater runs it would compete with its successor.
            action.setShortcut(QKeySequence())
            action.deleteLater()
        self._tab_actions = []
        for i in range(self.tabs.count()):
            title = self.tabs.tabText(i).replace("&", "")
            action = self._action(title, lambda i=i: self.tabs.setCurrentIndex(i),
                                  f"Ctrl+{i + 1}" if i < 9 else None)
            self.view_menu.insertAction(self._view_separator, action)
            self._tab_actions.append(action)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.files.recent()
        for p in paths:
            self.recent_menu.addAction(self._action(p.name, lambda p=p: self.files.open_path(p), tip=str(p)))
        if not paths:
            empty = self.recent_menu.addAction("No recent catalogues")
            empty.setEnabled(False)

    def _update_actions(self) -> None:
        writable = not self.catalogue.read_only
        for a in (self.new_action, self.delete_action):
            a.setEnabled(writable)

    # -- gestures --------------------------------------------------------------
    def new_partnership(self) -> None:
        self.tabs.setCurrentWidget(self.catalogue_view)
        self.catalogue_view.new_partnership()

    def delete_partnerships(self) -> None:
        done = self.catalogue_view.delete_selected()
        if done:
            self.statusBar().showMessage(done, 8000)

    def _focus_search(self) -> None:
        if self.tabs.currentWidget() is self._map_slot:
            self.map_tab.focus_find()  # on the map, Find looks for a place
            return
        self.tabs.setCurrentWidget(self.catalogue_view)
        self.catalogue_view.list.focus_search()

    def _open_partnership(self, pid: int) -> None:
        self.tabs.setCurrentWidget(self.catalogue_view)
        self.catalogue_view.show_partnership(pid)

    def show_message(self, title: str, text: str, icon=QMessageBox.Icon.Warning) -> QMessageBox:
        """A window-modal message that does not block the caller (the app keeps running)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.destroyed.connect(lambda *_: setattr(self, "last_message", None)
                              if self.last_message is box else None)
        box.open()
        return box

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b><p>Catalogue partnerships between UK public bodies and draw "
                          "the areas they cover over ward boundaries.</p>")

    # -- drag and drop -----------------------------------------------------------
    def _dropped_paths(self, event) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event) -> None:
        known = {*CATALOGUE_SUFFIXES, *BOUNDARY_SUFFIXES, *SPREADSHEET_SUFFIXES}
        if any(p.suffix.lower() in known for p in self._dropped_paths(event)):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = self._dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            self.open_dropped(paths[0])

    def open_dropped(self, path: Path) -> None:
        """What a dropped file means: a catalogue opens, boundaries or a spreadsheet import."""
        suffix = path.suffix.lower()
        if suffix in CATALOGUE_SUFFIXES:
            self.files.open_path(path)
        elif suffix in SPREADSHEET_SUFFIXES:
            self.files.import_partnerships(path)
        elif suffix in BOUNDARY_SUFFIXES:
            self.files.import_boundaries(path)
        else:
            self.show_message("Cannot open", f"{path.name}: drop a catalogue (.gpkg), boundaries "
                              "(.geojson, .zip, .shp) or a spreadsheet (.csv, .xlsx)")

    def _flush_typing(self) -> None:
        """Save what is being typed (fields save when left) before the catalogue goes away."""
        focus = QApplication.focusWidget()
        if focus is not None and self.isAncestorOf(focus):
            focus.clearFocus()

    # -- settings ---------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None and screen.width() > 0:
                self.resize(min(1400, screen.width() * 9 // 10), min(900, screen.height() * 9 // 10))
            else:
                self.resize(1280, 820)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _restore_view_settings(self) -> None:
        shares = {"catalogue/splitter": (1, 1), "organisations/splitter": (2, 3)}
        for key, splitter in self._splitters().items():
            state = self.settings.value(key)
            if state is None or not splitter.restoreState(state):
                # Not laid out yet: only the ratio counts, setSizes scales it to the real width.
                splitter.setSizes([1000 * share for share in shares[key]])

    def _save_view_settings(self) -> None:
        for key, splitter in self._splitters().items():
            self.settings.setValue(key, splitter.saveState())

    def _splitters(self) -> dict:
        return {"catalogue/splitter": self.catalogue_view.splitter,
                "organisations/splitter": self.organisations_view.splitter}

    def closeEvent(self, event) -> None:
        self._flush_typing()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self._save_view_settings()
        self.settings.sync()
        self._map_slot.shutdown()
        self.catalogue.close()
        super().closeEvent(event)

