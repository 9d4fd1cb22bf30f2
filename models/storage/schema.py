"""The catalogue's tables, as forward-only migrations.

Migration N brings a file from schema N-1 to N and commits together with the new
number in atlas_meta. Never edit a migration that has shipped: add a new one.
"""
from __future__ import annotations

import sqlite3
import uuid

from models.storage import gpkg, styles

APPLICATION = "Partnership Atlas"

# Tables whose rows are catalogue content: journaled for undo, copied on export.
CONTENT_TABLES = (
    "organisations", "partnerships", "memberships", "sources", "citations",
    "boundary_layers", "boundary_units", "areas", "area_units",
    "reference_geographies", "reference_areas",
)
FEATURE_TABLES = {"boundary_units": "geom", "areas": "geom", "reference_areas": "geom"}
ATTRIBUTE_TABLES = ("organisations", "partnerships", "memberships", "sources",
                    "citations", "boundary_layers")
# Content tables whose rows carry a uuid and when and by whom they were last changed (see
# migration_row_identity). Boundary units are known by (their layer's uuid, GSS code), and a
# row of area_units by its area and unit, so neither needs one.
IDENTIFIED_TABLES = ("organisations", "partnerships", "memberships", "sources", "citations",
                     "boundary_layers", "areas")
# The uuid5 namespace of every catalogue's own namespace (atlas_meta 'catalogue_uuid').
CATALOGUE_NAMESPACE = uuid.UUID("6f1c3e2a-8d4b-5c7e-9a10-2b3c4d5e6f70")


def _run(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first and break the migration's transaction.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _gpkg_core(conn: sqlite3.Connection) -> None:
    """The GeoPackage core tables (spec 1.4, tables 1, 2 and 4)."""
    _run(conn, """
    CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
      srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
      organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
      definition TEXT NOT NULL, description TEXT);
    CREATE TABLE IF NOT EXISTS gpkg_contents (
      table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
      identifier TEXT UNIQUE, description TEXT DEFAULT '',
      last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
      CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
    CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
      table_name TEXT NOT NULL, column_name TEXT NOT NULL,
      geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
      z TINYINT NOT NULL, m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
      CONSTRAINT uk_gc_table_name UNIQUE (table_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
    """)
    for row in gpkg.srs_rows():
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES "
            "(:srs_name, :srs_id, :organization, :organization_coordsys_id, :definition, :description)",
            row,
        )


def _register(conn: sqlite3.Connection, table: str, description: str) -> None:
    if table in FEATURE_TABLES:
        conn.execute(
            "INSERT INTO gpkg_contents(table_name, data_type, identifier, description, srs_id) "
            "VALUES (?, 'features', ?, ?, ?)", (table, table, description, gpkg.BNG))
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'MULTIPOLYGON', ?, 0, 0)",
            (table, FEATURE_TABLES[table], gpkg.BNG))
    else:
        conn.execute(
            "INSERT INTO gpkg_contents(table_name, data_type, identifier, description) "
            "VALUES (?, 'attributes', ?, ?)", (table, table, description))


