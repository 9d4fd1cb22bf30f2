"""Salvage: copy what can still be read from a damaged catalogue into a new one.

    report = salvage("damaged.gpkg", "rescued.gpkg")
    print(report)            # per table: recovered, unreadable, dropped, cleared

The damaged file is never opened for writing: a temporary copy of it (and of its
-wal, which may hold the latest edits) is read, so not even a -shm appears beside
it. Rows are read in rowid order; where a page cannot be read the scan restarts
just past the last good row, so one bad page costs only the rows on it. The new
file is made by Store.create, so it is a complete catalogue and GeoPackage.

Rows that point at a row that was lost are handled as if that row had been
deleted, following the schema's own ON DELETE rule: CASCADE drops the row
(a membership whose partnership was lost), SET NULL clears the reference
(a partnership whose lead organisation was lost keeps no lead).
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import CatalogueError
from models.storage import gpkg, schema, sqlite_file, styles
from models.storage.store import Store

# Columns that must hold JSON for the app to read the row.
_JSON_COLUMNS = {"partnerships": ("policy_areas", "tags"), "boundary_units": ("attributes",),
                 "reference_areas": ("authorities",)}
# Without an upper rowid bound, give up after this many unreadable rowids in a row.
_MAX_BLIND_SKIP = 100_000


@dataclass
class TableSalvage:
    table: str
    recovered: int = 0
    unreadable: int | None = 0   # rows lost to damage; None when the file cannot say how many
    skipped_rowids: int = 0      # rowids stepped over past bad pages (some may never have held a row)
    rejected: int = 0            # rows read but garbled (bad geometry, JSON, or a broken constraint)
    dropped: int = 0             # rows whose parent row was lost (ON DELETE CASCADE)
    cleared: dict[str, int] = field(default_factory=dict)  # column -> references set to NULL

    @property
    def complete(self) -> bool:
        return not (self.unreadable or self.skipped_rowids or self.rejected or self.dropped or self.cleared)

    def __str__(self) -> str:
        parts = []
        if self.unreadable is None:
            parts.append(f"up to {self.skipped_rowids:,} unreadable")
        elif self.unreadable:
            parts.append(f"{self.unreadable:,} unreadable")
        if self.rejected:
            parts.append(f"{self.rejected:,} garbled")
        if self.dropped:
            parts.append(f"{self.dropped:,} dropped because a row they belong to was lost")
        for column, n in self.cleared.items():
            parts.append(f"{column} cleared on {n:,} because the row it named was lost")
        return f"{self.table}: {self.recovered:,} recovered" + (f" ({'; '.join(parts)})" if parts else "")


@dataclass
class SalvageReport:
    source: Path
    target: Path
    tables: dict[str, TableSalvage]

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tables.values())

    def __str__(self) -> str:
        head = (f"Everything in {self.source.name} was read into {self.target.name}." if self.complete
                else f"Read what could be read from {self.source.name} into {self.target.name}.")
        return "\n".join([head] + [str(t) for t in self.tables.values()])


def salvage(damaged_path: str | os.PathLike, new_path: str | os.PathLike,
            progress: Callable[[float, str], None] | None = None) -> SalvageReport:
    """Read what can be read from damaged_path into a new catalogue at new_path.

    Raises CatalogueError when nothing can be read (the new file is then removed);
    Cancelled from progress also removes it.
    """
    damaged_path, new_path = Path(damaged_path), Path(new_path)
    if new_path.resolve() == damaged_path.resolve():
        raise CatalogueError("choose a new file for what is salvaged, not the damaged one")
    with tempfile.TemporaryDirectory(prefix="atlas-salvage-") as tmp:
        copy = Path(tmp) / "damaged.gpkg"
        try:
            shutil.copyfile(damaged_path, copy)
            if sqlite_file.wal_path(damaged_path).is_file():
                shutil.copyfile(sqlite_file.wal_path(damaged_path), sqlite_file.wal_path(copy))
        except OSError as e:
            raise CatalogueError(f"cannot read {damaged_path.name}: {e.strerror}") from None
        source = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        # Tolerates a schema naming pages past the end of a truncated file, which would
        # otherwise make every table unreadable; harmless here, the connection is read-only.
        source.execute("PRAGMA writable_schema=ON")
        try:
            tables = _source_tables(source, damaged_path)
            target = Store.create(new_path)
            try:
                report = _copy_all(source, tables, target, progress)
            except BaseException:
                target.close()
                sqlite_file.delete(new_path)
                raise
            target.close()
        finally:
            source.close()
    return SalvageReport(damaged_path, new_path, report)


def _source_tables(conn: sqlite3.Connection, path: Path) -> dict[str, list[str]]:
    """Content tables the damaged file has, with their columns; refuses newer or foreign files."""
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise CatalogueError(f"nothing can be salvaged from {path.name}: its table list is unreadable ({e})") from None
    try:
        version = int(conn.execute("SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0])
    except (sqlite3.DatabaseError, TypeError, ValueError):
        version = None   # damaged too; the tables themselves say whether the file is ours
    if version is not None and version > schema.SCHEMA_VERSION:
        raise CatalogueError(f"{path.name} was written by a newer Partnership Atlas; salvage it with that")
    found = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
             for t in schema.CONTENT_TABLES if t in names}
    if not found:
        raise CatalogueError(f"nothing can be salvaged from {path.name}: it has no catalogue tables")
    return found


def _parent_first(conn: sqlite3.Connection) -> list[str]:
    """CONTENT_TABLES ordered so every table comes after the tables it references."""
    needs = {t: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({t})")} & set(schema.CONTENT_TABLES)
             for t in schema.CONTENT_TABLES}
    order: list[str] = []
    while len(order) < len(needs):
        order += [t for t in schema.CONTENT_TABLES if t not in order and needs[t] <= set(order)]
    return order


def _upper_rowid(conn: sqlite3.Connection, table: str) -> int | None:
    """The highest rowid the table can hold: its AUTOINCREMENT counter, else max(rowid)."""
    for sql, args in (("SELECT seq FROM sqlite_sequence WHERE name=?", (table,)),
                      (f"SELECT max(rowid) FROM {table}", ())):
        try:
            row = conn.execute(sql, args).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row and row[0] is not None:
            return int(row[0])
    return None


def _read_rows(conn: sqlite3.Connection, table: str, columns: list[str], result: TableSalvage):
    """Yield (rowid, *columns) for every readable row, stepping over unreadable ones."""
    upper = _upper_rowid(conn, table)
    sql = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ? ORDER BY rowid"
    last, blind = 0, 0
    while True:
        try:
            for row in conn.execute(sql, (last,)):
                # A garbled cell can carry an impossible rowid; restarting past it would skip good rows.
                if row[0] <= last or (upper is not None and row[0] > upper):
                    result.rejected += 1
                    continue
                last, blind = row[0], 0
                yield row
            return
        except sqlite3.DatabaseError:
            last += 1
            blind += 1
            result.skipped_rowids += 1
            if (upper is not None and last >= upper) or (upper is None and blind > _MAX_BLIND_SKIP):
                return


def _garbled(table: str, columns: list[str], row: tuple) -> bool:
    values = dict(zip(columns, row[1:]))
    for column in _JSON_COLUMNS.get(table, ()):
        if values.get(column) is not None:
            try:
                json.loads(values[column])
            except (TypeError, ValueError):
                return True
    geom = schema.FEATURE_TABLES.get(table)
    for column in (geom, "drawn" if table == "areas" else None):
        blob = values.get(column) if column else None
        if blob is not None:
            try:
                if not isinstance(blob, bytes) or gpkg.from_blob(blob) is None:
                    return True
            except Exception:   # shapely raises several types for bytes that are not WKB
                return True
    return False


def _copy_all(source: sqlite3.Connection, tables: dict[str, list[str]], target: Store,
              progress: Callable[[float, str], None] | None) -> dict[str, TableSalvage]:
    conn = target.conn
    order = _parent_first(conn)
    results = {t: TableSalvage(t) for t in order}
    kept: dict[str, set[int]] = {t: set() for t in order}
    with target.atomic():
        for i, table in enumerate(order):
            if progress:
                progress(i / len(order), f"Reading {table}")
            result = results[table]
            wanted = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            columns = [c for c in tables.get(table, []) if c in wanted]
            if not columns:   # the damaged file has no such table left
                result.unreadable = None
                continue
            refs = [(r[3], r[2], r[6]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")]
            insert = (f"INSERT INTO {table}(rowid, {', '.join(columns)}) "
                      f"VALUES ({', '.join('?' * (len(columns) + 1))})")
            read = 0
            for row in _read_rows(source, table, columns, result):
                read += 1
                if _garbled(table, columns, row):
                    result.rejected += 1
                    continue
                row = list(row)
                lost_parent = False
                for column, parent, on_delete in refs:
                    if column not in columns:
                        continue
                    at = columns.index(column) + 1
                    if row[at] is None or row[at] in kept[parent]:
                        continue
                    if on_delete == "SET NULL":
                        row[at] = None
                        result.cleared[column] = result.cleared.get(column, 0) + 1
                    else:
                        lost_parent = True
                if lost_parent:
                    result.dropped += 1
                    continue
                try:
                    conn.execute(insert, row)
                except sqlite3.IntegrityError:   # NOT NULL, CHECK or UNIQUE broken by garbled values
                    result.rejected += 1
                    continue
                kept[table].add(row[0])
                result.recovered += 1
            result.unreadable = _unreadable(source, table, read, result)
        for table in schema.FEATURE_TABLES:
            gpkg.update_extent(conn, table)
        styles.refresh_areas(conn)   # QGIS's default style names the areas recovered
    if progress:
        progress(1.0, "Salvaged")
    return results


def _unreadable(conn: sqlite3.Connection, table: str, read: int, result: TableSalvage) -> int | None:
    """How many rows could not be read: exact when count(*) still works (it may walk an
    intact index instead of the damaged table), else None."""
    if not result.skipped_rowids:
        return 0
    try:
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    return max(total - read, 0)

