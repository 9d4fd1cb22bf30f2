"""A catalogue made before "first seen / last seen" existed opens, migrates and keeps its rows."""
from models.analysis.evidence import ACTIVE, Evidence
from models.catalogue import Catalogue
from models.catalogue.records import Partnership
from models.storage import schema


def test_a_catalogue_from_before_first_and_last_seen_migrates(tmp_path, monkeypatch):
    path = tmp_path / "old.gpkg"
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_evidence_dates)]
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", before)
        m.setattr(schema, "SCHEMA_VERSION", len(before))
        old = Catalogue.create(path)
        conn = old.store.conn
        columns = {r[1] for r in conn.execute("PRAGMA table_info(partnerships)")}
        assert "first_seen" not in columns
        with conn:   # rows as the older app wrote them
            conn.execute("INSERT INTO organisations(name, kind) VALUES ('Barnet', 'other')")
            conn.execute("INSERT INTO partnerships(name, kind, status, start_date) "
                         "VALUES ('Old board', 'other', 'active', '2005')")
            conn.execute("INSERT INTO memberships(partnership_id, organisation_id, role) VALUES (1, 1, 'lead')")
        old.close()
    with Catalogue.open(path) as cat:
        assert cat.store.conn.execute(
            "SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        p = cat.partnerships.get(1)
        assert (p.name, p.start, p.first_seen, p.last_seen) == ("Old board", "2005", None, None)
        (m,) = cat.partnerships.memberships(1)
        assert (m.role, m.first_seen) == ("lead", None)
        cat.partnerships.update(Partnership("Old board", start="2005", last_seen="2011", id=1))
        assert cat.partnerships.get(1).last_seen == "2011"
        assert Evidence.load(cat).membership(m, "2008") == ACTIVE   # follows its dated partnership