def migration_1(conn: sqlite3.Connection) -> None:
    _gpkg_core(conn)
    _run(conn, """
    CREATE TABLE organisations (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, kind TEXT NOT NULL,
      gss_code TEXT UNIQUE, notes TEXT NOT NULL DEFAULT '');
    CREATE TABLE partnerships (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, kind TEXT NOT NULL,
      status TEXT NOT NULL, start_date TEXT, end_date TEXT,
      policy_areas TEXT NOT NULL DEFAULT '[]',   -- JSON list
      governance TEXT NOT NULL DEFAULT '',
      lead_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
      funding TEXT NOT NULL DEFAULT '', savings_amount REAL, savings_period TEXT,
      savings_text TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
      notes TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]');
    CREATE TABLE memberships (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      role TEXT NOT NULL, joined TEXT, left_date TEXT);
    CREATE INDEX memberships_partnership ON memberships(partnership_id);
    CREATE INDEX memberships_organisation ON memberships(organisation_id);
    CREATE TABLE sources (
      id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
      publisher TEXT NOT NULL DEFAULT '', year INTEGER, url TEXT NOT NULL DEFAULT '');
    CREATE TABLE boundary_layers (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, level TEXT NOT NULL,
      vintage TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
      licence TEXT NOT NULL DEFAULT '', srs_id INTEGER NOT NULL);
    CREATE TABLE boundary_units (
      fid INTEGER PRIMARY KEY AUTOINCREMENT,
      layer_id INTEGER NOT NULL REFERENCES boundary_layers(id) ON DELETE CASCADE,
      code TEXT NOT NULL, name TEXT NOT NULL, parent_code TEXT, population REAL,
      attributes TEXT NOT NULL DEFAULT '{}',     -- JSON: the source's other fields
      geom MULTIPOLYGON NOT NULL,
      UNIQUE (layer_id, code));
    CREATE TABLE areas (
      fid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
      partnership_id INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,
      colour TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',
      layer_id INTEGER REFERENCES boundary_layers(id) ON DELETE SET NULL,
      drawn BLOB,                                -- GeoPackage blob of a free-drawn polygon
      geom MULTIPOLYGON);                        -- derived outline, cached
    CREATE TABLE area_units (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      area_id INTEGER NOT NULL REFERENCES areas(fid) ON DELETE CASCADE,
      unit_id INTEGER NOT NULL REFERENCES boundary_units(fid) ON DELETE CASCADE,
      UNIQUE (area_id, unit_id));
    CREATE INDEX area_units_unit ON area_units(unit_id);
    CREATE TABLE citations (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
      page TEXT NOT NULL DEFAULT '', quote TEXT NOT NULL DEFAULT '',
      partnership_id INTEGER REFERENCES partnerships(id) ON DELETE CASCADE,
      membership_id INTEGER REFERENCES memberships(id) ON DELETE CASCADE,
      organisation_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
      area_id INTEGER REFERENCES areas(fid) ON DELETE CASCADE,
      CHECK ((partnership_id IS NOT NULL) + (membership_id IS NOT NULL)
             + (organisation_id IS NOT NULL) + (area_id IS NOT NULL) = 1));
    CREATE INDEX citations_partnership ON citations(partnership_id);
    CREATE INDEX citations_source ON citations(source_id);
    """)
    descriptions = {
        "organisations": "Public bodies and others that take part in partnerships",
        "partnerships": "Partnerships between public bodies",
        "memberships": "Which organisation belongs to which partnership, with role and dates",
        "sources": "Reports, minutes and pages the facts come from",
        "citations": "A source cited for a partnership, membership, organisation or area",
        "boundary_layers": "Imported boundary layers (wards, boroughs) with licence text",
        "boundary_units": "Boundary units (wards, boroughs) in British National Grid",
        "areas": "Variable-geometry areas drawn over boundary units",
    }
    for table, text in descriptions.items():
        _register(conn, table, text)


def migration_2(conn: sqlite3.Connection) -> None:
    """Default QGIS styles in the GeoPackage layer_styles table, and the GeoPackage version
    the file really needs (1.2: it uses nothing from 1.3 or 1.4, and QGIS 3.22's GDAL warns
    that 1.4 "may only be partially supported")."""
    styles.create(conn)
    conn.execute(f"PRAGMA user_version={gpkg.USER_VERSION}")


def migration_evidence_dates(conn: sqlite3.Connection) -> None:
    """"First seen" and "last seen": partial dates a researcher records as evidence that a
    partnership or membership was operating, where its start and end are not known."""
    for table in ("partnerships", "memberships"):
        # Only the missing ones: a file whose version number was set back still has them.
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for column in ("first_seen", "last_seen"):
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def migration_area_kinds(conn: sqlite3.Connection) -> None:
    """An area's kind: 'drawn' (its wards as edited, as every area was before) or 'derived'
    (its partnership's member boroughs' wards, re-derived whenever the memberships change)."""
    # Only if absent: a file whose recorded version was set back (as a test of older files
    # does) may hold the column already, and ALTER TABLE would refuse to add it twice.
    if "kind" not in {r[1] for r in conn.execute("PRAGMA table_info(areas)")}:
        conn.execute("ALTER TABLE areas ADD COLUMN kind TEXT NOT NULL DEFAULT 'drawn' "
                     "CHECK (kind IN ('drawn', 'derived'))")


