"""The one exception the models raise for anything a user did or supplied wrong."""


class CatalogueError(Exception):
    """Bad input, a file that is not ours, a rule broken: str() is one line for the user."""


class Cancelled(Exception):
    """Raised by a progress callback to stop long work; the transaction rolls back."""
