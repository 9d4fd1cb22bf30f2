"""Files from others: every hostile file is refused untouched; foreign triggers and views
are shown, harmless read-only, and left behind in a copy that can be edited."""
import sqlite3

import pytest

from bench.reliability import hostile
from models.catalogue import Catalogue
from models.catalogue.records import Area, Partnership
from models.errors import CatalogueError, ForeignSchema
from models.storage.foreign import copy_without_foreign, foreign_objects
from tests.helpers.catalogues import file_digest, snapshot


@pytest.mark.parametrize("name", list(hostile.BUILDERS))
def test_hostile_file_is_refused_untouched(tmp_path, name):
    outcome = hostile.attempt(name, tmp_path / "case")
    assert isinstance(outcome.error, hostile.BUILDERS[name][1]), outcome.error
    assert outcome.one_line and outcome.unchanged and outcome.no_new_files
    assert outcome.refused


def test_run_reports_every_file_refused(tmp_path):
    result = hostile.run(tmp_path)
    assert result["tried"] == len(hostile.BUILDERS) >= 12
    assert result["refused"] == result["tried"], result["files"]
    assert list(tmp_path.iterdir()) == []   # its work folder is cleaned up


def _build(tmp_path, builder):
    path = tmp_path / "theirs.gpkg"
    builder(path)
    return path


def test_foreign_trigger_opens_read_only_and_never_fires(tmp_path):
    path = _build(tmp_path, hostile.trigger_deleting_on_insert)
    digest = file_digest(path)
    with pytest.raises(ForeignSchema) as info:
        Catalogue.open(path)
    kind, name, sql = info.value.objects[0]
    assert (kind, name) == ("trigger", "tidy") and "DELETE FROM partnerships" in sql
    with Catalogue.open(path, read_only=True) as cat:
        assert cat.store.foreign_objects == info.value.objects
        before = snapshot(cat)
        assert [p.name for p in cat.partnerships.all()] == ["West London Alliance"]
        with pytest.raises(CatalogueError, match="read-only"):
            cat.partnerships.add(Partnership("Another"))
        # Not even SQL behind the models' back can make the trigger run.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            cat.store.conn.execute("INSERT INTO partnerships(name, kind, status) VALUES ('x', 'other', 'active')")
        assert snapshot(cat) == before
    assert file_digest(path) == digest


def test_view_cannot_call_our_functions_read_only(tmp_path):
    path = _build(tmp_path, hostile.view_calling_functions)
    with Catalogue.open(path, read_only=True) as cat:
        with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
            cat.store.conn.execute("SELECT * FROM area_boxes").fetchall()


@pytest.mark.parametrize("builder", [hostile.trigger_deleting_on_insert, hostile.view_calling_functions,
                                     hostile.rtree_named_trigger, hostile.wal_carrying_a_trigger])
