"""Salvage: what can be read from a damaged catalogue goes into a new, valid one."""
from __future__ import annotations

import sqlite3

import pytest

from models.catalogue import Catalogue
from models.errors import CatalogueError, DamagedCatalogue
from models.storage.check import problems
from models.storage.salvage import salvage
from tests.helpers.catalogues import file_digest
from tests.helpers.damage import N_ORGS, N_PARTNERSHIPS, damage_page_holding, many_rows, sidecars, truncate


@pytest.fixture
def full_file(tmp_path):
    path = tmp_path / "full.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
    return path


def _rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_salvage_after_a_damaged_page_keeps_the_rest_and_follows_the_keys(full_file, tmp_path):
    memberships = _rows(full_file, "SELECT partnership_id, organisation_id FROM memberships")
    damage_page_holding(full_file, b"Org 0300")
    digest = file_digest(full_file)
    with pytest.raises(DamagedCatalogue):
        Catalogue.open(full_file)

    target = tmp_path / "rescued.gpkg"
    report = salvage(full_file, target)

    assert file_digest(full_file) == digest and not sidecars(full_file)
    with Catalogue.open(target) as cat:
        assert problems(cat) == []
        orgs = {o.id for o in cat.organisations.all()}
        leads = {p.id: p.lead_id for p in cat.partnerships.all()}
        kept_members = {(m.partnership_id, m.organisation_id) for m in cat.partnerships.memberships()}
    lost = set(range(1, N_ORGS + 1)) - orgs
    assert 300 in lost and 0 < len(lost) < 100, "one page of organisations is lost, not more"
    o = report.tables["organisations"]
    assert (o.recovered, o.unreadable) == (len(orgs), len(lost))

    # Partnerships all survive; a lead that was lost is cleared (ON DELETE SET NULL).
    p = report.tables["partnerships"]
    assert p.recovered == N_PARTNERSHIPS == len(leads)
    cleared = {i for i in leads if 2 * i - 1 in lost}
    assert p.cleared == {"lead_id": len(cleared)} and cleared
    assert all(leads[i] is None for i in cleared) and all(leads[i] == 2 * i - 1 for i in leads if i not in cleared)

    # Memberships of a lost organisation are dropped (ON DELETE CASCADE); the rest are kept.
    m = report.tables["memberships"]
    expected = {pair for pair in memberships if pair[1] not in lost}
    assert kept_members == expected
    assert (m.recovered, m.dropped) == (len(expected), len(memberships) - len(expected))
    assert report.tables["citations"].recovered == N_PARTNERSHIPS
    assert not report.complete
    text = str(report)
    assert f"organisations: {len(orgs)} recovered ({len(lost)} unreadable)" in text
    assert "lead_id cleared on" in text and "dropped because a row they belong to was lost" in text


def test_salvage_of_a_truncated_file(full_file, tmp_path):
    truncate(full_file, 0.6)
    digest = file_digest(full_file)
    report = salvage(full_file, tmp_path / "rescued.gpkg")
    assert file_digest(full_file) == digest
    with Catalogue.open(tmp_path / "rescued.gpkg") as cat:
        assert problems(cat) == []
        recovered = sum(len(rows) for rows in (cat.organisations.all(), cat.partnerships.all()))
    assert 0 < recovered == report.tables["organisations"].recovered + report.tables["partnerships"].recovered


def test_salvage_of_a_sound_file_is_complete(full_file, tmp_path):
    report = salvage(full_file, tmp_path / "copy.gpkg")
    assert report.complete
    assert report.tables["organisations"].recovered == N_ORGS
    assert str(report).startswith("Everything in full.gpkg was read into copy.gpkg.")


def test_salvage_with_geometry(grid_cat, tmp_path):
    from models.catalogue.records import Partnership
    layer = grid_cat.layers.all()[0]
    grid_cat.partnerships.add(Partnership("P"))
    grid_cat.close()
    report = salvage(grid_cat.path, tmp_path / "copy.gpkg")
    assert report.tables["boundary_units"].recovered == 12
    with Catalogue.open(tmp_path / "copy.gpkg") as cat:
        assert problems(cat) == []
        assert len(cat.layers.table(layer.id)) == 12
        extent = cat.store.conn.execute(
            "SELECT min_x, max_x FROM gpkg_contents WHERE table_name='boundary_units'").fetchone()
    assert extent == (530000.0, 534000.0)


def test_salvage_refuses_what_is_not_a_catalogue_and_leaves_no_file(tmp_path):
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CatalogueError, match="no catalogue tables"):
        salvage(other, tmp_path / "new.gpkg")
    assert not (tmp_path / "new.gpkg").exists()
    with pytest.raises(CatalogueError, match="not the damaged one"):
        salvage(other, other)
