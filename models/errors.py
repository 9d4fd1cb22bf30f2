"""What the models raise: CatalogueError (and its kinds) for anything a user did or supplied
wrong, Cancelled when the user stopped long work."""


class CatalogueError(Exception):
    """Bad input, a file that is not ours, a rule broken: str() is one line for the user."""


class Cancelled(Exception):
    """Raised by a progress callback (the user pressed Cancel) to stop long work: an import's
    transaction rolls back, a salvage removes its half-made file."""


class DamagedCatalogue(CatalogueError):
    """The file is damaged (cut short, a header that does not fit its size, or pages SQLite
    cannot read on opening or in quick_check); nothing was written to it.

    `path` is the damaged file, for the offer to restore a backup or salvage it."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path


class ForeignSchema(CatalogueError):
    """Opening for writing refused: the file carries views, or triggers that Partnership Atlas
    (or a GIS keeping its GeoPackage indexes) did not create.

    `objects` lists them as (type, name, sql); the file may be opened read-only, or a copy
    made without them."""

    def __init__(self, message: str, objects: list[tuple[str, str, str]]):
        super().__init__(message)
        self.objects = objects


class CatalogueInUse(CatalogueError):
    """Opening for writing refused: another Partnership Atlas (process or window) holds the
    file's lock.

    `holder` says who, in words for the user ("alice on laptop, process 1234, since
    2026-05-09 14:05", or "another Partnership Atlas" when the lock file cannot be read)."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 partnership', '2 partnerships', '1,204 wards': every count in a message goes through
    here, so no message says '1 partnerships'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
