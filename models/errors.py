"""The one exception the models raise for anything a user did or supplied wrong."""


class CatalogueError(Exception):
    """Bad input, a file that is not ours, a rule broken: str() is one line for the user."""


class Cancelled(Exception):
    """Raised by a progress callback to stop long work; the transaction rolls back."""


class DamagedCatalogue(CatalogueError):
    """The file is damaged (cut short, or SQLite's quick_check found bad pages); nothing was written to it.

    `path` is the damaged file, for the offer to restore a backup or salvage it."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path


class ForeignSchema(CatalogueError):
    """The file carries triggers or views on catalogue tables that Partnership Atlas did not create.

    `objects` lists them as (type, name, sql); the file may be opened read-only, or a copy
    made without them."""

    def __init__(self, message: str, objects: list[tuple[str, str, str]]):
        super().__init__(message)
        self.objects = objects


class CatalogueInUse(CatalogueError):
    """Another Partnership Atlas (process or window) has the file open for editing.

    `holder` says who, in words for the user ("alice on laptop, process 1234, since 14:05")."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder
