"""Triggers and views in a catalogue that Partnership Atlas did not create, and copies without them.

A catalogue is a GeoPackage, so GIS programs add their own triggers: GDAL and QGIS
keep a spatial index (rtree_<table>_<column>) in step with triggers, older GDAL
counted features with triggers, and the GeoPackage spec's gpkg_* triggers check
values. Those are recognised by name *and* by what their SQL does, so a trigger
that only looks like one cannot hide behind the name. Anything else is foreign:
a trigger could delete rows on every edit, a view could call functions. Such a
file is opened for writing only as a copy without them.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from models.errors import CatalogueError, ForeignSchema
from models.storage import sqlite_file

_TOKEN = re.compile(r"""
    (?P<skip>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*'?)
  | (?P<quoted>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
  | (?P<word>(?:[^\W\d]|[^\x00-\x7f])(?:[\w$]|[^\x00-\x7f])*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Words SQLite lets stand before "(" that are not function calls, as GDAL's triggers use them.
_PAREN_KEYWORDS = {"values", "in", "and", "or", "not", "when", "where", "exists"}
_RTREE_FUNCTIONS = {"st_isempty", "st_minx", "st_maxx", "st_miny", "st_maxy"}


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(kind, text) with comments dropped, identifiers unquoted and lower-cased."""
    out = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup
        if kind == "skip":
            continue
        text = m.group()
        if kind == "quoted":
            kind, text = "word", text[1:-1] if len(text) > 1 else ""
        out.append((kind, text.lower() if kind == "word" else text))
    return out


def _writes_and_calls(sql: str) -> tuple[set[str] | None, set[str]]:
    """The tables a trigger's body writes (None when it cannot be read plainly) and
    the words it puts before "(" (functions, and a column list's table)."""
    tokens = _tokens(sql)
    calls = {tokens[i - 1][1] for i, (k, t) in enumerate(tokens)
             if t == "(" and i and tokens[i - 1][0] == "word"}
    words = [t if k == "word" else "\0" + t for k, t in tokens]
    if "begin" not in words:
        return None, calls
    body = words[words.index("begin") + 1:]
    targets: set[str] = set()
    for i, w in enumerate(body):
        if w not in ("insert", "update", "delete", "replace"):
            continue
        j = i + 1
        if w == "replace":
            if i and body[i - 1] == "or":
                continue  # INSERT OR REPLACE: read at the INSERT
            if j >= len(body) or body[j] != "into":
                continue  # the replace() function, already among the calls
        if w in ("insert", "update") and j < len(body) and body[j] == "or":
            j += 2  # OR REPLACE / OR IGNORE ...
        if w in ("insert", "replace", "delete"):
            if j >= len(body) or body[j] != ("from" if w == "delete" else "into"):
                return None, calls
            j += 1
        if j >= len(body) or body[j].startswith("\0"):
            return None, calls
        target = body[j]
        if j + 2 < len(body) and body[j + 1] == "\0.":
            if target != "main":
                return None, calls
            target = body[j + 2]
        targets.add(target)
    return targets, calls


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1].lower() for r in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))}


def _is_rtree(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND lower(name)=?",
                       (name,)).fetchone()
    return bool(row and re.match(r"\s*create\s+virtual\s+table\s.*\busing\s+rtree\s*\(",
                                 row[0] or "", re.IGNORECASE | re.DOTALL))


def _is_known_trigger(conn: sqlite3.Connection, name: str, table: str, sql: str) -> bool:
    name, table = name.lower(), table.lower()
    targets, calls = _writes_and_calls(sql or "")
    if targets is None:
        return False
    rtree = re.fullmatch(rf"rtree_{re.escape(table)}_(\w+)_(insert|update\d|delete)", name)
    if rtree:
        index = f"rtree_{table}_{rtree[1]}"
        return (rtree[1] in _columns(conn, table) and _is_rtree(conn, index)
                and targets <= {index}
                and calls <= _PAREN_KEYWORDS | _RTREE_FUNCTIONS | {index})
    if re.fullmatch(rf"trigger_(insert|delete)_feature_count_{re.escape(table)}", name):
        return targets <= {"gpkg_ogr_contents"} and calls <= _PAREN_KEYWORDS | {"lower"}
    if name.startswith("gpkg_") and table.startswith("gpkg_"):
        # The spec's checks on its own tables: they only RAISE(ABORT, ...) bad values.
        return not targets and calls <= _PAREN_KEYWORDS | {"raise", "strftime"}
    return False


