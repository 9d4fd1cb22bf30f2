"""Getting a catalogue back: restoring a backup, and what to do with a damaged file.

A damaged file is never written to: restoring moves it aside under a new name,
salvaging reads a copy of it into a new file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from models.catalogue import Catalogue
from models.errors import Cancelled, CatalogueError, DamagedCatalogue
from models.storage import sqlite_file
from models.storage.backups import DAMAGED, Backups, quick_check_file
from models.storage.salvage import salvage
from ui.files.backup_dialog import RestoreDialog, when
from ui.progress import run_with_progress

SALVAGE_FILTER = "Catalogues (*.gpkg);;All files (*)"


@dataclass
class Recovered:
    catalogue: Catalogue
    message: str    # what was done, for the user


# -- File ▸ Restore from Backup… --------------------------------------------------
def restore_from_backup(window) -> bool:
    """Show the open catalogue's backups; restore the chosen one in its place."""
    path = window.catalogue.path
    if window.catalogue.read_only:
        window.show_message("Cannot restore", f"{path.name} is read-only; restoring would replace it")
        return False
    dialog = RestoreDialog(window.backups, path, window)
    if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.chosen() is None:
        return False
    backup = dialog.chosen()
    focus = QApplication.focusWidget()   # a field being typed in saves when it loses focus
    if focus is not None:
        focus.clearFocus()
    try:
        aside = window.backups.restore_into(window.catalogue.store.conn, backup, path)
    except CatalogueError as e:
        window.show_message("Cannot restore", str(e))
        return False
    # Reopened: the undo history refers to rows that are gone, and an old backup may need migrating.
    window.set_catalogue(window.catalogue.reopen(backups=window.backups))
    kept = f"; the catalogue as it was is kept as “{aside.name}”"
    window.statusBar().showMessage(f"Restored the backup of {when(backup.taken_at)}{kept}", 20000)
    return True


# -- a damaged file -----------------------------------------------------------------
def offer_recovery(parent: QWidget | None, path: Path, error: DamagedCatalogue,
                   backups: Backups | None) -> Recovered | None:
    """Ask: restore the latest good backup, salvage into a new file, or cancel."""
    path = Path(path)
    has_backups = backups is not None and bool(backups.list(path))
    box = QMessageBox(QMessageBox.Icon.Warning, "Damaged catalogue", str(error), parent=parent)
    box.setInformativeText(
        "Partnership Atlas will not write to the damaged file. You can put its latest good backup in "
        "its place (the damaged file is kept beside it under a new name), or read what can still be "
        "read from it into a new file."
        + ("" if has_backups else "\n\nThere are no backups of this catalogue."))
    restore = box.addButton("Restore latest backup…", QMessageBox.ButtonRole.AcceptRole)
    rescue = box.addButton("Salvage into a new file…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    restore.setEnabled(has_backups)
    box.setDefaultButton(restore if has_backups else rescue)
    box.exec()
    if box.clickedButton() is restore:
        return _restore_damaged(parent, path, backups)
    if box.clickedButton() is rescue:
        return _salvage(parent, path, backups)
    return None


def _restore_damaged(parent, path: Path, backups: Backups) -> Recovered | None:
    listed = backups.list(path)
    latest_good = next((b for b in listed if quick_check_file(b.path)), None)
    dialog = RestoreDialog(backups, path, parent, damaged=True, select=latest_good)
    if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.chosen() is None:
        return None
    backup = dialog.chosen()
    try:
        aside = backups.restore(backup, path, label=DAMAGED)
        catalogue = Catalogue.open(path, backups=backups)
    except (OSError, CatalogueError) as e:
        QMessageBox.warning(parent, "Cannot restore", f"could not restore the backup: {e}")
        return None
    return Recovered(catalogue, f"Restored the backup of {when(backup.taken_at)}. The damaged file is "
                                f"kept, unchanged, as “{aside.name}”." if aside else
                     f"Restored the backup of {when(backup.taken_at)}.")


def _salvage(parent, path: Path, backups: Backups | None) -> Recovered | None:
    suggested = path.with_name(f"{path.stem} (salvaged).gpkg")
    chosen, _ = QFileDialog.getSaveFileName(parent, "Salvage into a new file", str(suggested), SALVAGE_FILTER)
    if not chosen:
        return None
    target = sqlite_file.catalogue_name(Path(chosen))
    try:
        if target.resolve() == path.resolve():
            raise CatalogueError("choose a new file for what is salvaged, not the damaged one")
        if target.exists():   # the save dialog asked before replacing it
            sqlite_file.delete(target)
        report = run_with_progress(parent, f"Salvaging {path.name}…",
                                   lambda progress: salvage(path, target, progress))
        catalogue = Catalogue.open(target, backups=backups)
    except Cancelled:
        return None
    except (OSError, CatalogueError) as e:
        QMessageBox.warning(parent, "Cannot salvage", str(e))
        return None
    return Recovered(catalogue, f"{report}\n\nThe damaged {path.name} is unchanged.")
