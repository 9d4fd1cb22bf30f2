"""Opening a catalogue, at start-up and from File ▸ Open (Open Recent and drag-and-drop too).

A file is opened for editing when it can be. When it cannot, as it is:
  damaged                     the user chooses: restore a backup or salvage into a new file (recovery)
  triggers or views from elsewhere   open it read-only, or a copy without them (foreign_dialog)
  another Partnership Atlas is editing it   opened read-only, and the user is told who
  the file cannot be written  opened read-only (File ▸ Open), said in the status bar
Anything else is a CatalogueError in one line, for the caller to show.

At start-up the catalogue named on the command line is opened as from File ▸ Open; without
one, the catalogue used last is tried first and passed over in silence when it will not open
(it may be gone or on a drive not mounted) unless it is damaged, which the user must hear of;
then the default catalogue, created on first run.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from models.catalogue import Catalogue
from models.errors import CatalogueError, CatalogueInUse, DamagedCatalogue, ForeignSchema
from models.storage.backups import Backups
from models.storage.paths import default_catalogue_path
from ui.files.foreign_dialog import open_foreign
from ui.files.recovery import offer_recovery


@dataclass
class Opened:
    catalogue: Catalogue
    in_use_by: str | None = None    # who is editing it elsewhere; it is open read-only here
    unwritable: bool = False        # the file itself cannot be written; it is open read-only
    recovered: str | None = None    # what restoring or salvaging did, for the user


def open_as_found(path: str | os.PathLike, backups: Backups | None, *, create: bool = False,
                  read_only_if_unwritable: bool = True) -> Opened:
    """Opened without asking anything: for editing, or read-only when another Partnership Atlas
    is editing it or (read_only_if_unwritable) the file cannot be written.

    create: make the file when there is none (the default catalogue on first run).
    Raises DamagedCatalogue and ForeignSchema for `answer`, CatalogueError for anything else.
    """
    path = Path(path)
    unwritable = read_only_if_unwritable and path.is_file() and not os.access(path, os.W_OK)
    try:
        # check_later: a large file's integrity check runs while the map is drawn (ui.files.late_check).
        if create:
            return Opened(Catalogue.open_or_create(path, backups=backups, check_later=True))
        return Opened(Catalogue.open(path, read_only=unwritable, backups=backups, check_later=True),
                      unwritable=unwritable)
    except CatalogueInUse as e:
        try:
            return Opened(Catalogue.open(path, read_only=True), in_use_by=e.holder)
        except DamagedCatalogue as damaged:
            # Not for recovery: restoring or salvaging would move the file from under the one editing it.
            raise CatalogueError(str(damaged)) from None


def answer(parent: QWidget | None, path: str | os.PathLike, error: CatalogueError,
           backups: Backups | None) -> Opened | None:
    """After DamagedCatalogue or ForeignSchema: the catalogue as the user chose, None when they
    cancelled. Any other error is raised again; so is a CatalogueError from what they chose."""
    if isinstance(error, DamagedCatalogue):   # the damaged file is never written to
        recovered = offer_recovery(parent, Path(error.path or path), error, backups)
        return Opened(recovered.catalogue, recovered=recovered.message) if recovered else None
    if isinstance(error, ForeignSchema):
        catalogue = open_foreign(parent, Path(path), error)
        return Opened(catalogue) if catalogue is not None else None
    raise error


def open_catalogue(parent: QWidget | None, path: str | os.PathLike, backups: Backups | None,
                   **how) -> Opened | None:
    """open_as_found, asking the user what to do when that cannot be done as it is."""
    try:
        return open_as_found(path, backups, **how)
    except (DamagedCatalogue, ForeignSchema) as e:
        return answer(parent, path, e, backups)


# -- start-up ---------------------------------------------------------------------------
def last_used(settings: QSettings) -> Path | None:
    recent = settings.value("files/recent", [])
    recent = [recent] if isinstance(recent, str) else list(recent or [])   # one item: a str on some back ends
    return Path(recent[0]) if recent else None


def startup_catalogue(settings: QSettings, path: str | os.PathLike | None = None,
                      backups: Backups | None = None) -> Opened:
    """`path`, else the catalogue used last, else the default one; without asking (see open_as_found).

    At start-up a file that cannot be written is refused (named) or passed over (used last), as ever.
    """
    if path:
        return open_as_found(path, backups, read_only_if_unwritable=False)
    last = last_used(settings)
    if last is not None:
        try:
            return open_as_found(last, backups, read_only_if_unwritable=False)
        except DamagedCatalogue:   # the user must hear of it, not get another file silently
            raise
        except CatalogueError:
            pass
    return open_as_found(default_catalogue_path(), backups, create=True)


def open_at_startup(settings: QSettings, path: str | os.PathLike | None = None,
                    backups: Backups | None = None) -> Opened | None:
    """startup_catalogue, asking the user when the file cannot be opened as it is; None when they
    cancelled. Raises CatalogueError when nothing can be opened."""
    try:
        return startup_catalogue(settings, path, backups)
    except (DamagedCatalogue, ForeignSchema) as e:
        # Only the named or the default catalogue gets here with ForeignSchema: the last used one is passed over.
        return answer(None, Path(path) if path else default_catalogue_path(), e, backups)


# -- telling the user -------------------------------------------------------------------
def tell(window, opened: Opened) -> None:
    """What the user should know about the catalogue just shown in `window`."""
    path = opened.catalogue.path
    if opened.in_use_by:
        tell_in_use(window, path, opened.in_use_by)
    elif opened.unwritable:
        window.statusBar().showMessage(
            f"{path.name} is read-only: you can look and search but not edit. "
            "Save a Copy As… to edit a copy.", 15000)
    if opened.recovered:
        window.show_message("Catalogue recovered", opened.recovered, QMessageBox.Icon.Information)


def tell_in_use(window, path: Path, holder: str) -> None:
    """Say, in a message and in the status bar, that another Partnership Atlas is editing it."""
    window.statusBar().showMessage(f"{path.name} is read-only here: it is open for editing by {holder}")
    window.show_message("Opened read-only",
                        f"{path.name} is open for editing by {holder}, so it is open here read-only: "
                        "you can look and search. To edit, close it there and open it again here.",
                        QMessageBox.Icon.Information)
