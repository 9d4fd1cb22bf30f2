"""Hostile files: what a colleague's "catalogue" might really be, and whether opening it
for writing refuses it and leaves it exactly as it was.

Refused means: opening for writing raised a CatalogueError whose message is one
line, the file's bytes (and any -wal beside it) are unchanged, and no new file
appeared beside it. The -shm file is not compared: it is SQLite's shared-memory
index of the WAL, rebuilt by any reader, and holds no data.

    python -m bench.reliability.hostile      # prints the figures as JSON
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.catalogue import Catalogue
from models.catalogue.records import Organisation, Partnership
from models.errors import CatalogueError, DamagedCatalogue, ForeignSchema


def _catalogue(path: Path) -> None:
    """A small real catalogue to spoil."""
    with Catalogue.create(path) as cat:
        cat.organisations.add(Organisation("Brent", "local authority", "E09000005"))
        cat.partnerships.add(Partnership("West London Alliance", "shared service"))


def _sql(path: Path, script: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def trigger_deleting_on_insert(path: Path) -> None:
    _catalogue(path)
    _sql(path, "CREATE TRIGGER tidy AFTER INSERT ON partnerships BEGIN DELETE FROM partnerships; END;")


def view_calling_functions(path: Path) -> None:
    _catalogue(path)
    _sql(path, "CREATE VIEW area_boxes AS SELECT name, ST_MinX(geom) AS x, "
               "hex(randomblob(16)) AS token FROM areas;")


def rtree_named_trigger(path: Path) -> None:
    """A real spatial index, and beside it a trigger that only borrows the index's name."""
    _catalogue(path)
    _sql(path, """
    CREATE VIRTUAL TABLE rtree_areas_geom USING rtree(id, minx, maxx, miny, maxy);
    CREATE TRIGGER rtree_areas_geom_insert AFTER INSERT ON areas
      WHEN (NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN
      INSERT OR REPLACE INTO rtree_areas_geom VALUES (NEW.fid, ST_MinX(NEW.geom),
        ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
      DELETE/**/FROM"organisations"; END;""")


def gpkg_named_trigger(path: Path) -> None:
    _catalogue(path)
    _sql(path, "CREATE TRIGGER gpkg_contents_stamp AFTER UPDATE ON gpkg_contents BEGIN "
               "UPDATE partnerships SET notes = 'changed'; END;")


def wal_carrying_a_trigger(path: Path) -> None:
    """A clean file whose WAL, left beside it as a crash leaves it, adds a foreign trigger."""
    _catalogue(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TRIGGER later AFTER UPDATE ON organisations BEGIN "
                 "DELETE FROM memberships; END")
    # Copy the three files while the connection holds them, as a crash would leave them.
    staging = path.parent / "staging"
    staging.mkdir()
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        shutil.copyfile(path.parent / name, staging / name)
    conn.close()   # folds the WAL in and deletes it; the copies are put back below
    for copy in staging.iterdir():
        shutil.copyfile(copy, path.parent / copy.name)
    shutil.rmtree(staging)


def not_sqlite(path: Path) -> None:
    path.write_text("Name,Kind\nWest London Alliance,joint committee\n", encoding="utf-8")


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def other_apps_sqlite(path: Path) -> None:
    _sql(path, "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);"
               "INSERT INTO moz_places(url) VALUES ('https://example.org');")


def other_geopackage(path: Path) -> None:
    """A GeoPackage from a GIS: the right application_id, but not a catalogue."""
    _sql(path, f"""PRAGMA application_id={0x47504B47}; PRAGMA user_version=10400;
    CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL);
    CREATE TABLE roads (fid INTEGER PRIMARY KEY, geom BLOB);""")


def another_applications_meta(path: Path) -> None:
    _catalogue(path)
    _sql(path, "UPDATE atlas_meta SET value='Some Other Atlas' WHERE key='application';")


def newer_catalogue(path: Path) -> None:
    _catalogue(path)
    _sql(path, "UPDATE atlas_meta SET value='99' WHERE key='schema_version';")


def truncated_catalogue(path: Path) -> None:
    """Cut on a page boundary, so only the header's page count gives it away."""
    _catalogue(path)
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[: (len(data) // page // 2) * page])


def folder_named_gpkg(path: Path) -> None:
    path.mkdir()
    (path / "readme.txt").write_text("not a catalogue", encoding="utf-8")


# name -> (builder, the CatalogueError subclass opening it should raise)
BUILDERS: dict[str, tuple[Callable[[Path], None], type[CatalogueError]]] = {
    "trigger deleting on insert": (trigger_deleting_on_insert, ForeignSchema),
    "view calling functions": (view_calling_functions, ForeignSchema),
    "trigger hiding behind an rtree name": (rtree_named_trigger, ForeignSchema),
    "trigger hiding behind a gpkg name": (gpkg_named_trigger, ForeignSchema),
    "WAL left beside it carrying a trigger": (wal_carrying_a_trigger, ForeignSchema),
    "not an SQLite file": (not_sqlite, CatalogueError),
    "zero-byte file": (zero_bytes, CatalogueError),
    "another application's SQLite": (other_apps_sqlite, CatalogueError),
    "another program's GeoPackage": (other_geopackage, CatalogueError),
    "another application's catalogue table": (another_applications_meta, CatalogueError),
    "catalogue from a newer version": (newer_catalogue, CatalogueError),
    "truncated catalogue": (truncated_catalogue, DamagedCatalogue),
    "folder named .gpkg": (folder_named_gpkg, CatalogueError),
}


def _state(folder: Path, path: Path) -> dict[str, str | None]:
    """What must not change: the file (or folder listing), its WAL, and which names exist."""
    def digest(p: Path) -> str | None:
        if p.is_dir():
            return "folder:" + ",".join(sorted(c.name for c in p.iterdir()))
        return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None

    wal = Path(f"{path}-wal")
    return {"names": ",".join(sorted(p.name for p in folder.iterdir())),
            "file": digest(path), "wal": digest(wal)}


@dataclass
class Outcome:
    name: str
    error: CatalogueError | None
    one_line: bool
    unchanged: bool
    no_new_files: bool

    @property
    def refused(self) -> bool:
        return self.error is not None and self.one_line and self.unchanged and self.no_new_files


def attempt(name: str, folder: Path) -> Outcome:
    """Build the named hostile file in `folder` (its own, empty) and try to open it for writing."""
    build, _ = BUILDERS[name]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalogue.gpkg"
    build(path)
    before = _state(folder, path)
    error = None
    try:
        Catalogue.open(path).close()
    except CatalogueError as e:
        error = e
    after = _state(folder, path)
    return Outcome(name, error, error is not None and "\n" not in str(error),
                   (before["file"], before["wal"]) == (after["file"], after["wal"]),
                   before["names"] == after["names"])


def run(workdir: Path | None = None) -> dict:
    """{"tried", "refused", "files": {name: {"refused", "message"}}} over every builder."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        outcomes = [attempt(name, Path(tmp) / f"case{i:02d}") for i, name in enumerate(BUILDERS)]
    return {"tried": len(outcomes), "refused": sum(o.refused for o in outcomes),
            "files": {o.name: {"refused": o.refused, "message": str(o.error) if o.error else None,
                               **({} if o.refused else {"one_line": o.one_line, "unchanged": o.unchanged,
                                                        "no_new_files": o.no_new_files})}
                      for o in outcomes}}


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2, ensure_ascii=False)
    print()
