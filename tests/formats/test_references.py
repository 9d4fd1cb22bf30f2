"""Sources out and in as CSL-JSON and BibTeX: round trips, duplicates recognised, bad files refused."""
import json

import pytest

from models.catalogue import Catalogue
from models.catalogue.records import Citation, Partnership, Source
from models.errors import CatalogueError
from models.formats import bibtex, csl
from models.formats.references import export_sources, import_sources
from tests.helpers.catalogues import file_digest, snapshot

RICH = [
    Source("Shared services in West London: a review of 2008–09", publisher="West London Alliance",
           year=2009, url="https://example.org/wla_2009~x%20y.pdf",
           authors=("Smith, Jane", "West London Alliance", "Müller, Jürgen"), type="report",
           doi="10.1234/WLA_2009", accessed="2024-03-05"),
    Source("Joint committee minutes, 12 March", publisher="North London Waste Authority", year=2010,
           type="minutes"),
    Source("Waste & recycling: {50%} $ #1 \\ ~", year=2011, type="web page", url="https://x.example/a?b=1&c=2#d"),
    Source("Collaboration in London", publisher="Journal of Public Policy", year=2012, type="article",
           authors=("O'Brien, Seán",)),
]


def _fields(s: Source) -> tuple:
    return (s.title, s.authors, s.year, s.publisher, s.url, s.doi, s.type, s.accessed)


@pytest.mark.parametrize("module", [csl, bibtex])
def test_a_round_trip_keeps_title_authors_year_publisher_url_doi(module):
    back = module.loads(module.dumps(RICH))
    assert [_fields(s) for s in back] == [_fields(s) for s in RICH]


def test_bibtex_reads_what_reference_managers_write():
    text = r"""
    Some text BibTeX ignores.
    @string{nlwa = "North London " # "Waste Authority"}
    @comment{ anything { nested } }
    @TechReport{ key1 ,
      Title = "{Annual} Report 2008--2009",
      Author = {Doe, John and Ann van Smith and {Greater London Authority}},
      Institution = nlwa,
      Year = 2009,
      month = mar,
      howpublished = {\url{https://nlwa.example/r}},
    }
    @misc(key2, title = {Caf\'{e} na\"ive {\AA}rhus \& co}, date = {2014-05-01})
    """
    a, b = bibtex.loads(text)
    assert (a.title, a.publisher, a.year, a.url, a.type) == (
        "Annual Report 2008–2009", "North London Waste Authority", 2009, "https://nlwa.example/r", "report")
    assert a.authors == ("Doe, John", "Smith, Ann van", "Greater London Authority")
    assert (b.title, b.year, b.type) == ("Café naïve Århus & co", 2014, "other")


@pytest.mark.parametrize("text, message", [
    ("@book{a, title={T}, year={twenty}}", "line 1, entry 1 (a), field 'year': 'twenty' is not a year"),
    ("@book{a, title={T}}\n@book{b,\n year = 2009}", "line 2, entry 2 (b), field 'title': a source needs a title"),
    ("@book{a, title={Un{closed, year=2009}", "entry 1 (a), field 'title': a '{' is never closed"),
    ("@book{a, title={T}, doi={12.3/x}}", "entry 1 (a), field 'doi': '12.3/x' is not a DOI"),
    ("@book{a, title=T}", "entry 1 (a), field 'title': 'T' is not a defined @string"),
    ("@book{a, title={T} year={2009}}", "entry 1 (a): expected ',' or '}', found 'y'"),
    ("@book{a, title={T}, title={U}}", "entry 1 (a), field 'title': is given twice"),
])
def test_malformed_bibtex_names_the_entry_and_field(text, message):
    with pytest.raises(CatalogueError) as info:
        bibtex.loads(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text, message", [
    ('[{"id": "a", "title": "T", "issued": {"date-parts": [["x"]]}}]', "entry 1 (a), field 'issued'"),
    ('[{"id": "a", "title": "T"}, {"id": "b", "type": "report"}]', "entry 2 (b), field 'title': a source needs a title"),
    ('[{"id": "a", "title": "T", "type": "poem"}]', "entry 1 (a), field 'type': 'poem' is not a CSL type"),
    ('[{"id": "a", "title": "T", "author": [{"given": "Jo"}]}]', "entry 1 (a), field 'author'"),
    ('[{"id": "a", "title": "T", "DOI": "nope"}]', "entry 1 (a), field 'doi'"),
    ('[{"id": "a", "title": "T",]', "not CSL-JSON"),
    ('[1]', "entry 1: is not an object"),
])
def test_malformed_csl_json_names_the_entry_and_field(text, message):
    with pytest.raises(CatalogueError) as info:
        csl.loads(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_malformed_file_changes_nothing_in_the_catalogue(cat, tmp_path):
    cat.sources.add(Source("Kept"))
    bib = tmp_path / "in.bib"
    bib.write_text("@book{ok, title={Fine}}\n@book{bad, title={T}, year={20x9}}\n")
    cat.close()
    before = file_digest(cat.path)
    with Catalogue.open(cat.path) as c:
        rows = snapshot(c)
        with pytest.raises(CatalogueError, match=r"in.bib: line 2, entry 2 \(bad\), field 'year'"):
            import_sources(c, bib)
        assert snapshot(c) == rows
    assert file_digest(cat.path) == before


def test_the_example_exported_as_csl_imports_into_a_fresh_catalogue_without_duplicates(london_example, tmp_path):
    out = tmp_path / "example.csl.json"
    with Catalogue.open(london_example) as example:
        held = sorted(_fields(s) for s in example.sources.all())
        assert export_sources(example, out) == f"wrote example.csl.json: {len(held)} sources"
        items = json.loads(out.read_text())
        assert len(items) == len(held) and len({i["id"] for i in items}) == len(items)
        again = import_sources(example, out)   # the example already holds every one of them
        assert (again.added, again.known) == ([], len(held))
        assert sorted(_fields(s) for s in example.sources.all()) == held
    with Catalogue.create(tmp_path / "fresh.gpkg") as fresh:
        first = import_sources(fresh, out)
        assert len(first.added) == len(held)
        assert sorted(_fields(s) for s in fresh.sources.all()) == held
        first.revert()   # one undo step takes the whole import back
        assert fresh.sources.all() == []
        import_sources(fresh, out)
        assert import_sources(fresh, out).added == []
        assert len(fresh.sources.all()) == len(held)


def test_a_partnerships_sources_are_its_own_its_members_and_its_areas(cat, tmp_path):
    pid = cat.partnerships.add(Partnership("A")).id
    other = cat.partnerships.add(Partnership("B")).id
    own, unrelated = (cat.sources.add(Source(t)).id for t in ("Own", "Unrelated"))
    cat.sources.cite(Citation(own, partnership_id=pid, field="dates"))
    cat.sources.cite(Citation(unrelated, partnership_id=other))
    out = tmp_path / "a.bib"
    export_sources(cat, out, [pid])
    assert [s.title for s in bibtex.loads(out.read_text())] == ["Own"]
