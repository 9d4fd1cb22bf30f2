"""The File menu's work: new, open, recent, copy, imports, exports and the example catalogue.

Every method takes an optional path; without one it asks with a file dialog.
Problems are shown to the user as one line and leave the open catalogue as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from models.catalogue import Catalogue
from models.errors import Cancelled, CatalogueError, plural
from models.storage import sqlite_file
from ui.files import opening
from ui.files.partnership_import_dialog import PartnershipImportDialog
from ui.files.welcome import ONS_NOTE
from ui.progress import run_with_progress

# The geometry formats (boundary import, export, the example: pyproj and GDAL, 0.3 s to import)
# are imported by the methods that use them, so that showing the window does not wait for them.

CATALOGUE_FILTER = f"Catalogues ({' '.join('*' + s for s in sqlite_file.CATALOGUE_SUFFIXES)});;All files (*)"
EXAMPLE_NAME = "Example catalogue.gpkg"


class FileActions:
    def __init__(self, window):
        self.window = window
        self.import_dialog: PartnershipImportDialog | None = None
        self.merge_dialog = None   # the open merge review, if any

    @property
    def _settings(self):
        return self.window.settings

    def _folder(self) -> str:
        return str(self._settings.value("files/lastFolder", str(Path.home())))

    def _ask(self, save: bool, title: str, filter_: str, name: str = "") -> Path | None:
        start = str(Path(self._folder()) / name) if name else self._folder()
        if save:
            chosen, _ = QFileDialog.getSaveFileName(self.window, title, start, filter_)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self.window, title, start, filter_)
        if not chosen:
            return None
        self._settings.setValue("files/lastFolder", str(Path(chosen).parent))
        return Path(chosen)

    def _fail(self, title: str, error: Exception) -> None:
        self.window.show_message(title, str(error))

    # -- recent files ----------------------------------------------------------
    def recent(self) -> list[Path]:
        value = self._settings.value("files/recent", [])
        if isinstance(value, str):   # QSettings gives a str for a one-item list on some back ends
            value = [value]
        return [Path(p) for p in value or []]

    def remember(self, path: Path) -> None:
        path = Path(path).resolve()
        paths = [path] + [p for p in self.recent() if p != path]
        self._settings.setValue("files/recent", [str(p) for p in paths[:8]])

    def _forget(self, path: Path) -> None:
        self._settings.setValue("files/recent", [str(p) for p in self.recent() if p != Path(path).resolve()])

    # -- catalogues ----------------------------------------------------------------
    def new_catalogue(self, path: str | os.PathLike | None = None) -> bool:
        path = Path(path) if path else self._ask(True, "New catalogue", CATALOGUE_FILTER, "Catalogue.gpkg")
        if path is None:
            return False
        path = sqlite_file.catalogue_name(path)
        if path.resolve() == self.window.catalogue.path.resolve():
            self.window.show_message("Cannot create the catalogue", f"{path.name} is the catalogue open now")
            return False
        try:
            if path.exists():  # the save dialog asked before replacing it
                sqlite_file.delete(path)
            catalogue = Catalogue.create(path)
        except (CatalogueError, OSError) as e:
            self._fail("Cannot create the catalogue", e)
            return False
        self.window.set_catalogue(catalogue)
        return True

    def open_dialog(self) -> bool:
        path = self._ask(False, "Open catalogue", CATALOGUE_FILTER)
        return self.open_path(path) if path else False

    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a catalogue in this window (ui.files.opening decides how); anything wrong leaves
        the file untouched and the current one open."""
        path = Path(path)
        if path.resolve() == self.window.catalogue.path.resolve():
            self.window.show_message("Already open", f"{path.name} is the catalogue open in this window",
                                     QMessageBox.Icon.Information)
            return True
        try:
            opened = opening.open_catalogue(self.window, path, self.window.backups)
        except CatalogueError as e:
            if not path.exists():
                self._forget(path)
            self._fail("Cannot open the catalogue", e)
            return False
        if opened is None:
            return False
        self.window.set_catalogue(opened.catalogue)
        opening.tell(self.window, opened)
        return True

    def save_copy(self, path: str | os.PathLike | None = None) -> bool:
        cat = self.window.catalogue
        path = Path(path) if path else self._ask(True, "Save a copy as", CATALOGUE_FILTER,
                                                 f"{cat.path.stem} copy.gpkg")
        if path is None:
            return False
        try:
            if path.exists() and path.resolve() != cat.path.resolve():
                path.unlink()
            cat.save_copy(path)
        except (CatalogueError, OSError) as e:
            self._fail("Cannot save the copy", e)
            return False
        self.window.statusBar().showMessage(f"Saved a copy as {path}", 8000)
        return True

    def open_example(self) -> bool:
        """The example catalogue, built once into its own file and opened from then on. It is
        built on the London boundaries shipped with the app, so nothing is asked or fetched."""
        path = self.window.data_folder / EXAMPLE_NAME
        if path.exists():
            return self.open_path(path)
        # See the note on imports above.
        from models.formats.example import build_example

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalogue = Catalogue.create(path)
            try:
                run_with_progress(self.window, "Building the example catalogue…",
                                  lambda progress: build_example(catalogue, shipped=True, progress=progress))
            except (CatalogueError, Cancelled):
                catalogue.close()
                path.unlink(missing_ok=True)
                raise
        except Cancelled:
            return False
        except (CatalogueError, OSError) as e:
            self._fail("Cannot build the example", e)
            return False
        self.window.set_catalogue(catalogue)
        self.window.statusBar().showMessage(
            "The example catalogue: partnerships from five published reports, with their boroughs' "
            "wards on the Map tab (London's 2020 and 2022 wards and boroughs come with the app).", 15000)
        return True

    # -- imports -------------------------------------------------------------------
    def import_boundaries(self, path: str | os.PathLike | None = None, options: dict | None = None) -> bool:
        """Import a boundary file; without options, asks which fields and population to use."""
        path = Path(path) if path else self._ask(
            False, "Import boundaries",
            "Boundaries (*.geojson *.json *.gz *.zip *.shp *.gpkg);;All files (*)")
        if path is None:
            return False
        if options is None:
            try:
                options = self.ask_boundary_options(path)
            except CatalogueError as e:
                self._fail("Cannot import the boundaries", e)
                return False
            if options is None:
                return False
        # See the note on imports above.
        from models.formats.boundary_import import import_boundaries, prepare_map_levels

        doc = self.window.document
        cat = doc.catalogue
        # The geometry work (reading, repairing, reprojecting, encoding) runs off the GUI thread;
        # the progress dialog is window-modal, so nothing else touches the catalogue meanwhile.
        imported = []

        def run(progress):
            revert, data = import_boundaries(cat, path, progress=progress, **options)
            imported.append(data)
            return revert

        try:
            revert = doc.edit(f"Import boundaries from {path.name}", lambda: run_with_progress(
                self.window, f"Importing {path.name}…", run))
        except Cancelled:
            self.window.statusBar().showMessage("Import cancelled; nothing was changed", 8000)
            return False
        except CatalogueError as e:
            self._fail("Cannot import the boundaries", e)
            return False
        layer = cat.layers.get(revert.id)
        n = cat.layers.unit_count(layer.id)
        done = f"Imported {plural(n, 'unit')} as “{layer.name}”"
        # The map's simplified outlines: a step of its own after the import (which is done and
        # undoable), so cancelling it loses no work; the map then makes them when it opens.
        data = imported[0]
        try:
            run_with_progress(self.window, f"Preparing the map of {layer.name}…",
                              lambda progress: prepare_map_levels(cat, layer.id, data.geometries,
                                                                  data.parent_codes, progress))
        except Cancelled:
            done += "; the map will prepare its outlines when it opens"
        except CatalogueError as e:
            done += f"; the map's outlines were not saved ({e})"
        self.window.statusBar().showMessage(done, 10000)
        return True

    def ask_boundary_options(self, path: Path) -> dict | None:
        """The import dialog, filled with the import's own guesses; None when cancelled."""
        # See the note on imports above.
        from models.formats.boundary_import import describe
        from ui.files.boundary_dialog import BoundaryImportDialog

        dialog = BoundaryImportDialog(path, describe(path), self.window, self._folder())
        return dialog.options() if dialog.exec() == BoundaryImportDialog.DialogCode.Accepted else None

    def import_partnerships(self, path: str | os.PathLike | None = None) -> PartnershipImportDialog | None:
        """Opens the mapping/preview dialog (not blocking); returns it."""
        path = Path(path) if path else self._ask(
            False, "Import partnerships", "Spreadsheets (*.csv *.xlsx *.xlsm *.tsv);;All files (*)")
        if path is None:
            return None
        dialog = PartnershipImportDialog(self.window.document, path, self.window)
        dialog.accepted.connect(lambda: self.window.statusBar().showMessage(
            f"Imported {plural(dialog.imported, 'partnership')} from {path.name}", 10000))
        self.import_dialog = dialog
        dialog.open()
        return dialog

    # -- exports ---------------------------------------------------------------------
    EXPORTS = {  # kind -> (dialog title, file filter, suffix)
        "csv": ("Export partnerships as CSV", "CSV (*.csv)", ".csv"),
        "geojson": ("Export areas as GeoJSON", "GeoJSON (*.geojson)", ".geojson"),
        "gpkg": ("Export as a catalogue", "Catalogues (*.gpkg)", ".gpkg"),
    }

    def _selected_ids(self) -> list[int]:
        """The partnerships selected in the list; none (after saying so) if none is."""
        ids = self.window.catalogue_view.list.selected_ids()
        if not ids:
            self.window.show_message("Nothing selected", "select partnerships in the list first",
                                     QMessageBox.Icon.Information)
        return ids

    def _selected_names(self) -> list[str]:
        return [self.window.catalogue.partnerships.get(i).name for i in self._selected_ids()]

    def export(self, kind: str, selected: bool, path: str | os.PathLike | None = None) -> bool:
        """The spine's exports (models.formats.export) of every partnership or of those selected in the list."""
        cat = self.window.catalogue
        names = self._selected_names() if selected else None
        if names == []:
            return False
        title, filter_, suffix = self.EXPORTS[kind]
        which = "selected" if selected else "all"
        path = Path(path) if path else self._ask(True, title, filter_, f"{cat.path.stem} {which}{suffix}")
        if path is None:
            return False
        if path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        # See the note on imports above.
        from models.formats.export import export

        if kind == "gpkg" and path.exists() and path.resolve() != cat.path.resolve():
            path.unlink()   # the save dialog asked before replacing it
        try:
            # Export only reads this catalogue and writes another file: safe off the GUI thread.
            summary = run_with_progress(self.window, f"Writing {path.name}…",
                                        lambda progress: export(cat, path, names))
        except Cancelled:
            path.unlink(missing_ok=True)
            return False
        except CatalogueError as e:
            self._fail("Cannot export", e)
            return False
        self.window.statusBar().showMessage(str(summary)[:1].upper() + str(summary)[1:], 10000)
        return True

    def export_report(self, selected: bool, path: str | os.PathLike | None = None) -> bool:
        """File ▸ Export ▸ Report…: a PDF of every partnership with the catalogue's overview, or of
        those selected in the list; laid out off the GUI thread, with progress and Cancel."""
        cat = self.window.catalogue
        names = self._selected_names() if selected else None
        if names == []:
            return False
        which = "selected" if selected else "report"
        path = Path(path) if path else self._ask(True, "Export a report", "PDF (*.pdf)",
                                                 f"{cat.path.stem} {which}.pdf")
        if path is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        # Qt's PDF writer and the maps' geometry: loaded when a report is asked for.
        from ui.report.pdf import write_report

        try:
            summary = run_with_progress(self.window, f"Writing {path.name}…",
                                        lambda progress: write_report(cat, path, names, progress))
        except Cancelled:
            self.window.statusBar().showMessage("Report cancelled; nothing was written", 8000)
            return False
        except (CatalogueError, OSError) as e:
            self._fail("Cannot write the report", e)
            return False
        self.window.statusBar().showMessage(summary[:1].upper() + summary[1:], 10000)
        return True

    def export_sources(self, selected: bool, path: str | os.PathLike | None = None) -> bool:
        """Every source, or those cited for the selected partnerships (their members and areas too),
        as CSL-JSON or BibTeX by the name chosen."""
        from models.formats.references import FILTER, export_sources
        ids = self._selected_ids() if selected else None
        if ids == []:
            return False
        cat = self.window.catalogue
        name = f"{cat.path.stem} {'selected' if selected else 'all'} sources.csl.json"
        path = Path(path) if path else self._ask(True, "Export sources", FILTER, name)
        if path is None:
            return False
        if path.suffix.lower() not in (".json", ".bib"):
            path = path.with_name(path.name + ".csl.json")
        try:
            summary = export_sources(cat, path, ids)
        except CatalogueError as e:
            self._fail("Cannot export the sources", e)
            return False
        self.window.statusBar().showMessage(summary[:1].upper() + summary[1:], 10000)
        return True

    def import_sources(self, path: str | os.PathLike | None = None) -> bool:
        """Add the sources of a CSL-JSON or BibTeX file not held already, as one undo step."""
        from models.formats.references import FILTER, import_sources, read_sources
        path = Path(path) if path else self._ask(False, "Import sources", FILTER)
        if path is None:
            return False
        doc = self.window.document
        try:
            sources = read_sources(path)   # a malformed file is refused before anything is written
            if not doc.catalogue.sources.not_held(sources):   # no empty step to undo
                self.window.statusBar().showMessage(
                    f"Nothing to import: the catalogue already holds {plural(len(sources), 'source')} "
                    f"of {path.name}", 10000)
                return True
            result = []
            doc.edit(f"Import sources from {path.name}",
                     lambda: result.append(import_sources(doc.catalogue, path)) or result[0].revert)
        except CatalogueError as e:
            self._fail("Cannot import the sources", e)
            return False
        summary = result[0].summary(path.name)
        self.window.statusBar().showMessage(summary[:1].upper() + summary[1:], 10000)
        return True

    def import_reference_geography(self, path: str | os.PathLike | None = None, name: str | None = None,
                                   overlapping: bool | None = None) -> bool:
        from ui.files.reference_import import import_reference_geography
        return import_reference_geography(self, path, name, overlapping)

    def import_london_pack(self) -> bool:
        from ui.files.reference_import import import_london_pack
        return import_london_pack(self)

    def merge_catalogue(self, path: str | os.PathLike | None = None):
        """Review what merging another copy of this catalogue would do; applying it is one undo
        step. Returns the review dialog (None when refused or there is nothing to merge)."""
        from models.catalogue import merge
        from ui.merge.review_dialog import MergeDialog
        path = Path(path) if path else self._ask(False, "Merge another catalogue", CATALOGUE_FILTER)
        if path is None:
            return None
        doc = self.window.document
        try:
            plan = merge.plan(doc.catalogue, path)
        except CatalogueError as e:
            self._fail("Cannot merge", e)
            return None
        if plan.is_empty():
            self.window.statusBar().showMessage(f"Nothing to merge: this catalogue holds all of {path.name}", 10000)
            return None
        self.merge_dialog = MergeDialog(doc, plan, self.window)
        self.merge_dialog.open()
        return self.merge_dialog

    def explain_boundaries(self) -> None:
        self.window.show_message("Where to get boundaries", ONS_NOTE, QMessageBox.Icon.Information)

    # -- the team server ---------------------------------------------------------
    def _server_values(self, publishing: bool, values: dict | None):
        if values is not None:
            return values
        from ui.files.server_dialog import ServerDialog
        dialog = ServerDialog(self.window, self._settings, publishing)
        if dialog.exec() != ServerDialog.DialogCode.Accepted:
            return None
        dialog.remember()
        return dialog.values()

    def publish_to_server(self, values: dict | None = None) -> bool:
        """Publish the catalogue to a PostGIS schema (nothing changes here: no undo step)."""
        from models.server.publish import publish
        values = self._server_values(True, values)
        if values is None:
            return False
        store = self.window.catalogue.store
        try:
            counts = run_with_progress(self.window, "Publishing to the server…", lambda progress: publish(
                store, values["target"], schema=values["schema"], password=values["password"],
                editors=values["editors"], readers=values["readers"],
                progress=lambda what, done, total: progress(done / total, what)))
        except Cancelled:
            self.window.statusBar().showMessage("Publish cancelled; the server is as it was", 8000)
            return False
        except CatalogueError as e:
            self._fail("Cannot publish", e)
            return False
        total = {k: sum(c[k] for c in counts.values()) for k in ("added", "changed", "deleted")}
        self.window.statusBar().showMessage(
            f"Published to schema {values['schema']}: {total['added']} rows added, {total['changed']} changed, "
            f"{total['deleted']} deleted", 10000)
        return True

    def pull_from_server(self, values: dict | None = None):
        """The server's schema, downloaded into a temporary copy, in the merge review (conflicts
        shown, each chosen); applying it is one undo step. Returns the review dialog (None when
        refused or there is nothing new)."""
        from models.server.pull import pull_plan
        from ui.merge.review_dialog import MergeDialog
        values = self._server_values(False, values)
        if values is None:
            return None
        doc = self.window.document
        cat = doc.catalogue
        try:
            plan = run_with_progress(self.window, "Pulling from the server…", lambda progress: pull_plan(
                cat, values["target"], schema=values["schema"], password=values["password"],
                progress=lambda what, done, total: progress(done / total, what)))
        except Cancelled:
            self.window.statusBar().showMessage("Pull cancelled; nothing was changed", 8000)
            return None
        except CatalogueError as e:
            self._fail("Cannot pull", e)
            return None
        if plan is None or plan.is_empty():
            self.window.statusBar().showMessage("Nothing new on the server", 8000)
            return None
        self.merge_dialog = MergeDialog(doc, plan, self.window)
        self.merge_dialog.open()
        return self.merge_dialog
