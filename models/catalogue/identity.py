"""Records by their uuid: what survives copies, exports and imports (see migration_row_identity).

    cat.identity.uuid_of("partnerships", 12)     # -> "3f2c…"
    cat.identity.find("partnerships", "3f2c…")   # -> 12, or None in a catalogue without it

An import that meets a uuid it holds recognises the row instead of adding it again; one it
does not hold gives the new row that uuid (assign, inside the import's edit), so the row is
the same record in every copy it reaches.
"""
from __future__ import annotations

import uuid

from models.errors import CatalogueError
from models.storage.schema import IDENTIFIED_TABLES
from models.storage.store import Store


def parse_uuid(text: str) -> str | None:
    """The canonical form of a uuid written in a file (any case, braces or 'urn:uuid:'), or None."""
    try:
        return str(uuid.UUID(text.strip()))
    except (ValueError, AttributeError):
        return None


class Identity:
    def __init__(self, store: Store):
        self._store = store

    def _table(self, table: str) -> str:
        if table not in IDENTIFIED_TABLES:
            raise ValueError(f"{table} rows have no uuid")
        return table

    def uuid_of(self, table: str, row_id: int) -> str | None:
        row = self._store.conn.execute(f"SELECT uuid FROM {self._table(table)} WHERE rowid=?",
                                       (row_id,)).fetchone()
        return row[0] if row else None

    def find(self, table: str, row_uuid: str) -> int | None:
        row = self._store.conn.execute(f"SELECT rowid FROM {self._table(table)} WHERE uuid=?",
                                       (row_uuid,)).fetchone()
        return row[0] if row else None

    def uuids(self, table: str) -> dict[str, int]:
        """uuid -> id of every row of the table."""
        return dict(self._store.conn.execute(f"SELECT uuid, rowid FROM {self._table(table)} WHERE uuid IS NOT NULL"))

    def assign(self, table: str, row_id: int, row_uuid: str) -> None:
        """Give a row made in the current edit the uuid it has elsewhere (call inside store.edit)."""
        canonical = parse_uuid(row_uuid)
        if canonical is None:
            raise CatalogueError(f"'{row_uuid}' is not a uuid")
        if self.find(table, canonical) not in (None, row_id):
            raise CatalogueError(f"another {table[:-1]} already has the uuid {canonical}")
        with self._store.edit():
            self._store.conn.execute(f"UPDATE {self._table(table)} SET uuid=? WHERE rowid=?", (canonical, row_id))
