"""The catalogue file: opening it safely, migrating it, and journaled edits.

Every edit runs in one transaction. While it runs, TEMP triggers (they live on
this connection only, never in the file) log each row it inserts, updates or
deletes, cascades included; the log becomes a Revert that puts every row back.
Reverting is itself an edit, so it returns the Revert that redoes it.
"""
from __future__ import annotations

import contextlib
import functools
import getpass
import itertools
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import CatalogueError, DamagedCatalogue
from models.storage import foreign, gpkg, integrity, journal, schema, sqlite_file, styles
from models.storage.lock import CatalogueLock

if TYPE_CHECKING:
    import sqlite_utils

    from models.storage.backups import Backups

_savepoints = itertools.count(1)   # names for nested transactions, unique in this process

# Tables whose rows an edit may insert in bulk (Store.bulk_insert), and the column naming
# the rows one bulk entry covers: a layer's units, all new with their layer.
BULK_KEYS = {"boundary_units": "layer_id"}


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    mode = "ro" if read_only else "rw"
    if read_only and not os.access(path.parent, os.W_OK) and not sqlite_file.wal_path(path).exists():
        # Reading a WAL-mode file needs a -shm beside it, which a read-only folder (a CD, a
        # shared drive) cannot hold. Nobody can be writing there either (a writer needs a
        # -wal in that folder), so the file is as fixed as SQLite's immutable mode assumes.
        mode += "&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                           isolation_level=None, check_same_thread=False)
    # A file from someone else must not run functions from its schema until we
    # have looked at that schema (see _trust_known_schema).
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA foreign_keys=ON")
    if hasattr(conn, "enable_load_extension"):  # absent where Python was built without it
        conn.enable_load_extension(False)
    gpkg.register_functions(conn)
    return conn


# SQLite's primary result codes for a write the disk or the OS refused, and the
# line the user reads instead of SQLite's own text ("database or disk is full").
_WRITE_REFUSED = {
    13: "the disk is full; free some space and try again",                # SQLITE_FULL
    8: "{name} cannot be written (a read-only file or folder)",           # SQLITE_READONLY
    10: "the disk could not write {name} (disk I/O error)",               # SQLITE_IOERR
    5: "another program is writing to {name}; try again",                 # SQLITE_BUSY
    6: "another program is writing to {name}; try again",                 # SQLITE_LOCKED
}
_WRITE_REFUSED_TEXT = {"database or disk is full": 13, "attempt to write a readonly database": 8,
                       "disk I/O error": 10, "database is locked": 5}


def default_author() -> str:
    """Who edits when nobody said: $ATLAS_AUTHOR, else the login name."""
    author = os.environ.get("ATLAS_AUTHOR", "").strip()
    if author:
        return author
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):   # no login name (a container without a user entry)
        return "unknown"


def _not_saved(e: sqlite3.Error, name: str) -> str:
    """One line saying why an edit was not saved; SQLite's text only for anything else."""
    code = getattr(e, "sqlite_errorcode", None)  # Python 3.11+; the text before that
    code = (code & 0xFF) if code is not None else _WRITE_REFUSED_TEXT.get(str(e))
    reason = _WRITE_REFUSED.get(code)
    return f"not saved: {reason.format(name=name) if reason else e}"


def _generic_name(entries: list) -> str:
    """A name for an edit nobody named: the tables it changed."""
    tables = dict.fromkeys(t for t, _, _, _ in entries if t in schema.IDENTIFIED_TABLES)
    return "Edit " + (", ".join(t.replace("_", " ") for t in tables) or "catalogue")


# Files at least this large are checked in a thread when the app opens them (Store.open's
# check_later): quick_check reads every page, ~1.2 ms per MB here (0.8 s at 161k units, a
# 690 MB file); below this it costs under ~40 ms and opening waits for it, as ever.
CHECK_LATER_BYTES = 32 * 2**20
# The tables left to that thread; every other one is checked before opening returns (~25 ms
# at 161k units), so what the catalogue's views read at once is known sound. These hold ~95%
# of a large file: at 161k units the history's changes 390 MB, the levels of detail 100 MB,
# the memberships 67 MB, the units 67 MB of 690 MB (sizes with their indexes).
CHECK_LATER_TABLES = frozenset({"history_changes", "boundary_levels", "area_units", "boundary_units"})

