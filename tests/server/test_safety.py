"""A server that refuses, a publish killed half-way, hostile names, and what GDAL (so QGIS)
sees of a published catalogue."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from psycopg import sql

from models.catalogue.records import Membership, Organisation, Partnership
from models.server.connection import ServerError
from models.server.publish import publish
from models.server.pull import download
from tests.helpers.catalogues import snapshot
from tests.helpers.data import ROOT
from tests.server.content import content

HOSTILE = ["Robert'); DROP TABLE partnerships; --", 'a "quoted" name; DELETE FROM organisations',
           "$$; SELECT pg_sleep(10); $$", "back\\slash\ttab\nnewline", "émigré ☃ 中文"]


def server_state(cluster, db, schema="team"):
    with cluster.admin(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=%s ORDER BY 1", (schema,))]
        return {t: conn.execute(sql.SQL("SELECT * FROM {}.{} ORDER BY 1").format(
            sql.Identifier(schema), sql.Identifier(t))).fetchall() for t in tables}


def test_wrong_password_is_one_line_without_the_password_and_nothing_changes(grid, server, tmp_path):
    cluster, db, owner, password = server
    cat, _, _ = grid
    before = snapshot(cat)
    wrong = "s3cret-'wrong;pass"
    with pytest.raises(ServerError) as info:
        publish(cat.store, cluster.url(owner, wrong, db), schema="team")
    message = str(info.value)
    assert message == f"{owner}@127.0.0.1:{cluster.port}/{db} refused the password"
    assert wrong not in message and "\n" not in message
    with pytest.raises(ServerError, match="refused the password") as info:
        publish(cat.store, cluster.url(owner, None, db), schema="team", password=wrong)
    assert wrong not in str(info.value)
    assert snapshot(cat) == before and server_state(cluster, db) == {}


def test_a_server_without_postgis_is_named_and_left_as_it_was(grid, postgis_cluster):
    cluster = postgis_cluster
    password = cluster.create_role("plain_owner")
    db = cluster.create_database("plain", postgis=False, owner="plain_owner")
    cat, _, _ = grid
    with pytest.raises(ServerError, match=r"^plain_owner@127\.0\.0\.1:\d+/plain has no PostGIS: ask its "
                                          r"administrator to run CREATE EXTENSION postgis in that database$"):
        publish(cat.store, cluster.url("plain_owner", password, db), schema="team")
    assert server_state(cluster, db) == {}


def test_no_permission_is_named(grid, server, postgis_cluster):
    cluster, db, owner, password = server
    outsider = f"outsider_{db}"
    secret = cluster.create_role(outsider)
    cat, _, _ = grid
    with pytest.raises(ServerError, match=rf"^no permission on {outsider}@127\.0\.0\.1:\d+/{db}: "
                                          rf"permission denied for database {db}$"):
        publish(cat.store, cluster.url(outsider, secret, db), schema="team")
    with pytest.raises(ServerError, match=r"^cannot reach u@127\.0\.0\.1:1/x: is the server running"):
        publish(cat.store, "postgresql://u:pw@127.0.0.1:1/x", schema="team")


def test_hostile_names_and_schema_are_data(cat, server, tmp_path):
    cluster, db, owner, password = server
    orgs = [cat.organisations.add(Organisation(name, notes=name)).id for name in HOSTILE]
    for name in HOSTILE:
        cat.partnerships.add(Partnership(name, description=name), [Membership(0, o) for o in orgs])
    schema = 'team"; DROP SCHEMA public CASCADE; --'
    url = cluster.url(owner, password, db)
    publish(cat.store, url, schema=schema, editors=[owner])
    state = server_state(cluster, db, schema)
    assert sorted(r[1] for r in state["partnerships"]) == sorted(HOSTILE)
    with cluster.admin(db) as conn:   # nothing else happened
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname='public'").fetchone()[0] == 1
    pulled = download(url, tmp_path / "pulled.gpkg", schema=schema)
    from models.catalogue import Catalogue
    with Catalogue.open(pulled) as back:
        assert content(back) == content(cat)


_CHILD = """
import os, sys, time
from models.catalogue import Catalogue
from models.server.publish import publish
signal_file = sys.argv[3]
def tick(what, done, total):
    if what == "sending boundary_units":   # mid-COPY: the schema is made, the staging half sent
        open(signal_file, "w").close()
        time.sleep(120)
with Catalogue.open(sys.argv[1], read_only=True) as cat:
    publish(cat.store, sys.argv[2], schema="team", progress=tick)
"""


def test_a_publish_killed_half_way_leaves_the_server_as_it_was(grid, server, tmp_path):
    cluster, db, owner, password = server
    cat, w, ids = grid
    url = cluster.url(owner, password, db)
    publish(cat.store, url, schema="team")
    before = server_state(cluster, db)
    cat.organisations.update(Organisation("O1 renamed", id=ids["O1"]))
    cat.organisations.add(Organisation("O4"))
    path = cat.store.path
    cat.close()
    flag = tmp_path / "sending"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), url, str(flag)], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not flag.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert flag.exists(), "the child never reached the COPY"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    time.sleep(0.2)   # the server notices the closed connection and rolls back
    assert server_state(cluster, db) == before


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin (ogrinfo) is not installed")
def test_ogrinfo_lists_the_layers_with_geometry_and_crs(grid, server):
    cluster, db, owner, password = server
    cat, _, _ = grid
    publish(cat.store, cluster.url(owner, password, db), schema="team")
    source = f"PG:host=127.0.0.1 port={cluster.port} dbname={db} user={owner} schemas=team"
    env = {**os.environ, "PGPASSWORD": password}
    # LIST_ALL_TABLES: the attribute tables too, as QGIS's browser shows them
    listing = subprocess.run(["ogrinfo", "-ro", "-oo", "LIST_ALL_TABLES=YES", source], capture_output=True, text=True, env=env, check=True).stdout
    assert "boundary_units (Multi Polygon)" in listing and "areas (Multi Polygon)" in listing
    assert "partnerships (None)" in listing
    detail = subprocess.run(["ogrinfo", "-ro", "-so", source, "boundary_units"], capture_output=True, text=True,
                            env=env, check=True).stdout
    assert "Feature Count: 12" in detail and 'ID["EPSG",27700]' in detail
