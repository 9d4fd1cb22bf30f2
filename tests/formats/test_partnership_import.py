"""Bulk import of partnerships: all rows in one edit, or nothing and every bad row named."""
import datetime as dt

import openpyxl
import pytest

from models.errors import Cancelled, CatalogueError
from models.formats.partnership_import import (
    PartnershipImportError,
    guess_mapping,
    import_partnerships,
    plan_import,
    read_table,
)
from tests.helpers.catalogues import small_catalogue, snapshot

GOOD = """Name,Kind,Status,Start,End,Policy areas,Members,Source,Page
Waste Partners,shared service,,2008,2010-03,waste; IT,Barnet (lead); E09000005; New Body Ltd,Minutes,p. 4
Skills Board,thematic board,active,2012,,worklessness and skills,Brent; new body ltd,A collaborative city?,7
"""
BAD = """Name,Kind,Start,End,Members
Fine row,shared service,2008,,Barnet
Wrong kind,x,2008,,
Backwards,other,2010,2008,
Unknown code,other,,,E09999999
Fine row,other,,,
"""


def write(tmp_path, text, name="p.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_csv_is_one_edit_undone_exactly(cat, tmp_path):
    ids = small_catalogue(cat)
    before = snapshot(cat)
    revert = import_partnerships(cat, write(tmp_path, GOOD))
    assert len(revert.inserted("partnerships")) == 2
    waste = cat.partnerships.find("Waste Partners")
    assert (waste.kind, waste.status, waste.start, waste.end) == ("shared service", "ended", "2008", "2010-03")
    assert waste.policy_areas == ("waste", "IT") and waste.lead_id == ids["Barnet"]
    members = cat.partnerships.memberships(waste.id)
    names = [cat.organisations.get(m.organisation_id).name for m in members]
    assert names == ["Barnet", "Brent", "New Body Ltd"] and members[0].role == "lead"
    skills = cat.partnerships.find("Skills Board")
    # the new organisation is created once and the existing source reused
    assert [m.organisation_id for m in cat.partnerships.memberships(skills.id)][1] == members[2].organisation_id
    (citation,) = cat.sources.citations(partnership_id=skills.id)
    assert citation.source_id == ids["report"] and citation.page == "7"
    assert [s.title for s in cat.sources.all()] == ["A collaborative city?", "Minutes"]
    revert()
    assert snapshot(cat) == before


def test_bad_rows_are_all_reported_and_nothing_written(cat, tmp_path):
    small_catalogue(cat)
    before = snapshot(cat)
    with pytest.raises(PartnershipImportError) as info:
        import_partnerships(cat, write(tmp_path, BAD))
    assert str(info.value) == "4 rows have errors (row 3: unknown kind 'x'); nothing was imported"
    assert info.value.row_errors == [
        (3, "unknown kind 'x'"), (4, "end 2008 is before start 2010"),
        (5, "no organisation has the GSS code E09999999"), (6, "'Fine row' is also on row 2")]
    assert isinstance(info.value, CatalogueError)
    assert snapshot(cat) == before


def test_plan_writes_nothing_and_lists_what_it_would_create(cat, tmp_path):
    small_catalogue(cat)
    before = snapshot(cat)
    plan = plan_import(cat, write(tmp_path, GOOD))
    assert plan.ok and [r.row for r in plan.rows] == [2, 3]
    assert plan.new_organisations == ["New Body Ltd"] and plan.new_sources == ["Minutes"]
    assert snapshot(cat) == before


def test_existing_name_is_an_error(cat, tmp_path):
    small_catalogue(cat)
    with pytest.raises(PartnershipImportError, match="row 2: 'West London Alliance' is already"):
        import_partnerships(cat, write(tmp_path, "Name\nWest London Alliance\n"))


def test_mapping_chooses_columns(cat, tmp_path):
    path = write(tmp_path, "Partnership title;Type of body;Partners\nA;joint venture;Org A\n")
    headers, rows = read_table(path)   # semicolon-separated file is sniffed
    assert headers == ["Partnership title", "Type of body", "Partners"]
    assert guess_mapping(headers) == {"members": "Partners"}
    with pytest.raises(CatalogueError, match="names"):
        plan_import(cat, path)
    path = write(tmp_path, "Partnership title,Type of body,Partners\nA,joint venture,Org A; Org B\n")
    revert = import_partnerships(cat, path, {"name": "Partnership title", "kind": "Type of body",
                                             "members": "Partners"})
    p = cat.partnerships.get(revert.inserted("partnerships")[0])
    assert p.kind == "joint venture" and len(cat.partnerships.memberships(p.id)) == 2
    with pytest.raises(CatalogueError, match="no column 'Nope'"):
        plan_import(cat, path, {"name": "Nope"})


def test_xlsx_with_real_dates_and_numbers(cat, tmp_path):
    small_catalogue(cat)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Start", "End", "Savings", "Members"])
    sheet.append(["Excel partnership", dt.datetime(2009, 4, 1), 2011, 1500000, "Ealing; Brent (funder)"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Second", 2015, None, "£2.5m", None])
    path = tmp_path / "p.xlsx"
    book.save(path)
    import_partnerships(cat, path)
    p = cat.partnerships.find("Excel partnership")
    assert (p.start, p.end, p.savings_amount, p.savings_period) == ("2009-04-01", "2011", 1500000.0, "per year")
    assert [m.role for m in cat.partnerships.memberships(p.id)] == ["member", "funder"]
    assert cat.partnerships.find("Second").savings_amount == 2500000.0


def test_cancel_rolls_back(cat, tmp_path):
    small_catalogue(cat)
    before = snapshot(cat)

    def progress(fraction, text):
        if fraction > 0.4:
            raise Cancelled()

    with pytest.raises(Cancelled):
        import_partnerships(cat, write(tmp_path, GOOD), progress=progress)
    assert snapshot(cat) == before


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("Name\n\n", "no partnerships below"),
])
def test_empty_files(cat, tmp_path, text, message):
    with pytest.raises(CatalogueError, match=message):
        plan_import(cat, write(tmp_path, text))


def test_not_a_spreadsheet(cat, tmp_path):
    with pytest.raises(CatalogueError, match="from .csv or .xlsx"):
        plan_import(cat, write(tmp_path, "x", name="p.json"))
    with pytest.raises(CatalogueError, match="cannot read"):
        plan_import(cat, write(tmp_path, "not a zip", name="p.xlsx"))


def test_the_csv_export_reads_back_through_the_import(cat, tmp_path):
    from models.catalogue import Catalogue
    from models.formats.export import export

    ids = small_catalogue(cat)
    path = tmp_path / "out.csv"
    export(cat, path)
    other = Catalogue.create(tmp_path / "other.gpkg")
    try:
        import_partnerships(other, path)
        a, b = cat.partnerships.find("West London Alliance"), other.partnerships.find("West London Alliance")
        assert (a.kind, a.start, a.policy_areas, a.description) == (b.kind, b.start, b.policy_areas, b.description)
        names = [other.organisations.get(m.organisation_id).name for m in other.partnerships.memberships(b.id)]
        assert names == ["Barnet", "Brent"]
        assert other.partnerships.find("North Waste Board").status == "ended"
        del ids
    finally:
        other.close()


def test_lead_column(cat, tmp_path):
    ids = small_catalogue(cat)
    path = write(tmp_path, "name,lead,members\nLed,E09000009,Barnet; Ealing\nNew lead,Someone New,Barnet\n")
    import_partnerships(cat, path)
    assert cat.partnerships.find("Led").lead_id == ids["Ealing"]
    new = cat.partnerships.find("New lead")
    assert cat.organisations.get(new.lead_id).name == "Someone New"


def test_every_fault_of_a_row_is_reported(cat, tmp_path):
    """A row with five mistakes gets all five named at once, not one per attempt."""
    small_catalogue(cat)
    before = snapshot(cat)
    path = write(tmp_path, "name,kind,status,start,end,savings_amount,members\n"
                           "Five faults,x,maybe,2008-13,20x0,lots,Barnet; (lead)\n"
                           "Also bad,other,,2010,2008,,\n")
    with pytest.raises(PartnershipImportError) as info:
        import_partnerships(cat, path)
    assert info.value.row_errors == [
        (2, "unknown kind 'x'"), (2, "start: '2008-13' has no month 13"),
        (2, "end: '20x0' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"), (2, "unknown status 'maybe'"),
        (2, "savings 'lots' is not an amount in £"), (2, "member '(lead)' has a role but no name"),
        (3, "end 2008 is before start 2010")]
    assert str(info.value) == "2 rows have errors (row 2: unknown kind 'x'); nothing was imported"
    assert snapshot(cat) == before
