"""The team server: publishing to and pulling from a local PostGIS.

publish_ew  the England & Wales wards (8,071, with populations and map levels) and 500 areas of
            5-300 wards (bench_map's catalogue) published into a fresh schema of a throwaway
            local PostgreSQL/PostGIS cluster: COPY into staging, upsert, history, one transaction
            (median of 3, each into a new schema). Anchor: `ogr2ogr` of the same GeoPackage into
            PostGIS (every layer, COPY, GiST index), in the same run.
pull_ew     pulling that schema back into the catalogue it came from, nothing changed (median of
            3): the server's history compared with the file's, which says there is nothing new.
            The note gives the full path a pull with news takes: the download into a temporary
            catalogue and the merge plan.
Skipped, saying why, where PostgreSQL/PostGIS or ogr2ogr are absent.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.bench_map import _catalogue
from bench.harness import median_ms, result
from tests.helpers.postgis import Cluster, missing


def run(data: Path, workdir: Path) -> list[dict]:
    reason = missing() or (None if shutil.which("ogr2ogr") else "gdal-bin (ogr2ogr) is not installed")
    if reason:
        print(f"skipped: {reason}")
        return []
    from models.catalogue import Catalogue, merge
    from models.server.publish import publish
    from models.server.pull import download, pull_plan

    path = _catalogue(data, workdir)
    cluster = Cluster()
    try:
        cluster.start()
        password = cluster.create_role("bench_owner")
        db = cluster.create_database("bench", owner="bench_owner")
        url = cluster.url("bench_owner", password, db)
        schemas = iter(f"publish_{k}" for k in range(100))
        with Catalogue.open(path, read_only=True) as cat:
            publish_ms = median_ms(lambda: publish(cat.store, url, schema=next(schemas)), repeat=3, warmup=0)
        anchor = iter(f"ogr_{k}" for k in range(100))

        def ogr2ogr():
            schema = next(anchor)
            with cluster.admin(db) as conn:
                conn.execute(f"CREATE SCHEMA {schema} AUTHORIZATION bench_owner")
            subprocess.run(["ogr2ogr", "-f", "PostgreSQL",
                            f"PG:host=127.0.0.1 port={cluster.port} dbname={db} user=bench_owner",
                            str(path), "-lco", f"SCHEMA={schema}", "-lco", "SPATIAL_INDEX=GIST"],
                           check=True, capture_output=True, env={**os.environ, "PGPASSWORD": password})
        ogr_ms = median_ms(ogr2ogr, repeat=3, warmup=0)
        with Catalogue.open(path) as cat:
            pull_ms = median_ms(lambda: pull_plan(cat, url, schema="publish_0"), repeat=3, warmup=1)
            assert pull_plan(cat, url, schema="publish_0") is None
            with tempfile.TemporaryDirectory() as folder:
                t0 = time.perf_counter()
                merge.plan(cat, download(url, Path(folder) / "server.gpkg", schema="publish_0"))
                full_ms = (time.perf_counter() - t0) * 1000
    finally:
        cluster.stop()
    return [result("publish_ew", publish_ms, "≤ 5000 ms", {"ogr2ogr": ogr_ms},
                   note="8,071 wards + 500 areas into a fresh PostGIS schema, one transaction"),
            result("pull_ew", pull_ms, "≤ 2000 ms",
                   note=f"no changes; the full path (download + merge plan, once): {full_ms:.0f} ms")]
