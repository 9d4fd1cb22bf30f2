"""The report as a PDF (ui.report.pdf): selectable text, embedded fonts, vector maps, and nothing
written when it fails or is cancelled."""
import pytest

from models.analysis.area_stats import format_population
from models.analysis.report import report_content
from models.catalogue import Catalogue
from models.errors import Cancelled, CatalogueError, plural
from tests.helpers.catalogues import small_catalogue
from tests.helpers.data import london_population_rows
from tests.helpers.pdf import fonts, images, path_operators, pdf_pages
from ui.report.pdf import write_report

WLA = ("Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow")


def test_the_west_london_alliance_report(qapp, london_example, tmp_path):
    out = tmp_path / "wla.pdf"
    population = sum(int(r["population"]) for r in london_population_rows() if r["LAD20NM"] in WLA)
    with Catalogue.open(london_example, read_only=True) as cat:
        summary = write_report(cat, out, ["West London Alliance"])
    pages = pdf_pages(out)
    assert summary == f"wrote wla.pdf: {plural(len(pages), 'page')}, 1 partnership"
    text = " ".join(pages)
    assert pages[0].startswith("example.gpkg · ") and "West London Alliance sub-regional partnership" in text
    for borough in WLA:
        assert f"{borough} member" in text              # the members table, as text a reader can copy
    assert f"West London Alliance 123 337.3 {format_population(population)} 6 one piece" in text
    assert ("[2] Government Office for London (2010). Transforming London's Public Services. "
            "Cited: Chapter 3: West London Alliance (WLA) Adult Social Care Efficiencies Programme.") in text
    assert "Office" in text                             # no "ffi" ligature breaking a search
    assert fonts(out) and all(fonts(out).values())      # every font embedded
    assert images(out) == 0                             # the map is not a picture…
    assert path_operators(out, 0) > 5000                # …but the wards' and boroughs' outlines


def test_the_catalogue_report_adds_the_overlaps_and_the_coverage(qapp, london_example, tmp_path):
    out = tmp_path / "all.pdf"
    with Catalogue.open(london_example, read_only=True) as cat:
        content = report_content(cat)
        write_report(cat, out)
    pages = pdf_pages(out)
    assert pages[0].startswith("Catalogue report")
    assert pages[1].startswith("Overlaps Shared wards between 17 areas")
    assert pages[2].startswith("Coverage How many partnerships' areas cover each ward of London wards 2020")
    squashed = [p.replace(" ", "") for p in pages]   # a title wrapped after "borough/" extracts as "/ "
    starts = [p for p in squashed if any(p.startswith(s.partnership.name.replace(" ", ""))
                                         for s in content.sections)]
    assert len(starts) == len(content.sections)          # each partnership begins a page
    for count in range(content.coverage.most + 1):        # the legend: wards per number of partnerships
        wards = int((content.coverage.counts == count).sum())
        assert f" {count} {wards} " in pages[2] + " "


def test_no_boundary_layer_still_writes_the_tables(qapp, cat, tmp_path):
    small_catalogue(cat)
    out = tmp_path / "small.pdf"
    write_report(cat, out)
    text = " ".join(pdf_pages(out))
    assert "This catalogue has no boundary layer" in text
    assert "Organisation Role Joined Left Brent lead — — Barnet member — —" in text
    assert "[1] Young Foundation (2008). A collaborative city? Cited: 12." in text
    assert "Shared organisations between 2 partnerships" in text
    assert images(out) == 0


def test_bad_names_and_cancel_leave_no_file(qapp, cat, tmp_path):
    small_catalogue(cat)
    out = tmp_path / "r.pdf"
    with pytest.raises(CatalogueError, match="^no partnership 'Nowhere'"):
        write_report(cat, out, ["Nowhere"])
    with pytest.raises(CatalogueError, match="a report is a PDF: name it r.pdf"):
        write_report(cat, tmp_path / "r.docx")

    def cancel_on_the_page(fraction, text):
        if text.startswith("Page"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_report(cat, out, progress=cancel_on_the_page)
    assert [p.name for p in tmp_path.iterdir() if "pdf" in p.name] == []   # no report, nor half of one
