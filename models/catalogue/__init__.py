"""The catalogue: one file, its tables grouped by what they hold.

    cat = Catalogue.open("my.gpkg")
    revert = cat.partnerships.add(Partnership("West London Alliance"))
    redo = revert()          # undo; calling redo() does it again

Every method that changes the file is one transaction and returns a Revert.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from models.catalogue.areas import Areas
from models.catalogue.history import History
from models.catalogue.identity import Identity
from models.catalogue.layers import Layers
from models.catalogue.organisations import Organisations
from models.catalogue.partnerships import Partnerships
from models.catalogue.reference_geographies import ReferenceGeographies
from models.catalogue.sources import Sources
from models.errors import CatalogueError
from models.storage import sqlite_file
from models.storage.backups import Backups
from models.storage.store import Store


class Catalogue:
    def __init__(self, store: Store):
        self.store = store
        self.organisations = Organisations(store)
        self.partnerships = Partnerships(store)
        self.sources = Sources(store)
        self.layers = Layers(store)
        self.areas = Areas(store)
        self.references = ReferenceGeographies(store)   # other agencies' geographies (coterminosity)
        self.history = History(store)
        self.identity = Identity(store)

    @classmethod
    def create(cls, path: str | os.PathLike) -> Catalogue:
        return cls(Store.create(path))

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False,
             backups: Backups | None = None, check_later: bool = False) -> Catalogue:
        """backups: where opening for writing keeps this file's backups (see models.storage.backups).
        check_later: the integrity check runs in a thread, writes wait for it (Store.open; the app)."""
        return cls(Store.open(path, read_only=read_only, backups=backups, check_later=check_later))

    @classmethod
    def open_or_create(cls, path: str | os.PathLike, backups: Backups | None = None,
                       check_later: bool = False) -> Catalogue:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            return cls.open(path, backups=backups, check_later=check_later)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls.create(path)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def is_empty(self) -> bool:
        c = self.store.conn
        return not any(c.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                       for t in ("partnerships", "organisations", "boundary_layers", "areas"))

    def save_copy(self, target: str | os.PathLike) -> None:
        """A consistent copy of the whole file, taken with SQLite's backup API."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise CatalogueError("choose a different file for the copy")
        try:
            sqlite_file.copy_whole(self.store.conn, target)
        except (sqlite3.Error, OSError) as e:
            raise CatalogueError(f"could not write {target.name}: {e}") from None

    def reopen(self, backups=None) -> Catalogue:
        """The same file opened afresh (after a restore wrote into it); this one hands over its
        lock, so the new one is not refused as "in use", and keeps only its connection until closed."""
        if self.store.lock:
            self.store.lock.release()
            self.store.lock = None
        return Catalogue.open(self.path, backups=backups)

    def release_lock(self) -> None:
        """Let another open of this file write it (after this one found it damaged: it writes nothing)."""
        if self.store.lock:
            self.store.lock.release()
            self.store.lock = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
