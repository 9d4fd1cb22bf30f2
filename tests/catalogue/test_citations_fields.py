"""Sources as reference managers hold them, and citations of one field of a record."""
import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Citation, Membership, Organisation, Partnership, Source
from models.catalogue.search import Filters, Search
from models.errors import CatalogueError
from models.storage import schema
from tests.helpers.catalogues import snapshot


def _partnership(cat, **fields) -> int:
    return cat.partnerships.add(Partnership("West London Alliance", **fields)).id


def test_a_source_keeps_authors_type_doi_and_accessed_date(cat):
    s = Source("Waste strategy", publisher="North London Waste Authority", year=2009,
               url="https://nlwa.example/strategy", authors=("Smith, Jane", "North London Waste Authority"),
               type="minutes", doi="https://doi.org/10.1234/NLWA.2009", accessed="2024-03-05")
    sid = cat.sources.add(s).id
    got = cat.sources.get(sid)
    assert got.authors == ("Smith, Jane", "North London Waste Authority")
    assert (got.type, got.doi, got.accessed) == ("minutes", "10.1234/NLWA.2009", "2024-03-05")


@pytest.mark.parametrize("bad, message", [
    (Source("T", type="poem"), "'poem' is not a type of source"),
    (Source("T", doi="12.34/x"), "is not a DOI"),
    (Source("T", accessed="2024-13"), "accessed: '2024-13' has no month 13"),
])
def test_a_bad_source_field_is_refused_and_nothing_is_written(cat, bad, message):
    before = snapshot(cat)
    with pytest.raises(CatalogueError, match=message):
        cat.sources.add(bad)
    assert snapshot(cat) == before


def test_a_citation_of_one_field_is_one_undo_step_and_marks_the_field_as_sourced(cat):
    pid = _partnership(cat, start="2004", governance="Joint committee", funding="")
    sid = cat.sources.add(Source("Annual report", year=2006)).id
    assert cat.sources.unsourced(pid) == ["dates", "status", "governance"]
    revert = cat.sources.cite(Citation(sid, page="12", quote="since 2004", partnership_id=pid, field="dates"))
    (c,) = cat.sources.citations(partnership_id=pid)
    assert (c.field, c.page, c.quote) == ("dates", "12", "since 2004")
    assert cat.sources.unsourced(pid) == ["status", "governance"]
    revert()
    assert cat.sources.citations(partnership_id=pid) == []
    assert cat.sources.unsourced(pid) == ["dates", "status", "governance"]


def test_a_whole_record_citation_does_not_source_its_fields(cat):
    pid = _partnership(cat, funding="Top-sliced from members")
    sid = cat.sources.add(Source("Annual report")).id
    cat.sources.cite(Citation(sid, partnership_id=pid))
    assert cat.sources.citations(partnership_id=pid)[0].field is None
    assert "funding" in cat.sources.unsourced(pid)


def test_a_membership_field_can_be_cited_but_not_a_field_a_record_has_not(cat):
    pid = _partnership(cat)
    org = cat.organisations.add(Organisation("Ealing")).id
    mid = cat.partnerships.add_member(Membership(pid, org, joined="2004")).id
    sid = cat.sources.add(Source("Minutes")).id
    cat.sources.cite(Citation(sid, membership_id=mid, field="role"))
    assert [c.field for c in cat.sources.citations(membership_id=mid)] == ["role"]
    before = snapshot(cat)
    with pytest.raises(CatalogueError, match="a membership has no field 'funding'"):
        cat.sources.cite(Citation(sid, membership_id=mid, field="funding"))
    with pytest.raises(CatalogueError, match="an organisation has no field 'dates' to cite \\(its fields: none\\)"):
        cat.sources.cite(Citation(sid, organisation_id=org, field="dates"))
    assert snapshot(cat) == before


def test_the_list_filter_facts_without_a_source(cat):
    sourced = _partnership(cat)
    bare = cat.partnerships.add(Partnership("North London Waste Authority", governance="Joint authority")).id
    sid = cat.sources.add(Source("Report")).id
    cat.sources.cite(Citation(sid, partnership_id=sourced, field="status"))
    rows = Search(cat).rows(Filters(unsourced=True))
    assert [r.id for r in rows] == [bare]
    cat.sources.cite(Citation(sid, partnership_id=bare, field="status"))
    assert [r.id for r in Search(cat).rows(Filters(unsourced=True))] == [bare]   # governance still bare
    cat.sources.cite(Citation(sid, partnership_id=bare, field="governance"))
    assert Search(cat).rows(Filters(unsourced=True)) == []


def test_sources_imported_twice_are_recognised_by_doi_url_or_title_and_year(cat):
    cat.sources.add(Source("Shared Services: a Review", year=2009))
    cat.sources.add(Source("Other", url="https://www.example.org/report/"))
    cat.sources.add(Source("Third", doi="10.5555/ABC"))
    revert, added = cat.sources.add_many([
        Source("shared services — a review", year=2009),        # title + year, normalised
        Source("Another title", url="http://example.org/report"),  # same URL
        Source("Yet another", doi="https://doi.org/10.5555/abc"),  # same DOI
        Source("Shared services: a review", year=2010),          # another year: another document
        Source("New one"), Source("NEW ONE!"),                    # twice in one file: once
    ])
    assert [s.title for s in added] == ["Shared services: a review", "New one"]
    assert len(cat.sources.all()) == 5
    revert()
    assert len(cat.sources.all()) == 3


def test_a_catalogue_from_before_source_references_migrates(tmp_path, monkeypatch):
    path = tmp_path / "old.gpkg"
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_source_references)]
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", before)
        m.setattr(schema, "SCHEMA_VERSION", len(before))
        old = Catalogue.create(path)
        conn = old.store.conn
        assert "doi" not in {r[1] for r in conn.execute("PRAGMA table_info(sources)")}
        with conn:
            conn.execute("INSERT INTO partnerships(name, kind, status) VALUES ('Old board', 'other', 'active')")
            conn.execute("INSERT INTO sources(title, publisher, year, url) VALUES ('Old report', 'LGA', 2005, '')")
            conn.execute("INSERT INTO citations(source_id, page, partnership_id) VALUES (1, '4', 1)")
        old.close()
    with Catalogue.open(path) as cat:
        assert cat.store.conn.execute(
            "SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        s = cat.sources.get(1)
        assert (s.title, s.publisher, s.year, s.authors, s.type, s.doi, s.accessed) == (
            "Old report", "LGA", 2005, (), "report", "", None)
        (c,) = cat.sources.citations(partnership_id=1)
        assert (c.page, c.field) == ("4", None)
        cat.sources.cite(Citation(1, partnership_id=1, field="dates"))
        assert [c.field for c in cat.sources.citations(partnership_id=1)] == [None, "dates"]
