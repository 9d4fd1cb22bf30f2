"""Opening files safely: ours open; anything else gets one clear line and stays untouched."""
import sqlite3
from pathlib import Path

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Area, Organisation, Partnership
from models.errors import CatalogueError, ForeignSchema
from tests.helpers.catalogues import file_digest, snapshot


def test_create_then_reopen_keeps_everything(tmp_path):
    path = tmp_path / "c.gpkg"
    with Catalogue.create(path) as cat:
        cat.organisations.add(Organisation("Brent", "local authority", "E09000005"))
    with Catalogue.open(path) as cat:
        assert [o.name for o in cat.organisations.all()] == ["Brent"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("precious")
    with pytest.raises(CatalogueError, match="already exists"):
        Catalogue.create(path)
    assert path.read_text() == "precious"


def _other_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()


def _newer(path):
    Catalogue.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE atlas_meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a database at all" * 100), "not an SQLite file"),
    (lambda p: p.write_bytes(b""), "not an SQLite file"),
    (_other_sqlite, "not a Partnership Atlas catalogue"),
    (_newer, "newer Partnership Atlas"),
])
def test_foreign_files_are_refused_untouched(tmp_path, make, message):
    path = tmp_path / "other.gpkg"
    make(path)
    digest = file_digest(path)
    with pytest.raises(CatalogueError, match=message) as info:
        Catalogue.open(path)
    assert "\n" not in str(info.value)
    assert file_digest(path) == digest


def test_truncated_catalogue_is_refused(tmp_path):
    path = tmp_path / "c.gpkg"
    Catalogue.create(path).close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    digest = file_digest(path)
    with pytest.raises(CatalogueError):
        with Catalogue.open(path) as cat:
            cat.organisations.add(Organisation("X", "other"))
    assert file_digest(path) == digest


def test_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        Catalogue.open(tmp_path / "nope.gpkg")


def test_read_only_open_refuses_edits(tmp_path):
    path = tmp_path / "c.gpkg"
    Catalogue.create(path).close()
    with Catalogue.open(path, read_only=True) as cat:
        with pytest.raises(CatalogueError, match="read-only"):
            cat.organisations.add(Organisation("X", "other"))


def test_writes_work_after_a_gis_added_a_spatial_index(grid_cat):
    """The GeoPackage spec's rtree triggers call ST_* functions; edits must still work."""
    path = grid_cat.path
    grid_cat.close()
    conn = sqlite3.connect(path)
    conn.executescript("""
    CREATE VIRTUAL TABLE rtree_areas_geom USING rtree(id, minx, maxx, miny, maxy);
    CREATE TRIGGER rtree_areas_geom_insert AFTER INSERT ON areas
      WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN
      INSERT OR REPLACE INTO rtree_areas_geom VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom),
        ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
    CREATE TRIGGER rtree_areas_geom_update1 AFTER UPDATE OF geom ON areas
      WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN
      INSERT OR REPLACE INTO rtree_areas_geom VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom),
        ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
    """)
    conn.close()
    with Catalogue.open(path) as cat:
        units = cat.layers.table(cat.layers.all()[0].id).ids
        area = cat.areas.add(Area("After QGIS", unit_ids=frozenset(int(u) for u in units[:2]))).id
        box = cat.store.conn.execute("SELECT minx, maxx, miny, maxy FROM rtree_areas_geom WHERE id=?",
                                     (area,)).fetchone()
    assert box == pytest.approx((530000, 532000, 180000, 181000), abs=1)


def test_unknown_trigger_refuses_writing(cat):
    path = cat.path
    cat.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER sneaky AFTER INSERT ON organisations BEGIN "
                 "SELECT ST_IsEmpty(NEW.name); END")
    conn.commit()
    conn.close()
    digest = file_digest(path)
    with pytest.raises(ForeignSchema, match="has a trigger that Partnership Atlas did not create") as info:
        Catalogue.open(path)
    assert [(kind, name) for kind, name, _ in info.value.objects] == [("trigger", "sneaky")]
    assert "ST_IsEmpty(NEW.name)" in info.value.objects[0][2]
    assert file_digest(path) == digest


def test_save_a_copy(grid_cat, tmp_path):
    grid_cat.organisations.add(Organisation("Brent", "local authority"))
    grid_cat.save_copy(tmp_path / "copy.gpkg")
    with Catalogue.open(tmp_path / "copy.gpkg") as copy:
        assert snapshot(copy) == snapshot(grid_cat)
    with pytest.raises(CatalogueError):
        grid_cat.save_copy(grid_cat.path)


def test_reading_a_catalogue_leaves_no_files_behind(tmp_path):
    path = tmp_path / "look.gpkg"
    with Catalogue.create(path) as cat:
        cat.partnerships.add(Partnership("Kept"))
    digest = file_digest(path)
    with Catalogue.open(path, read_only=True) as cat:
        assert [p.name for p in cat.partnerships.all()] == ["Kept"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["look.gpkg"]
    assert file_digest(path) == digest


def test_a_reader_beside_the_editor_leaves_the_editors_files_alone(tmp_path):
    path = tmp_path / "shared.gpkg"
    with Catalogue.create(path) as editor:
        with Catalogue.open(path, read_only=True) as reader:
            assert reader.partnerships.all() == []
        editor.partnerships.add(Partnership("After the reader left"))
        assert Path(f"{path}-wal").exists()
    with Catalogue.open(path, read_only=True) as cat:
        assert [p.name for p in cat.partnerships.all()] == ["After the reader left"]


def test_a_failed_block_inside_an_edit_takes_back_only_its_own_rows(cat):
    with cat.store.edit():
        cat.partnerships.add(Partnership("Kept"))
        with pytest.raises(CatalogueError), cat.store.atomic():
            cat.partnerships.add(Partnership("Taken back"))
            raise CatalogueError("refused")
        cat.partnerships.add(Partnership("Also kept"))
    assert sorted(p.name for p in cat.partnerships.all()) == ["Also kept", "Kept"]
    assert not cat.store.conn.in_transaction


def test_a_failed_edit_leaves_nothing_and_the_next_one_commits(cat):
    before = snapshot(cat)
    with pytest.raises(CatalogueError), cat.store.edit():
        cat.partnerships.add(Partnership("Half done"))
        raise CatalogueError("refused")
    assert snapshot(cat) == before and not cat.store.conn.in_transaction
    cat.partnerships.add(Partnership("Next"))
    assert [p.name for p in cat.partnerships.all()] == ["Next"]


def test_a_row_replaced_by_insert_or_replace_is_journaled_and_undone(cat):
    # The delete that REPLACE makes fires delete triggers only with recursive_triggers on.
    pid = cat.partnerships.add(Partnership("Original")).id
    before = snapshot(cat)
    with cat.store.edit() as revert:
        conn = cat.store.conn
        cols = [r[1] for r in conn.execute("PRAGMA table_info(partnerships)")]
        row = dict(zip(cols, conn.execute("SELECT * FROM partnerships WHERE id=?", (pid,)).fetchone()))
        row["name"] = "Replaced"
        conn.execute(f"INSERT OR REPLACE INTO partnerships({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                     tuple(row.values()))
    assert cat.partnerships.get(pid).name == "Replaced"
    revert()
    assert snapshot(cat) == before
