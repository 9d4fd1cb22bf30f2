"""Tables for the fuzzer: partnership spreadsheets (CSV and XLSX) and population CSVs.

The cells are what researchers' sheets hold: known and unknown kinds, dates
right and wrong ("2008-13-40"), amounts as people write them, members by name
or GSS code with roles, names repeated or already catalogued; then the file is
written with a different separator, quoting, line ending or encoding, with
ragged rows, or (XLSX) with formulas, typed cells and extra sheets.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import strategies as st

from models.catalogue import dates
from models.catalogue.records import PARTNERSHIP_KINDS, STATUSES
from models.formats.partnership_import import FIELDS, guess_mapping

from .fuzz_bytes import Case, awkward_text, cleanliness, damaged

# Names and codes the seeded catalogue holds (see fuzz.seed_catalogue), so rows meet existing records.
SEED_ORGANISATIONS = [("Barnet", "E09000003"), ("Brent", "E09000005"), ("Ealing", "E09000009")]
SEED_PARTNERSHIP = "West London Alliance"
SEED_SOURCE = "A collaborative city?"
GRID_CODES = [f"W{r}{c}" for r in range(3) for c in range(4)]

_DATES = ["2008", "2008-04", "2008-04-30", "2012", "2010-03", "2008-04-30T10:00:00", "2008-04-30 00:00",
          "2008-13-40", "2008-02-30", "2008-00", "08", "2008/04/01", "April 2008", "２００８", "0000",
          "9999-12-31", "2008-4-1", " 2008 ", "2008-04-30x"]
_AMOUNTS = ["1500000", "£1,500,000", "2.5m", "300k", "-5", "nan", "inf", "-inf", "1e400", "abc", "k",
            "£", "1_000", "0", "1.5M", "£ 2 m", "1e308m", "0x10"]
_MEMBERS = ["Barnet", "Brent (lead)", "E09000005", "e09000009 (funder)", "E09999999", "New Body Ltd",
            "new body ltd (observer)", "Ealing (boss)", "barnet", "(lead)", "Westminster (LEAD)"]


def _join(items) -> str:
    return "; ".join(items)


CELLS = {
    "name": st.one_of(st.sampled_from(["Waste Partners", "Skills Board", "waste partners", SEED_PARTNERSHIP,
                                       " Padded ", ""]), awkward_text),
    "kind": st.one_of(st.sampled_from(list(PARTNERSHIP_KINDS) + ["Shared Service", "x", ""]), awkward_text),
    "status": st.one_of(st.sampled_from(list(STATUSES) + ["Ended", "closed", ""]), awkward_text),
    "start": st.one_of(st.sampled_from(_DATES), awkward_text),
    "end": st.one_of(st.sampled_from(_DATES), awkward_text),
    "policy_areas": st.lists(st.one_of(st.sampled_from(["waste", "IT", " ; "]), awkward_text), max_size=3).map(_join),
    "members": st.lists(st.one_of(st.sampled_from(_MEMBERS), awkward_text), max_size=4).map(_join),
    "lead": st.one_of(st.sampled_from(_MEMBERS + [""]), awkward_text),
    "savings_amount": st.one_of(st.sampled_from(_AMOUNTS + [""]), awkward_text),
    "savings_period": st.one_of(st.sampled_from(["per year", "total", "Per Year", "monthly", ""]), awkward_text),
    "source": st.one_of(st.sampled_from(["Minutes", SEED_SOURCE, SEED_SOURCE.upper(), ""]), awkward_text),
    "source_page": awkward_text,
}


# Cells that should all import, for the clean cases (names are numbered to stay distinct).
_CLEAN_MEMBERS = ["Barnet", "Brent (lead)", "E09000009", "New Body Ltd (funder)", "Ünï Trust (observer)"]
CLEAN_CELLS = {
    "name": st.just(""),   # filled in by row number
    "kind": st.sampled_from(list(PARTNERSHIP_KINDS) + ["Shared Service", ""]),
    "status": st.sampled_from(list(STATUSES) + ["Ended", ""]),
    "start": st.sampled_from(["2001", "2001-04", "2001-04-30", "", "2002-01-01T00:00:00"]),
    "end": st.sampled_from(["2010", "2010-03", "2010-02-28", ""]),
    "policy_areas": st.lists(st.sampled_from(["waste", "IT", "adult social care", "Ünï"]), max_size=3).map(_join),
    "members": st.lists(st.sampled_from(_CLEAN_MEMBERS), max_size=4, unique=True).map(_join),
    "lead": st.sampled_from(["Barnet", "E09000005", "Brand New Council", ""]),
    "savings_amount": st.sampled_from(["1500000", "£1,500,000", "2.5m", "300k", "0", ""]),
    "savings_period": st.sampled_from(["per year", "total", "Per Year", ""]),
    "source": st.sampled_from(["Minutes", SEED_SOURCE, SEED_SOURCE.upper(), ""]),
}


def _cell_strategy(field: str | None, clean: bool):
    if clean:
        return CLEAN_CELLS.get(field, awkward_text)
    return CELLS.get(field, awkward_text)


@st.composite
def _header(draw, field: str) -> str:
    spelling = draw(st.sampled_from(FIELDS[field][1]))
    return draw(st.sampled_from([spelling, spelling.title(), spelling.upper(), f" {spelling}_"]))


@st.composite
def partnership_tables(draw, clean: bool) -> tuple[list[str], list[str | None], list[list[str]], dict | None, str]:
    """(header, field of each column, rows, mapping, description): a sheet of partnerships
    and the column mapping given to the importer (None: let it guess)."""
    fields = draw(st.lists(st.sampled_from(list(FIELDS)), max_size=8, unique=True))
    if (clean or draw(st.integers(0, 9)) != 0) and "name" not in fields:
        fields.insert(0, "name")
    headers = [draw(_header(f)) for f in fields]
    unknown = draw(st.lists(st.one_of(st.sampled_from(["Notes 2", "", "Ünï", "name"]), awkward_text), max_size=2))
    if clean:   # an unknown column that a guess could take for a known one is not clean
        unknown = [u for u in unknown if u.strip() and not guess_mapping([u]) and u not in headers]
    headers += unknown
    columns = fields + [None] * len(unknown)
    rows = [[draw(_cell_strategy(f, clean)) if f else draw(awkward_text) for f in columns]
            for _ in range(draw(st.integers(1 if clean else 0, 8)))]
    if clean:
        name_at = columns.index("name")
        for i, row in enumerate(rows):
            row[name_at] = f"Partnership {i + 1} {draw(st.sampled_from(['', 'Ünï', '&', '“quoted”']))}".strip()
    mapping = None
    how = draw(st.sampled_from(["guess"] * 8 + ([] if clean else ["given", "unknown field", "absent header",
                                                                  "no name"])))
    if how != "guess":
        # The app builds a mapping from the headers as read, which are stripped.
        mapping = {f: h.strip() for f, h in zip(fields, headers)}
        if how == "unknown field":
            mapping["colour"] = headers[0] if headers else "x"
        elif how == "absent header":
            mapping["notes"] = "Not a column"
        elif how == "no name":
            mapping.pop("name", None)
    return headers, columns, rows, mapping, f"fields {fields}, {len(rows)} rows, mapping {how}"


_ENCODINGS = ["utf-8"] * 6 + ["utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1", "utf-32"]


@st.composite
def csv_bytes(draw, headers: list[str], rows: list[list[str]], clean: bool) -> tuple[bytes, str]:
    """The table as a CSV file the way some program might have saved it."""
    delimiter = draw(st.sampled_from([","] * 4 + [";", "\t"] + ([] if clean else ["|"])))
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    style = draw(st.sampled_from(["quoted"] * 4 + ["quote all"] + ([] if clean else ["unquoted", "ragged"])))
    out = io.StringIO()
    if style == "unquoted":  # cells with separators or line breaks now split rows and columns
        out.write(ending.join(delimiter.join(r) for r in [headers, *rows]) + ending)
    else:
        writer = csv.writer(out, delimiter=delimiter, lineterminator=ending,
                            quoting=csv.QUOTE_ALL if style == "quote all" else csv.QUOTE_MINIMAL)
        writer.writerow(headers)
        for row in rows:
            if style == "ragged":
                row = row[:draw(st.integers(0, len(row)))] + draw(st.lists(awkward_text, max_size=2))
            writer.writerow(row)
    shape = draw(st.sampled_from(["table"] * 12 + ["blank lines"] + ([] if clean else ["empty file", "header only"])))
    text = out.getvalue()
    if shape == "empty file":
        text = ""
    elif shape == "header only":
        text = text.split(ending, 1)[0] + ending
    elif shape == "blank lines":
        text = ending * 3 + text + ending * 3
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"] if clean else _ENCODINGS))
    data = text.encode(encoding, errors="replace")
    data, damage = (data, "clean") if clean else draw(damaged(data))
    return data, f"{style} {delimiter!r} {ending!r}, {shape}, {encoding}, {damage}"


@st.composite
def partnerships_csv_cases(draw) -> Case:
    clean = draw(cleanliness)
    headers, _, rows, mapping, label = draw(partnership_tables(clean))
    data, how = draw(csv_bytes(headers, rows, clean))
    name = draw(st.sampled_from(["partnerships.csv"] * 4 + ["p.txt", "p.tsv", "Ünï.CSV"]))
    return Case(name, data, {"mapping": mapping}, f"{label}; {how}")


# -- XLSX ----------------------------------------------------------------
_FORMULAS = ["=1+1", '=HYPERLINK("http://example.org","Waste Partners")', "=A1", "=SUM(", "=NOW()",
             '="Skills "&"Board"']


@st.composite
def _typed(draw, field: str | None, text: str, clean: bool):
    """The cell as Excel might hold it: text, a number, a date, a boolean or a formula."""
    if clean:   # only what keeps its meaning: text, or a real date in a date column
        if field in ("start", "end") and text and draw(st.booleans()):
            return dt.date.fromisoformat(dates.earliest(text[:10])), "date"
        return text, "text"
    how = draw(st.sampled_from(["text"] * 8 + ["formula", "literal =", "number", "date", "bool", "none"]))
    if how == "formula":
        return draw(st.sampled_from(_FORMULAS)), how
    if how == "literal =":
        return "=" + text, how
    if how == "number":
        return draw(st.one_of(st.integers(-10 ** 15, 10 ** 15), st.floats())), how
    if how == "date" or (field in ("start", "end") and draw(st.booleans())):
        return draw(st.sampled_from([dt.date(2008, 4, 30), dt.datetime(2010, 3, 1, 12, 30),
                                     dt.datetime(1900, 1, 1), dt.time(10, 0)])), "date"
    if how == "bool":
        return draw(st.booleans()), how
    return (None if how == "none" else text), how


def _put(sheet, row: int, column: int, value, how: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("?", value)   # XML cannot hold them, so no file can
    cell = sheet.cell(row=row, column=column, value=value)
    if how == "literal =":
        cell.data_type = "s"   # text that only looks like a formula


@st.composite
def partnerships_xlsx_cases(draw) -> Case:
    import openpyxl
    clean = draw(cleanliness)
    headers, columns, rows, mapping, label = draw(partnership_tables(clean))
    book = openpyxl.Workbook()
    sheet = book.active
    layout = draw(st.sampled_from(["one sheet"] * 6 + ["several sheets", "offset"] + (
        [] if clean else ["empty first sheet", "empty workbook", "header only"])))
    if layout == "empty first sheet":
        sheet = book.create_sheet("Data")
    elif layout == "several sheets":
        book.create_sheet("Other").append(["name", "Stray Row"])
    top, left = (draw(st.integers(1, 4)), draw(st.integers(1, 4))) if layout == "offset" else (1, 1)
    kinds = set()
    if layout != "empty workbook":
        for c, h in enumerate(headers):
            _put(sheet, top, left + c, h, "text")
        for r, row in enumerate(rows if layout != "header only" else []):
            for c, text in enumerate(row):
                value, how = draw(_typed(columns[c], text, clean))
                kinds.add(how)
                _put(sheet, top + 1 + r, left + c, value, how)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    how = "xlsx" if clean else draw(st.sampled_from(["xlsx"] * 6 + ["damaged", "not a workbook"]))
    damage = "intact"
    if how == "damaged":
        data, damage = draw(damaged(data))
    elif how == "not a workbook":
        data = draw(st.sampled_from([b"", b"name\nWaste Partners\n", b"PK\x03\x04", bytes(range(256))]))
    name = draw(st.sampled_from(["partnerships.xlsx"] * 4 + ["p.xlsm", "Ünï.XLSX"]))
    return Case(name, data, {"mapping": mapping},
                f"{label}; {layout} at row {top} col {left}; cells {sorted(kinds)}; {how}, {damage}")


# -- population CSV ------------------------------------------------------
_VALUES = ["120", "1,000", "", "-5", "nan", "inf", "1e400", "abc", "12.5", " 7 ", "1_000", "0x10", "١٢"]


@st.composite
def population_csv_cases(draw) -> Case:
    """A population CSV to join onto the fixed grid of twelve wards (codes W00..W23)."""
    clean = draw(cleanliness)
    keys = ["WD20CD", "code"] if clean else ["WD20CD"] * 4 + ["code", "Code", "WD19CD", "ward", ""]
    key = draw(st.sampled_from(keys))
    value = "population" if clean else draw(st.sampled_from(
        ["population"] * 4 + ["Population", "pop", "households", ""]))
    extra = draw(st.lists(st.sampled_from(["households", "area", "note", "population"]), max_size=2, unique=True))
    headers = [key, value] + [e for e in extra if e not in (key, value)]
    if draw(st.integers(0, 9)) == 0:
        headers.reverse()
    if clean:   # every grid code once at most (so one at least matches), counts as people write them
        codes = st.sampled_from(GRID_CODES + ["E05000001"])
        numbers = st.one_of(st.sampled_from(["120", "1,000", "", "12.5", " 7 ", "0"]),
                            st.integers(0, 10 ** 9).map(str), st.floats(0, 1e9).map(repr))
    else:
        codes = st.one_of(st.sampled_from(GRID_CODES * 3 + ["E05000001", "", " W00 ", "w00"]), awkward_text)
        numbers = st.one_of(st.sampled_from(_VALUES), st.integers(-10, 10 ** 9).map(str),
                            st.floats().map(repr), awkward_text)
    rows = []
    used = set()
    for _ in range(draw(st.integers(1 if clean else 0, 14))):
        row = {key: draw(codes)}
        if clean and row[key] in used:
            continue
        used.add(row[key])
        for h in headers:
            if h != key:
                row[h] = draw(numbers)
        rows.append([row[h] for h in headers])
    if clean and not used & set(GRID_CODES):
        rows.append([{key: "W00"}.get(h, "5") for h in headers])
    data, how = draw(csv_bytes(headers, rows, clean))
    kwargs = {}
    if not clean and draw(st.integers(0, 4)) == 0:
        kwargs["population_field"] = draw(st.sampled_from(["population", "pop", "NOPE", key]))
    if clean and "households" in headers and draw(st.booleans()):
        kwargs["attribute_fields"] = ["households"]
    elif not clean and draw(st.integers(0, 4)) == 0:
        kwargs["attribute_fields"] = draw(st.lists(st.sampled_from(["households", "area", "NOPE", key]),
                                                   min_size=1, max_size=2))
    return Case("population.csv", data, kwargs, f"headers {headers}, {len(rows)} rows; {how}")
