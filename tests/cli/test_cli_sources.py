"""`export … .csl.json|.bib` and `import-sources`: sources for reference managers from the command line."""
import json

from models.catalogue import Catalogue
from models.formats import bibtex
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run


def test_export_and_import_sources_round_trip(capsys, london_example, tmp_path):
    with Catalogue.open(london_example, read_only=True) as cat:
        titles = sorted(s.title for s in cat.sources.all())
        wla = cat.partnerships.find("West London Alliance")
        wla_titles = sorted(s.title for s in cat.sources.of_partnerships([wla.id]))
    assert 0 < len(wla_titles) < len(titles)

    out = tmp_path / "all.csl.json"
    code, printed, _ = run(capsys, "export", london_example, out)
    assert code == 0 and printed.strip() == f"wrote all.csl.json: {len(titles)} sources"
    assert sorted(i["title"] for i in json.loads(out.read_text())) == titles

    bib = tmp_path / "wla.bib"
    code, printed, _ = run(capsys, "export", london_example, bib, "--partnership", "West London Alliance")
    assert code == 0
    assert sorted(s.title for s in bibtex.loads(bib.read_text())) == wla_titles

    fresh = tmp_path / "fresh.gpkg"
    assert run(capsys, "new", fresh)[0] == 0
    code, printed, _ = run(capsys, "import-sources", fresh, out)
    assert (code, printed.strip()) == (0, f"imported {len(titles)} sources from {out}")
    code, printed, _ = run(capsys, "import-sources", fresh, bib)
    assert (code, printed.strip()) == (0, f"imported 0 sources from {bib}; {len(wla_titles)} already in the catalogue")
    with Catalogue.open(fresh, read_only=True) as cat:
        assert sorted(s.title for s in cat.sources.all()) == titles


def test_a_malformed_file_is_one_line_and_leaves_the_catalogue_as_it_was(capsys, london_example, tmp_path):
    bad = tmp_path / "bad.csl.json"
    bad.write_text(json.dumps([{"id": "ok", "title": "A new report"},
                               {"id": "wla", "title": "Another", "issued": {"date-parts": [["spring"]]}}]))
    before = file_digest(london_example)
    code, printed, err = run(capsys, "import-sources", london_example, bad)
    assert code == 2 and printed == ""
    assert err == "error: bad.csl.json: entry 2 (wla), field 'issued': ['spring'] is not a date\n"
    assert file_digest(london_example) == before
    code, _, err = run(capsys, "import-sources", london_example, tmp_path / "refs.txt")
    assert code == 2 and "neither CSL-JSON" in err and err.count("\n") == 1
