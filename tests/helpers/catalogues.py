"""A whole-catalogue snapshot, a file's digest (to prove "unchanged") and a small catalogue."""
from __future__ import annotations

import hashlib
from pathlib import Path

from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.storage.schema import CONTENT_TABLES


def snapshot(cat) -> dict[str, list[tuple]]:
    """Every content row, to compare a catalogue before and after."""
    conn = cat.store.conn
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in CONTENT_TABLES}


def file_digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def small_catalogue(cat) -> dict[str, int]:
    """Three organisations, two partnerships with members, one source cited."""
    ids = {}
    for name, code in (("Barnet", "E09000003"), ("Brent", "E09000005"), ("Ealing", "E09000009")):
        ids[name] = cat.organisations.add(Organisation(name, kind="local authority", gss_code=code)).id
    ids["wla"] = cat.partnerships.add(
        Partnership("West London Alliance", kind="sub-regional partnership", start="2005",
                    policy_areas=("waste", "adult social care"), description="Boroughs of west London"),
        [Membership(0, ids["Barnet"]), Membership(0, ids["Brent"], role="lead")]).id
    ids["north"] = cat.partnerships.add(
        Partnership("North Waste Board", kind="thematic board", status="ended", start="2001", end="2004",
                    policy_areas=("waste",)),
        [Membership(0, ids["Barnet"])]).id
    ids["report"] = cat.sources.add(Source("A collaborative city?", publisher="Young Foundation", year=2008)).id
    cat.sources.cite(Citation(ids["report"], page="12", quote="shared procurement", partnership_id=ids["wla"]))
    return ids