def migration_layer_vintages(conn: sqlite3.Connection) -> None:
    """The dates a boundary layer was in force (ISO dates, either may be open), and where a
    re-based area came from (JSON: area, layer, vintage, rule, share), so several vintages
    of one level can live side by side and an area says which it is drawn on."""
    for table, column in (("boundary_layers", "in_force_from"), ("boundary_layers", "in_force_to"),
                          ("areas", "rebased_from")):
        # A file whose schema number was set back (by hand, or a tool) may have them already.
        if column not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def migration_layer_levels(conn: sqlite3.Connection) -> None:
    """A boundary layer's simplified copies for the map (levels of detail), computed when
    the layer is imported and kept in the file, so they travel with a copy of it and the
    first open after an import draws at once. Derived data: not journaled for undo, not
    registered with the GeoPackage (like atlas_meta), gone with its layer."""
    conn.execute("""CREATE TABLE IF NOT EXISTS boundary_levels (
      layer_id INTEGER NOT NULL REFERENCES boundary_layers(id) ON DELETE CASCADE,
      tolerance REAL NOT NULL,              -- metres; see models.geo.detail.LEVELS
      data BLOB NOT NULL,                   -- numpy .npz, see models.geo.detail.LayerGeometry.pack
      PRIMARY KEY (layer_id, tolerance))""")


def migration_source_references(conn: sqlite3.Connection) -> None:
    """What reference managers need of a source (authors, type, DOI, accessed date), and a
    citation's field: the one fact of its record it supports ('dates', 'savings'…), NULL for
    the whole record as every citation was before."""
    # Only the missing ones: a file whose version number was set back may have them already.
    for table, column, definition in (
            ("sources", "authors", "TEXT NOT NULL DEFAULT '[]'"),   # JSON list of "Family, Given"
            ("sources", "type", "TEXT NOT NULL DEFAULT 'report'"),
            ("sources", "doi", "TEXT NOT NULL DEFAULT ''"),
            ("sources", "accessed", "TEXT"),
            ("citations", "field", "TEXT")):
        if column not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    conn.execute("CREATE INDEX IF NOT EXISTS citations_membership ON citations(membership_id)")


def migration_reference_geographies(conn: sqlite3.Connection) -> None:
    """Other agencies' geographies (ICBs, police force areas, sub-regional partnerships) to
    measure partnerships against: each area a list of authorities (GSS codes, resolved to the
    wards of whichever vintage is in use), an imported polygon, or a catalogue area."""
    _run(conn, """
    CREATE TABLE IF NOT EXISTS reference_geographies (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
      agency TEXT NOT NULL DEFAULT '',
      in_force_from TEXT, in_force_to TEXT,             -- partial dates, as elsewhere
      partitions INTEGER NOT NULL DEFAULT 1 CHECK (partitions IN (0, 1)),
      source_title TEXT NOT NULL DEFAULT '', source_year INTEGER,
      source_url TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '');
    CREATE TABLE IF NOT EXISTS reference_areas (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      geography_id INTEGER NOT NULL REFERENCES reference_geographies(id) ON DELETE CASCADE,
      name TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
      definition TEXT NOT NULL CHECK (definition IN ('authorities', 'polygon', 'area')),
      authorities TEXT NOT NULL DEFAULT '[]',          -- JSON list of [gss_code, role]
      geom MULTIPOLYGON,                               -- an imported polygon (EPSG:27700)
      area_id INTEGER REFERENCES areas(fid) ON DELETE SET NULL,
      source_title TEXT NOT NULL DEFAULT '', source_year INTEGER,
      UNIQUE (geography_id, name));
    CREATE INDEX IF NOT EXISTS reference_areas_geography ON reference_areas(geography_id);
    """)
    registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    if "reference_geographies" not in registered:
        _register(conn, "reference_geographies", "Other agencies' geographies to measure coterminosity against")
    if "reference_areas" not in registered:
        _register(conn, "reference_areas", "Areas of reference geographies: authorities, a polygon or an area")