# What the authorizer refuses on the file itself while its integrity check runs.
_WRITES = {getattr(sqlite3, name) for name in (
    "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_INDEX",
    "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW", "SQLITE_DROP_TABLE", "SQLITE_DROP_INDEX",
    "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW", "SQLITE_ALTER_TABLE")}


def _refuse_writes_to_main(action: int, table, _arg2, database: str | None, _inner) -> int:
    # SQLite reports making a TEMP trigger on a main table as a write to main's sqlite_master
    # too; a real schema change there is refused by its CREATE/DROP/ALTER action.
    if action in _WRITES and database == "main" and table != "sqlite_master":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


# Writes at least this many pages (~40 MB) are copied from the WAL into the file by a
# thread after their commit (Store.checkpoint_later).
LATER_PAGES = 10_000


def _checkpoint(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:   # left to the next commit's automatic checkpoint, or to close
        pass


class Revert:
    """Undoes one edit exactly when called; returns the Revert that redoes it."""

    def __init__(self, store: Store, entries: list[tuple[str, str, int, tuple | None]]):
        self._store = store
        self._entries = entries  # (table, op, rowid, old row or None), in order
        self.id: int | None = None  # the record an edit created, for callers
        self.name = ""              # the edit's name in the history, and its kind there
        self.kind = "edit"
        self.history_uuid: str | None = None  # its history entry (None if it changed nothing)

    @property
    def tables(self) -> frozenset[str]:
        """The tables this edit touched (cascades included): what a view may need to reload."""
        return frozenset(t for t, _, _, _ in self._entries)

    def inserted(self, table: str) -> list[int]:
        return [rid for t, op, rid, _ in self._entries if t == table and op == "I"]

    def __call__(self) -> Revert:
        store = self._store
        # Undoing restores every row exactly, its stamps included (so a row undone is as it
        # was, also to a merge); the history says it happened, as an entry of its own.
        kind = "redo" if self.kind == "undo" else "undo"
        detail = json.dumps({"of": self.history_uuid}) if self.history_uuid else None
        with store.edit(name=self.name, kind=kind, detail=detail) as redo:
            conn = store.conn
            # Rows come back child-before-parent; check keys at commit instead.
            conn.execute("PRAGMA defer_foreign_keys=ON")
            for table, op, rid, old in reversed(self._entries):
                cols = store.columns[table]
                if op == "I":
                    conn.execute(f"DELETE FROM {table} WHERE rowid=?", (rid,))
                elif op == "B":   # rows inserted in bulk (Store.bulk_insert): all of one key
                    conn.execute(f"DELETE FROM {table} WHERE {BULK_KEYS[table]}=?", (rid,))
                elif op == "D":
                    conn.execute(
                        f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        old)
                else:
                    conn.execute(
                        f"UPDATE {table} SET {', '.join(c + '=?' for c in cols)} WHERE rowid=?",
                        (*old, rid))
        redo.id = self.id
        return redo


class Store:
    """One open catalogue file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: bool):
        self.conn = conn
        # A row that INSERT OR REPLACE deletes fires its delete triggers, so the undo journal
        # sees it (as it did when sqlite-utils, which sets this, wrapped every connection).
        conn.execute("PRAGMA recursive_triggers=ON")
        self.path = path
        self.read_only = read_only
        self.columns: dict[str, list[str]] = {}
        self.lock: CatalogueLock | None = None
        self.foreign_objects: list[tuple[str, str, str]] = []
        self.backup_warning: str | None = None  # set when opening could not take its backup
        self.found_wal = False   # a -wal was beside the file when it was opened
        self.author: str | None = default_author()   # stamped on every edit; the GUI/CLI set it
        self.foreign_keys: dict[str, dict[str, str]] = {}   # table -> column -> table it points to
        self._naming: tuple[str, str, str | None] | None = None
        self._checkpointer: threading.Thread | None = None   # see checkpoint_later
        self._check: integrity.DeferredCheck | None = None   # quick_check still running: see open
        self._damaged = False   # found damaged while opening: closed untouched

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on this connection, for its table helpers. Imported when first asked for:
        it costs a tenth of a second (and pandas's half second when pandas is installed), which
        opening a catalogue, and so starting the app, should not pay."""
        import sqlite_utils
        return sqlite_utils.Database(self.conn)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """All of the block or none of it: a transaction, or a savepoint inside the open one."""
        conn = self.conn
        if not conn.in_transaction:
            self._await_check()
            conn.execute("BEGIN")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:   # a failed COMMIT may already have rolled back
                    conn.execute("ROLLBACK")
                raise
            return
        name = f"atlas_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            # A trigger's RAISE(ROLLBACK) ends the whole transaction, savepoint included.
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")

    # -- opening ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike) -> Store:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise CatalogueError(f"{path.name} already exists; choose a new file name")
        lock = CatalogueLock.acquire(path)
        try:
            path.touch()
        except OSError as e:
            if lock:
                lock.release()
            raise CatalogueError(f"cannot create {path}: {e.strerror}") from None
        conn = _connect(path, read_only=False)
        conn.execute(f"PRAGMA application_id={gpkg.APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={gpkg.USER_VERSION}")
        conn.execute("CREATE TABLE atlas_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO atlas_meta VALUES ('application', ?), ('schema_version', '0')",
                     (schema.APPLICATION,))
        store = cls(conn, path, read_only=False)
        store.lock = lock
        store._configure()
        return store

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False, backups: Backups | None = None,
             check_later: bool = False) -> Store:
        """check_later (the app): for a file of CHECK_LATER_BYTES or more, when opening writes
        nothing (no migration, no backup due, the file already in WAL mode), only the tables
        outside CHECK_LATER_TABLES are checked here; the whole file is checked by a thread,
        and every write waits for it (see _await_check): a damaged file then raises
        DamagedCatalogue at its first write, and is closed untouched. Otherwise, and always
        for the command line, a damaged file is refused here."""
        path = Path(path)
        sqlite_file.check_header(path)
        if not read_only and not os.access(path, os.W_OK):
            raise CatalogueError(f"{path.name} is read-only; open it read-only instead")
        lock = None if read_only else CatalogueLock.acquire(path)
        found_wal = sqlite_file.wal_path(path).exists()
        later = (check_later and not read_only and path.stat().st_size >= CHECK_LATER_BYTES
                 and not (backups is not None and backups.due(path)))
        try:
            conn, version, objects, later = cls._inspect(path, read_only, later)
        except BaseException:
            if lock:
                lock.release()
            raise
        store = cls(conn, path, read_only)
        store.lock, store.foreign_objects, store.found_wal = lock, objects, found_wal
        try:
            if later:
                store._start_check()
            if backups is not None and not read_only:  # before _configure migrates
                store.backup_warning = backups.on_open(conn, path, version, schema.SCHEMA_VERSION)
            store._configure()
        except BaseException:
            store.close()   # and the lock with it
            raise
        return store

    @classmethod
    def _inspect(cls, path: Path, read_only: bool,
                 later: bool = False) -> tuple[sqlite3.Connection, int, list, bool]:
        """Connect and check the file, or refuse it exactly as it was found (WAL included).
        The check is left for later (the last value True) only when `later` and opening will
        write nothing."""
        had_wal = sqlite_file.wal_path(path).exists()
        try:
            conn = _connect(path, read_only)
        except sqlite3.DatabaseError as e:
            raise integrity.read_error(path, e) from None
        try:
            version = cls._validate(conn, path)
            # Opening writes when it migrates or switches the file to WAL mode: check first then.
            later = later and version == schema.SCHEMA_VERSION and (
                conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal")
            # DamagedCatalogue before anything is written; checked later, the large tables only.
            integrity.check(conn, path, leaving=CHECK_LATER_TABLES if later else frozenset())
            objects = foreign.foreign_objects(conn)
            # Read-only is safe with them: triggers fire only on writes, which a read-only
            # connection cannot make, and with trusted_schema off a view cannot call our
            # functions; writing is refused until the user chooses a copy without them.
            if objects and not read_only:
                raise foreign.refusal(path, objects)
            if version < schema.SCHEMA_VERSION and read_only:
                raise CatalogueError(f"{path.name} needs upgrading; open it for writing first")
        except sqlite3.DatabaseError as e:
            sqlite_file.close_untouched(conn, path, had_wal)
            raise integrity.read_error(path, e) from None
        except BaseException:
            sqlite_file.close_untouched(conn, path, had_wal)
            raise
        return conn, version, objects, later

    @staticmethod
    def _validate(conn: sqlite3.Connection, path: Path) -> int:
        """Check the file is one of ours and not newer; nothing is written here."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='atlas_meta'").fetchone()
        if app_id != gpkg.APPLICATION_ID or not has_meta:
            raise CatalogueError(f"{path.name} is not a Partnership Atlas catalogue")
        meta = dict(conn.execute("SELECT key, value FROM atlas_meta"))
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            version = -1
        if meta.get("application") != schema.APPLICATION or version < 0:
            raise CatalogueError(f"{path.name} is not a Partnership Atlas catalogue")
        if version > schema.SCHEMA_VERSION:
            raise CatalogueError(
                f"{path.name} was written by a newer Partnership Atlas (schema {version}; "
                f"this version reads up to {schema.SCHEMA_VERSION}); please upgrade")
        return version

    def _configure(self) -> None:
        conn = self.conn
        self._trust_known_schema()
        if not self.read_only:
            # WAL: a commit appends the changed pages to <file>-wal and the main
            # file is rewritten only at checkpoints, so readers (QGIS, a second
            # window) never block the writer. If the process dies (crash, SIGKILL)
            # every edit whose commit returned is kept and none is seen half done,
            # whatever `synchronous` says: the WAL is handed to the OS before COMMIT
            # returns and the next open replays it (bench/reliability/kill.py
            # measures this). A power cut or OS crash is where `synchronous`
            # matters: FULL fsyncs the WAL at every commit, so an edit the user saw
            # saved is on the disk; NORMAL (fsync only at checkpoints) also never
            # corrupts the file but may silently drop the last edits. FULL costs
            # one fsync per edit (< 5 ms here), which an editing session never feels.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        for table in schema.CONTENT_TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            if columns:   # a file made by fewer migrations (as tests of older files make) lacks newer tables
                self.columns[table] = columns
                self.foreign_keys[table] = {r[3]: r[2] for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
        # False only while a test holds a file at an older schema (the migrations patched).
        self.keeps_history = "uuid" in self.columns["partnerships"]
        if not self.read_only:
            if self.keeps_history:
                self._fill_missing_uuids()
            self._install_journal()

    def _fill_missing_uuids(self) -> None:
        """A row another program added (QGIS, a salvage) has no uuid yet: give it one."""
        missing = {t: self.conn.execute(f"SELECT rowid FROM {t} WHERE uuid IS NULL").fetchall()
                   for t in schema.IDENTIFIED_TABLES}
        if any(missing.values()):
            with self.atomic():
                for table, rows in missing.items():
                    self.conn.executemany(f"UPDATE {table} SET uuid=? WHERE rowid=?",
                                          [(str(uuid.uuid4()), rid) for rid, in rows])

    def _trust_known_schema(self) -> None:
        """Let the triggers GDAL/QGIS add call our ST_* functions, and nothing else.

        With trusted_schema off SQLite refuses application functions inside
        schema triggers; we switch it on only when every trigger in the file is
        one models.storage.foreign recognises, and there is no view.
        """
        has_triggers = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='trigger' LIMIT 1").fetchone()
        if has_triggers and not self.foreign_objects:
            self.conn.execute("PRAGMA trusted_schema=ON")

    def _migrate(self) -> None:
        current = int(self.conn.execute(
            "SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0])
        for number, migration in enumerate(schema.MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.atomic():
                migration(self.conn)
                self.conn.execute(
                    "UPDATE atlas_meta SET value=? WHERE key='schema_version'", (str(number),))

    def _install_journal(self) -> None:
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS undo_log "
                     "(seq INTEGER PRIMARY KEY, tbl TEXT, op TEXT, rid INTEGER)")
        for table, cols in self.columns.items():
            old = ", ".join(f"OLD.{c}" for c in cols)
            conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS undo_old_{table} AS "
                         f"SELECT 0 AS seq, * FROM main.{table} WHERE 0")
            conn.execute(f"""CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_i
                AFTER INSERT ON main.{table} BEGIN
                INSERT INTO undo_log(tbl, op, rid) VALUES ('{table}', 'I', NEW.rowid); END""")
            for op, event in (("U", "UPDATE"), ("D", "DELETE")):
                conn.execute(f"""CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_{op.lower()}
                    AFTER {event} ON main.{table} BEGIN
                    INSERT INTO undo_log(tbl, op, rid) VALUES ('{table}', '{op}', OLD.rowid);
                    INSERT INTO undo_old_{table} VALUES (last_insert_rowid(), {old}); END""")

    @contextlib.contextmanager
    def checkpoint_later(self) -> Iterator[None]:
        """For a large write (an import): its commit leaves the pages in the WAL (written and
        synced there, so the edit is as safe), and a thread copies them into the file after,
        on a connection of its own, instead of the commit doing it while the user waits
        (~0.5 s of importing 161k units). A write smaller than LATER_PAGES is checkpointed
        as SQLite's automatic checkpoint would have done."""
        conn = self.conn
        self.wait_for_checkpoint()
        auto = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint={auto}")
        try:
            pages = sqlite_file.wal_path(self.path).stat().st_size // (
                conn.execute("PRAGMA page_size").fetchone()[0] + 24)   # a frame: header + page
        except OSError:
            return
        if pages >= LATER_PAGES:
            # Not a daemon: a process ending meanwhile waits for it (well under a second)
            # rather than stopping it inside SQLite.
            self._checkpointer = threading.Thread(target=_checkpoint, args=(self.path,),
                                                  name="catalogue checkpoint")
            self._checkpointer.start()
        elif auto > 0 and pages >= auto:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def wait_for_checkpoint(self) -> None:
        """Until a checkpoint started by checkpoint_later has finished."""
        if self._checkpointer is not None:
            self._checkpointer.join()
            self._checkpointer = None

    # -- the integrity check left for later (open(check_later=True)) -------
    def _start_check(self) -> None:
        try:
            conn = _connect(self.path, read_only=True)
        except sqlite3.Error:   # no second connection: check the whole file now, as ever
            try:
                integrity.check(self.conn, self.path)
            except DamagedCatalogue:
                self._damaged = True   # closed untouched by open's clean-up
                raise
            except sqlite3.DatabaseError as e:
                self._damaged = True
                raise integrity.read_error(self.path, e) from None
            return
        self._check = integrity.DeferredCheck(conn, self.path)
        # Writes wait for the check in atomic(); this refuses any other write to the file
        # while it runs (temp tables, the journal and the search index, stay writable).
        self.conn.set_authorizer(_refuse_writes_to_main)

    @property
    def check_pending(self) -> bool:
        """True from open(check_later=True) until a write has waited for the check and it passed."""
        return self._check is not None

    @property
    def checking(self) -> bool:
        """True while the integrity check left for later is still running."""
        return self._check is not None and not self._check.done

    def check_result(self) -> DamagedCatalogue | None:
        """The damage the check left for later found (None: sound, or not run later); waits for it."""
        return self._check.result() if self._check is not None else None

    def _await_check(self) -> None:
        """Before a write: wait for the check left for later; raise DamagedCatalogue if it failed."""
        if self._check is None:
            return
        error = self._check.result()
        if error is not None:
            raise error
        self._check = None
        self.conn.set_authorizer(None)

    def close(self) -> None:
        self.wait_for_checkpoint()   # the file is whole, and the WAL can be folded back
        if self._check is not None:
            self._check.cancel()   # nothing has been written: a write would have waited for it
        if self._damaged or (self._check is not None and not self._check.passed):
            # Damaged, or not known to be sound: leave it as found.
            sqlite_file.close_untouched(self.conn, self.path, self.found_wal)
            if self.lock:
                self.lock.release()
            return
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                # Fold the WAL back so the file can be copied on its own.
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        if self.read_only and not self.found_wal:
            sqlite_file.tidy_after_reading(self.path)   # looking leaves no files behind
        if self.lock:
            self.lock.release()

    # -- editing ---------------------------------------------------------
    @contextlib.contextmanager
    def naming(self, name: str, kind: str = "edit", detail: str | None = None) -> Iterator[None]:
        """The name (and kind, detail) the history gives the edits made inside this block,
        when they do not name themselves: the GUI wraps each undo step's model call, the
        command line each command."""
        outer, self._naming = self._naming, (name, kind, detail)
        try:
            yield
        finally:
            self._naming = outer

    @contextlib.contextmanager
    def edit(self, name: str | None = None, kind: str | None = None,
             detail: str | None = None) -> Iterator[Revert]:
        """One transaction; yields the Revert that will undo it, filled on success. The
        outermost edit stamps the rows it changed and appends its entry to the history
        (name, kind and detail from the arguments, else from naming(), else generic)."""
        if self.read_only:
            raise CatalogueError(f"{self.path.name} is open read-only")
        conn = self.conn
        revert = Revert(self, [])
        if conn.in_transaction:  # nested edit: the outer one journals everything
            with self.atomic():
                yield revert
            return
        named = self._naming or (None, "edit", None)
        kind = kind or named[1]
        detail = detail if detail is not None else named[2]
        try:
            with self.atomic():
                conn.execute("DELETE FROM temp.undo_log")
                yield revert
                if conn.execute("SELECT 1 FROM undo_log WHERE tbl='areas' LIMIT 1").fetchone():
                    # QGIS's default style names and colours every area: it changes with
                    # them, in the same transaction (undo and redo come through here too).
                    styles.refresh_areas(conn)
                at = journal.utc_now()
                # The stamps are part of the edit, not steps to undo: the journal is read only
                # up to where they begin.
                upto = conn.execute("SELECT max(seq) FROM undo_log").fetchone()[0]
                if self.keeps_history and kind not in ("undo", "redo") and upto is not None:
                    journal.stamp(conn, at, self.author, upto)
                entries = self._read_log(upto)
                name = name or named[0] or _generic_name(entries)
                revert._entries = entries
                revert.name, revert.kind = name, kind
                if self.keeps_history:
                    revert.history_uuid = journal.record(conn, self.columns, self.foreign_keys, entries,
                                                         name, kind, detail, at, self.author)
        except (sqlite3.IntegrityError, sqlite3.OperationalError) as e:
            raise CatalogueError(_not_saved(e, self.path.name)) from None

    @contextlib.contextmanager
    def bulk_insert(self, table: str, key: int) -> Iterator[None]:
        """Inside an edit: the rows the block inserts into `table`, which must all have
        BULK_KEYS[table] = key and be the only such rows, are journaled as one entry, and
        undone by deleting every row of that key. For an import's units: a trigger
        logging each of 161k rows, and reading that list back, only to delete by layer on
        undo (with the deferred checkpoint, 13% of the CPU and a quarter of the wall time
        of writing them). Rows the block updates or deletes are journaled as usual."""
        conn = self.conn
        if not conn.in_transaction:
            raise RuntimeError("bulk_insert is for inside an edit")
        # The temp trigger is dropped for the block and made again after it, in the same
        # transaction: a rollback brings back the trigger as it was.
        conn.execute(f"DROP TRIGGER IF EXISTS temp.undo_{table}_i")
        try:
            yield
            conn.execute("INSERT INTO undo_log(tbl, op, rid) VALUES (?, 'B', ?)", (table, key))
        finally:
            self._install_journal()

    def _read_log(self, upto: int | None = None) -> list[tuple[str, str, int, tuple | None]]:
        """The journal up to seq `upto` (all of it if None), emptied."""
        conn = self.conn
        upto = 2**62 if upto is None else upto
        log = conn.execute("SELECT seq, tbl, op, rid FROM undo_log WHERE seq <= ? ORDER BY seq", (upto,)).fetchall()
        old: dict[int, tuple] = {}
        for table, in conn.execute("SELECT DISTINCT tbl FROM undo_log WHERE op != 'I'").fetchall():
            for row in conn.execute(f"SELECT * FROM undo_old_{table} WHERE seq <= ?", (upto,)):
                old[row[0]] = tuple(row[1:])
            conn.execute(f"DELETE FROM undo_old_{table}")
        conn.execute("DELETE FROM undo_log")
        return [(t, op, rid, old.get(seq)) for seq, t, op, rid in log]
