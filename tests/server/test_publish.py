"""Publishing a catalogue into a real PostGIS (the throwaway cluster): tables, keys,
geometry, and publishing again in place."""
from __future__ import annotations

import psycopg
import pytest
import shapely

from models.catalogue.records import Organisation
from models.server.publish import publish
from models.server.tables import NOT_PUBLISHED
from models.storage import gpkg
from models.storage.schema import CONTENT_TABLES


def owner_url(server):
    cluster, db, owner, password = server
    return cluster.url(owner, password, db)


def rows(server, query, params=()):
    cluster, db, _, _ = server
    with cluster.admin(db) as conn:
        return conn.execute(query, params).fetchall()


def test_publish_makes_the_catalogue_tables_with_keys_and_geometry(grid, server):
    cat, w, ids = grid
    counts = publish(cat.store, owner_url(server), schema="team")
    assert counts["partnerships"] == {"added": 2, "changed": 0, "deleted": 0}
    tables = {r[0] for r in rows(server, "SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = 'team'")}
    published = [t for t in CONTENT_TABLES if t not in NOT_PUBLISHED]
    assert set(published) | {"history"} <= tables
    for table in published:
        local = cat.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert rows(server, f"SELECT count(*) FROM team.{table}")[0][0] == local, table
    # Geometry: MultiPolygon in British National Grid, indexed, the same shapes as the catalogue's.
    geometry = set(rows(server, "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema='team'"))
    assert geometry == {("boundary_units", "MULTIPOLYGON", 27700), ("areas", "MULTIPOLYGON", 27700)}
    assert {r[0] for r in rows(server, "SELECT indexname FROM pg_indexes WHERE schemaname='team' "
                                       "AND indexdef LIKE '%%USING gist%%'")} == {
        "boundary_units_geom_gist", "areas_geom_gist"}
    blob = cat.store.conn.execute("SELECT geom FROM boundary_units WHERE code='W12'").fetchone()[0]
    (wkb,) = rows(server, "SELECT ST_AsBinary(geom) FROM team.boundary_units WHERE code='W12'")[0]
    assert shapely.equals_exact(shapely.from_wkb(bytes(wkb)), gpkg.from_blob(blob), 0)
    # Real foreign keys: the server refuses a membership of no partnership.
    cluster, db, owner, password = server
    with psycopg.connect(owner_url(server)) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("INSERT INTO team.memberships(partnership_id, organisation_id, role) "
                     "SELECT 999, id, 'x' FROM team.organisations WHERE name = 'O1'")
        conn.commit()
    # Rows are matched by uuid; references are the server's own ids, pointing at the same rows.
    local = cat.store.conn.execute("SELECT m.uuid, p.uuid, o.uuid FROM memberships m JOIN partnerships p "
                                   "ON p.id = m.partnership_id JOIN organisations o ON o.id = m.organisation_id").fetchall()
    assert sorted(local) == sorted(rows(server, "SELECT m.uuid, p.uuid, o.uuid FROM team.memberships m JOIN "
                                                "team.partnerships p ON p.id = m.partnership_id JOIN team.organisations o "
                                                "ON o.id = m.organisation_id"))
    # The server's history says who published how many rows; the catalogue's own history,
    # row by row, is published beside it.
    assert rows(server, "SELECT db_user, by_publish, op, new FROM team.server_history WHERE tbl='partnerships'") \
        == [(owner, True, "I", {"rows": 2})]
    assert [r[0] for r in rows(server, "SELECT uuid FROM team.history ORDER BY id")] == \
        [r[0] for r in cat.store.conn.execute("SELECT uuid FROM history ORDER BY id")]


def test_publishing_again_changes_only_what_changed(grid, server):
    cat, w, ids = grid
    publish(cat.store, owner_url(server), schema="team")
    versions = dict(rows(server, "SELECT fid, row_version FROM team.boundary_units"))
    cat.organisations.update(Organisation("O1 renamed", id=ids["O1"]))
    added = cat.organisations.add(Organisation("O4")).id
    counts = publish(cat.store, owner_url(server), schema="team")
    assert counts["organisations"] == {"added": 1, "changed": 1, "deleted": 0}
    assert all(c == {"added": 0, "changed": 0, "deleted": 0} for t, c in counts.items() if t != "organisations")
    assert dict(rows(server, "SELECT fid, row_version FROM team.boundary_units")) == versions
    uuid = cat.store.conn.execute("SELECT uuid FROM organisations WHERE id=?", (ids["O1"],)).fetchone()[0]
    assert rows(server, "SELECT name FROM team.organisations WHERE uuid=%s", (uuid,)) == [("O1 renamed",)]
    cat.organisations.delete(added)
    assert publish(cat.store, owner_url(server), schema="team")["organisations"]["deleted"] == 1
    assert publish(cat.store, owner_url(server), schema="team")["organisations"] == \
        {"added": 0, "changed": 0, "deleted": 0}