def _catalogue_namespace(conn: sqlite3.Connection) -> uuid.UUID:
    """The namespace this file's existing rows get their uuids in. A file with rows takes it
    from what it has carried since it was created: the earliest time in gpkg_contents (the
    millisecond its tables were registered; later writes only move other rows' times on), so
    two copies of one file upgraded apart give every row the same uuid and two files created
    apart do not. A file with no rows yet has nothing to agree on: a random one."""
    has_rows = any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in IDENTIFIED_TABLES)
    created = conn.execute("SELECT min(last_change) FROM gpkg_contents").fetchone()[0]
    if has_rows and created:
        return uuid.uuid5(CATALOGUE_NAMESPACE, f"created {created}")
    return uuid.uuid4()


def migration_row_identity(conn: sqlite3.Connection) -> None:
    """Stable identity and a history kept in the file, so two copies of a catalogue can tell
    their rows apart and know the last state they shared (see models/catalogue/history.py).

    Every identified row gets a uuid (existing rows: uuid5 of the file's namespace, table
    and id, so copies agree; new rows: uuid4, chosen by the edit that adds them) and when
    and by whom it was last changed (UTC ISO-8601 with 'Z'; unknown for rows made before).
    SQLite cannot add a NOT NULL column without a constant default, so the uuid column is
    nullable in the DDL; every edit fills it, opening for writing fills any row another
    program added, and `check` reports a missing or repeated one."""
    row = conn.execute("SELECT value FROM atlas_meta WHERE key='catalogue_uuid'").fetchone()
    namespace = uuid.UUID(row[0]) if row else _catalogue_namespace(conn)
    conn.execute("INSERT OR IGNORE INTO atlas_meta VALUES ('catalogue_uuid', ?)", (str(namespace),))
    for table in IDENTIFIED_TABLES:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for column in ("uuid", "changed_at", "changed_by"):
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        conn.executemany(f"UPDATE {table} SET uuid=? WHERE rowid=?", [
            (str(uuid.uuid5(namespace, f"{table}/{rowid}")), rowid)
            for rowid, in conn.execute(f"SELECT rowid FROM {table} WHERE uuid IS NULL").fetchall()])
        conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_uuid ON {table}(uuid)")
    _run(conn, """
    CREATE TABLE IF NOT EXISTS history (
      id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,
      at TEXT NOT NULL,                  -- UTC, ISO-8601 with 'Z'
      author TEXT, name TEXT NOT NULL,
      kind TEXT NOT NULL,                -- edit|undo|redo|import|merge|publish|pull
      detail TEXT);
    CREATE TABLE IF NOT EXISTS history_changes (
      history_id INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE,
      tbl TEXT NOT NULL, row_uuid TEXT NOT NULL,
      op TEXT NOT NULL,                  -- I|U|D
      old TEXT,                          -- JSON column -> value before; NULL for I
      new TEXT);                         -- JSON column -> value after; NULL for D
    CREATE INDEX IF NOT EXISTS history_changes_entry ON history_changes(history_id);
    CREATE INDEX IF NOT EXISTS history_changes_row ON history_changes(row_uuid);
    """)


def migration_unit_columns(conn: sqlite3.Connection) -> None:
    """A boundary layer's unit columns (ids, codes, names, parent codes, populations) packed
    in one row, so opening a map reads one value instead of scanning the units' table, whose
    rows hold the geometry too (~0.4 s at 161k units). Derived data, as boundary_levels:
    written by the import, not journaled, gone with its layer; a layer without it (imported
    before, or put back by undo) is read from its units."""
    conn.execute("""CREATE TABLE IF NOT EXISTS boundary_unit_columns (
      layer_id INTEGER PRIMARY KEY REFERENCES boundary_layers(id) ON DELETE CASCADE,
      data BLOB NOT NULL)                   -- numpy .npz, see models.catalogue.layers.pack_columns""")


MIGRATIONS = (migration_1, migration_2, migration_evidence_dates, migration_area_kinds,
              migration_layer_vintages, migration_layer_levels, migration_source_references,
              migration_reference_geographies, migration_row_identity, migration_unit_columns)
SCHEMA_VERSION = len(MIGRATIONS)