def foreign_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every view, and every trigger not recognised above, as (type, name, sql)."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                        "WHERE type IN ('trigger', 'view') ORDER BY type, name").fetchall()
    return [(kind, name, sql or "") for kind, name, table, sql in rows
            if kind == "view" or not _is_known_trigger(conn, name, table, sql)]


def refusal(path: Path, objects: list[tuple[str, str, str]]) -> ForeignSchema:
    """The one-line ForeignSchema for opening `path` for writing."""
    kinds = sorted({kind for kind, _, _ in objects})
    what = " and ".join(f"{k}s" for k in kinds) if len(objects) > 1 else f"a {kinds[0]}"
    names = ", ".join(name for _, name, _ in objects[:3]) + (", …" if len(objects) > 3 else "")
    return ForeignSchema(f"{path.name} has {what} that Partnership Atlas did not create ({names}); "
                         "open it read-only, or make a copy without them to edit", objects)


def _drop(conn: sqlite3.Connection, kind: str, name: str) -> None:
    quoted = '"' + name.replace('"', '""') + '"'
    conn.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")


def copy_without_foreign(source: str | Path, target: str | Path) -> Path:
    """A copy of `source` at `target` without its foreign triggers and views; returns target.

    The copy is taken with SQLite's backup API from a connection that only reads, so
    `source` is left exactly as it was. A foreign trigger named like a spatial-index
    trigger takes its whole index with it in the copy (the rtree table and its other
    triggers): an index no longer kept in step would mislead the GIS that reads it.
    """
    source, target = Path(source), Path(target)
    if target.resolve() == source.resolve():
        raise CatalogueError("choose a different file for the copy")
    if target.exists() or sqlite_file.wal_path(target).exists():
        raise CatalogueError(f"{target.name} already exists; choose a new file name")
    sqlite_file.check_header(source)
    try:
        with sqlite_file.reading(source) as conn:
            sqlite_file.copy_whole(conn, target)
        dest = sqlite3.connect(target, isolation_level=None)
        try:
            dest.execute("PRAGMA trusted_schema=OFF")
            objects = foreign_objects(dest)
            dest.execute("BEGIN")
            for kind, name, _ in objects:
                _drop(dest, kind, name)
                index = re.fullmatch(r"(rtree_\w+?)_(insert|update\d|delete)", name.lower())
                if kind == "trigger" and index and _is_rtree(dest, index[1]):
                    _drop_spatial_index(dest, index[1])
            dest.execute("COMMIT")
            left = foreign_objects(dest)
        finally:
            dest.close()
    except (sqlite3.Error, OSError) as e:
        target.unlink(missing_ok=True)
        raise CatalogueError(f"could not write {target.name}: {e}") from None
    if left:  # cannot happen unless dropping failed silently; never hand over a file still foreign
        target.unlink(missing_ok=True)
        raise CatalogueError(f"could not remove {left[0][1]} from the copy")
    return target


def _drop_spatial_index(conn: sqlite3.Connection, index: str) -> None:
    triggers = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND lower(name) LIKE ? ESCAPE '\\'",
        (index.replace("_", "\\_") + "\\_%",))]
    for name in triggers:
        _drop(conn, "trigger", name)
    _drop(conn, "table", index)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name='gpkg_extensions'").fetchone():
        table, column = _indexed_column(conn, index)
        if table:
            conn.execute("DELETE FROM gpkg_extensions WHERE lower(table_name)=? AND "
                         "lower(column_name)=? AND extension_name='gpkg_rtree_index'", (table, column))


def _indexed_column(conn: sqlite3.Connection, index: str) -> tuple[str | None, str | None]:
    """Which feature table and column rtree_<table>_<column> indexes (names may hold '_')."""
    for table, column in conn.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"):
        if f"rtree_{table}_{column}".lower() == index:
            return table.lower(), column.lower()
    return None, None