def test_copy_without_them_opens_for_writing(tmp_path, builder):
    path = _build(tmp_path, builder)
    beside = sorted(p.name for p in tmp_path.iterdir())
    digest = file_digest(path)
    (tmp_path / "copies").mkdir()
    copy = copy_without_foreign(path, tmp_path / "copies" / "mine.gpkg")
    assert file_digest(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(beside + ["copies"])
    assert sorted(p.name for p in copy.parent.iterdir()) == ["mine.gpkg"]   # one file, no WAL
    with Catalogue.open(copy) as cat:
        assert cat.store.foreign_objects == []
        cat.partnerships.add(Partnership("Added in the copy"))
        assert sorted(p.name for p in cat.partnerships.all()) == ["Added in the copy", "West London Alliance"]
        assert cat.store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_copy_drops_a_borrowed_rtree_name_with_its_whole_index(tmp_path, grid_cat):
    """A fake rtree trigger goes, and so does the index it claimed: a stale index would mislead a GIS."""
    path = grid_cat.path
    grid_cat.close()
    conn = sqlite3.connect(path)
    conn.executescript("""
    CREATE VIRTUAL TABLE rtree_areas_geom USING rtree(id, minx, maxx, miny, maxy);
    CREATE TRIGGER rtree_areas_geom_delete AFTER DELETE ON areas BEGIN
      DELETE FROM rtree_areas_geom WHERE id = OLD.fid; END;
    CREATE TRIGGER rtree_areas_geom_insert AFTER INSERT ON areas BEGIN
      INSERT INTO rtree_areas_geom VALUES (NEW.fid, 0, 0, 0, 0); DELETE FROM sources; END;
    """)
    conn.close()
    copy = copy_without_foreign(path, path.with_name("copy.gpkg"))
    with Catalogue.open(copy) as cat:
        names = {r[0] for r in cat.store.conn.execute("SELECT name FROM sqlite_master")}
        assert not {n for n in names if n.startswith("rtree_areas_geom")}
        units = cat.layers.table(cat.layers.all()[0].id).ids
        cat.areas.add(Area("After the copy", unit_ids=frozenset(int(u) for u in units[:2])))
        assert [a.name for a in cat.areas.all()] == ["After the copy"]


def test_copy_refuses_to_overwrite(tmp_path):
    path = _build(tmp_path, hostile.trigger_deleting_on_insert)
    other = tmp_path / "other.gpkg"
    other.write_text("mine")
    with pytest.raises(CatalogueError, match="already exists"):
        copy_without_foreign(path, other)
    assert other.read_text() == "mine"
    with pytest.raises(CatalogueError, match="different file"):
        copy_without_foreign(path, path)


SPEC_INSERT = """CREATE TRIGGER rtree_areas_geom_insert AFTER INSERT ON areas
  WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN
  INSERT OR REPLACE INTO rtree_areas_geom VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom),
    ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END"""


@pytest.mark.parametrize("sql, known", [
    (SPEC_INSERT, True),
    (SPEC_INSERT.replace("VALUES", "-- DELETE FROM sources\n VALUES"), True),   # a comment is not a statement
    (SPEC_INSERT.replace("END", "DELETE FROM sources; END"), False),
    (SPEC_INSERT.replace("END", "DELETE/**/FROM[sources]; END"), False),
    (SPEC_INSERT.replace("END", "UPDATE OR IGNORE sources SET title = ''; END"), False),
    (SPEC_INSERT.replace("INTO rtree_areas_geom", "INTO rtree_areas_geom_node"), False),
    (SPEC_INSERT.replace("ST_MinX(NEW.geom)", "load_extension('evil')"), False),
    (SPEC_INSERT.replace("NOT ST_IsEmpty", "NOT zeroblob(9) IS NULL AND NOT ST_IsEmpty"), False),
    (SPEC_INSERT.replace("ON areas", "ON partnerships"), False),            # not the table it names
])
def test_rtree_triggers_are_recognised_by_what_they_do(cat, sql, known):
    conn = cat.store.conn
    conn.execute("CREATE VIRTUAL TABLE rtree_areas_geom USING rtree(id, minx, maxx, miny, maxy)")
    conn.execute(sql)
    found = [(kind, name) for kind, name, _ in foreign_objects(conn)]
    assert found == ([] if known else [("trigger", "rtree_areas_geom_insert")])


def test_rtree_trigger_without_its_index_is_foreign(cat):
    cat.store.conn.execute(SPEC_INSERT)
    assert [name for _, name, _ in foreign_objects(cat.store.conn)] == ["rtree_areas_geom_insert"]


def test_spec_checks_on_gpkg_tables_are_known(cat):
    conn = cat.store.conn
    conn.execute("CREATE TABLE gpkg_tile_matrix (table_name TEXT, zoom_level INTEGER)")
    conn.execute("CREATE TRIGGER gpkg_tile_matrix_zoom_level_insert BEFORE INSERT ON gpkg_tile_matrix "
                 "FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'insert on table ''gpkg_tile_matrix'' "
                 "violates constraint: zoom_level cannot be less than 0') "
                 "WHERE (NEW.zoom_level < 0); END")
    assert foreign_objects(conn) == []
