"""Bulk import of partnerships from a spreadsheet (CSV or XLSX), checked in full before anything is written.

    plan = plan_import(cat, "partnerships.csv")          # preview + per-row errors, writes nothing
    revert = import_partnerships(cat, "partnerships.csv")  # one transaction, one undo step

The columns are described in docs/partnerships-csv.md. Row numbers are the
spreadsheet's own (the header is row 1), so a researcher can find the row.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from models.catalogue import dates
from models.catalogue.layers import Progress
from models.catalogue.partnerships import check_partnership
from models.catalogue.records import (
    PARTNERSHIP_KINDS,
    ROLES,
    SAVINGS_PERIODS,
    STATUSES,
    Citation,
    Membership,
    Organisation,
    Partnership,
    Source,
)
from models.errors import CatalogueError
from models.formats.user_text import one_line, one_line_errors, read_text

# field -> (label shown in the mapping dialog, header spellings recognised when guessing)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("Name (required)", ("name", "partnership", "partnershipname", "title")),
    "kind": ("Kind", ("kind", "type", "partnershipkind", "partnershiptype")),
    "status": ("Status", ("status", "state")),
    "start": ("Start date", ("start", "startdate", "from", "started", "began", "since")),
    "end": ("End date", ("end", "enddate", "to", "ended", "until")),
    "policy_areas": ("Policy areas (; between)", ("policyareas", "policyarea", "policy", "themes",
                                                 "services", "areasofwork")),
    "members": ("Members (; between names or GSS codes)", (
        "members", "memberorganisations", "partners", "organisations", "memberships")),
    "lead": ("Lead organisation (name or GSS code)", ("lead", "leadorganisation", "leadbody")),
    "description": ("Description", ("description", "summary", "about")),
    "governance": ("Governance", ("governance",)),
    "funding": ("Funding", ("funding", "funder", "funders")),
    "savings_amount": ("Savings (£)", ("savings", "savingsamount", "savings£", "amount")),
    "savings_period": ("Savings period", ("savingsperiod", "period")),
    "savings_text": ("Savings (as reported)", ("savingstext", "savingsnotes", "savingsasreported")),
    "notes": ("Notes", ("notes", "note", "comments")),
    "tags": ("Tags (; between)", ("tags", "tag", "keywords")),
    "source": ("Source title", ("source", "report", "sourcetitle", "reference")),
    "source_page": ("Source page", ("page", "sourcepage", "pages")),
}
_GSS = re.compile(r"^[EWSNK]\d{8}$", re.IGNORECASE)
_ROLE_SUFFIX = re.compile(r"^(.*?)\s*\((" + "|".join(ROLES) + r")\)$", re.IGNORECASE)
_MAX_BAD_ROWS_SHOWN = 200


class PartnershipImportError(CatalogueError):
    """Some rows are wrong; nothing was written. row_errors: [(row number, message), …]."""

    def __init__(self, row_errors: list[tuple[int, str]]):
        # Messages quote cells, which may hold line breaks; each error is shown on one line.
        row_errors = [(row, one_line(text)) for row, text in row_errors]
        self.row_errors = row_errors
        rows = sorted({r for r, _ in row_errors})
        first_row, first = row_errors[0]
        n = len(rows)
        super().__init__(f"{n} row{'s' if n != 1 else ''} {'have' if n != 1 else 'has'} errors "
                         f"(row {first_row}: {first}); nothing was imported")


@dataclass
class PlannedRow:
    row: int
    partnership: Partnership
    members: list[tuple[str, str]]        # (name or GSS code as written, role)
    source: str = ""
    source_page: str = ""
    lead: str = ""


@dataclass
class ImportPlan:
    headers: list[str]
    mapping: dict[str, str]                # field -> column header
    rows: list[PlannedRow] = field(default_factory=list)
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_sources: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list, repr=False)   # the raw cells, for previews
    first_row: int = 2

    @property
    def ok(self) -> bool:
        return not self.row_errors and bool(self.rows)


# -- reading the file ----------------------------------------------------
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@one_line_errors
def read_table(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of the first sheet (XLSX) or of a CSV file, as text."""
    path = Path(path)
    if not path.is_file():
        raise CatalogueError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _read_csv(path)
    else:
        raise CatalogueError(f"{path.name}: partnerships are imported from .csv or .xlsx files")
    if not rows or not any(rows[0]):
        raise CatalogueError(f"{path.name} is empty")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    headers = [h or f"Column {i + 1}" for i, h in enumerate(rows[0])]
    return headers, rows[1:]


def _read_csv(path: Path) -> list[list[str]]:
    text = read_text(path)   # UTF-8, UTF-16 or the cp1252 that Excel on Windows still saves
    # The header line decides the delimiter: Excel in many European locales saves ';'.
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max(",;\t", key=header.count)
    try:
        # newline="": rows may end in \r\n, \n or a bare \r (old Mac Excel); csv handles all three.
        return [[c.strip() for c in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise CatalogueError(f"cannot read {path.name}: {e}") from None


def _sheet_cells(path: Path, data_only: bool) -> list[list[tuple]]:
    """(value, data type, cell name) of every cell in the first sheet."""
    import openpyxl  # only needed here; keeps start-up light
    book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        if not book.worksheets:
            return []
        return [[(c.value, c.data_type, getattr(c, "coordinate", "")) for c in row]
                for row in book.worksheets[0].iter_rows()]
    finally:
        book.close()


def _read_xlsx(path: Path) -> list[list[str]]:
    """The first sheet's cells as text. A formula is never evaluated: its result as Excel
    last saved it is used, and a formula with no saved result (a file written by a
    program, never opened in Excel) or a cell showing an error (#DIV/0!…) is refused."""
    try:
        cells = _sheet_cells(path, data_only=False)
        formulas = [(r, c) for r, row in enumerate(cells) for c, cell in enumerate(row) if cell[1] == "f"]
        saved = _sheet_cells(path, data_only=True) if formulas else cells
    except zipfile.BadZipFile:
        raise CatalogueError(f"cannot read {path.name}: it is not an Excel workbook, or is damaged") from None
    except (zlib.error, EOFError):   # a sheet's compressed data, read only while iterating
        raise CatalogueError(f"cannot read {path.name}: it is damaged (part of it cannot be "
                             "decompressed)") from None
    except Exception as e:  # openpyxl also raises KeyError, XML and InvalidFileException errors
        text = str(e).strip()
        raise CatalogueError(f"cannot read {path.name}: "
                             f"{text.splitlines()[0] if text else type(e).__name__}") from None
    for r, c in formulas:
        value, kind, name = cells[r][c]
        result = saved[r][c] if r < len(saved) and c < len(saved[r]) else (None, "n", name)
        if result[0] is None:
            formula = getattr(value, "text", value)   # an array formula is an object
            raise CatalogueError(f"{path.name}: cell {name} holds a formula ({formula}) with no saved "
                                 "result; open and save the file in Excel, or paste the values")
        cells[r][c] = result
    for row in cells:
        for value, kind, name in row:
            if kind == "e":
                raise CatalogueError(f"{path.name}: cell {name} shows the error {value}; correct it first")
    return [[_cell(value) for value, _, _ in row] for row in cells]


def _squash(header: str) -> str:
    return re.sub(r"[^a-z0-9£]", "", header.lower())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """field -> header, for headers spelled like the documented columns."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for key, (_, spellings) in FIELDS.items():
        for h in headers:
            if h not in used and _squash(h) in spellings:
                mapping[key] = h
                used.add(h)
                break
    return mapping


# -- checking ------------------------------------------------------------
def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    for a in allowed:
        if value.lower() == a.lower():
            return a
    raise ValueError(f"unknown {what} '{value}'")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def parse_amount(value: str) -> float | None:
    """An amount in £ as people write it: "£1,500", "2.5m", "300k"; empty gives None."""
    text = value.replace("£", "").replace(",", "").strip()
    if not text:
        return None
    scale = 1.0
    if text[-1:].lower() in ("m", "k"):
        scale = 1e6 if text[-1].lower() == "m" else 1e3
        text = text[:-1]
    try:
        amount = float(text) * scale
    except ValueError:
        raise ValueError(f"savings '{value}' is not an amount in £") from None
    if not math.isfinite(amount):   # "inf", "nan", "1e400": float() reads them, no report means them
        raise ValueError(f"savings '{value}' is not an amount in £")
    if amount < 0:
        raise ValueError("savings must be a positive amount in £")
    return amount


def _date(value: str, what: str) -> str | None:
    try:
        return dates.parse(value[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value) else value)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None


def _row(cells: dict[str, str], today: str) -> tuple[Partnership, list[tuple[str, str]]]:
    name = cells.get("name", "")
    if not name:
        raise ValueError("no name")
    kind = _choice(cells["kind"], PARTNERSHIP_KINDS, "kind") if cells.get("kind") else "other"
    start = _date(cells.get("start", ""), "start")
    end = _date(cells.get("end", ""), "end")
    if cells.get("status"):
        status = _choice(cells["status"], STATUSES, "status")
    else:  # a partnership that has ended says so by its end date
        status = "ended" if end and dates.latest(end) < today else "active"
    period = (_choice(cells["savings_period"], SAVINGS_PERIODS, "savings period")
              if cells.get("savings_period") else None)
    amount = parse_amount(cells.get("savings_amount", ""))
    members: list[tuple[str, str]] = []
    for entry in _split(cells.get("members", "")):
        m = _ROLE_SUFFIX.match(entry)
        key, role = (m.group(1), m.group(2).lower()) if m else (entry, "member")
        if not key:
            raise ValueError(f"member '{entry}' has a role but no name")
        if any(k.lower() == key.lower() for k, _ in members):
            raise ValueError(f"{key} is listed twice")
        members.append((key, role))
    p = Partnership(name=name, kind=kind, status=status, start=start, end=end,
                    policy_areas=tuple(_split(cells.get("policy_areas", ""))),
                    governance=cells.get("governance", ""), funding=cells.get("funding", ""),
                    savings_amount=amount, savings_period=period or ("per year" if amount else None),
                    savings_text=cells.get("savings_text", ""), description=cells.get("description", ""),
                    notes=cells.get("notes", ""), tags=tuple(_split(cells.get("tags", ""))))
    try:
        p = check_partnership(p)
    except CatalogueError as e:
        raise ValueError(str(e)) from None
    return p, members


@one_line_errors
def plan_import(cat, path: str | Path, mapping: dict[str, str] | None = None) -> ImportPlan:
    """Everything the import would do, and every row's errors; writes nothing."""
    headers, table = read_table(path)
    mapping = guess_mapping(headers) if mapping is None else {k: v for k, v in mapping.items() if v}
    unknown = [k for k in mapping if k not in FIELDS]
    if unknown:
        raise CatalogueError(f"unknown field '{unknown[0]}' in the column mapping")
    missing = [h for h in mapping.values() if h not in headers]
    if missing:
        raise CatalogueError(f"{Path(path).name} has no column '{missing[0]}'")
    if "name" not in mapping:
        raise CatalogueError("choose the column that holds the partnerships' names")
    plan = ImportPlan(headers=headers, mapping=mapping, table=table)
    index = {key: headers.index(h) for key, h in mapping.items()}
    today = dt.date.today().isoformat()
    seen_names: dict[str, int] = {}
    existing_sources = {s.title.lower(): s for s in cat.sources.all()}
    new_orgs: dict[str, str] = {}
    new_sources: dict[str, str] = {}
    known: dict[str, Organisation | None] = {}   # lower-cased name or code -> what find() said

    def find(key: str) -> Organisation | None:
        folded = key.strip().lower()
        if folded not in known:
            known[folded] = cat.organisations.find(key)
        return known[folded]
    for number, raw in enumerate(table, start=2):
        if not any(raw):
            continue  # blank lines between blocks are common in hand-made sheets
        cells = {key: raw[i] for key, i in index.items()}
        try:
            p, members = _row(cells, today)
        except ValueError as e:
            plan.row_errors.append((number, str(e)))
            continue
        problems = []
        folded = p.name.lower()
        if folded in seen_names:
            problems.append(f"'{p.name}' is also on row {seen_names[folded]}")
        elif cat.partnerships.find(p.name):
            problems.append(f"'{p.name}' is already in the catalogue")
        seen_names.setdefault(folded, number)
        lead = cells.get("lead", "")
        member_as: dict[object, str] = {}   # organisation (id, or new name) -> how the row named it
        for n, key in enumerate([k for k, _ in members] + ([lead] if lead else [])):
            org = find(key)
            if org is None:
                if _GSS.match(key):
                    problems.append(f"no organisation has the GSS code {key.upper()}")
                else:
                    new_orgs.setdefault(key.lower(), key)
            identity = org.id if org else key.lower()
            if n < len(members):   # one organisation named twice (by name and by code) is one member
                if identity in member_as:
                    problems.append(f"{member_as[identity]} and {key} are the same organisation")
                member_as.setdefault(identity, key)
        source = cells.get("source", "")
        if source and source.lower() not in existing_sources:
            new_sources.setdefault(source.lower(), source)
        if problems:
            plan.row_errors.extend((number, text) for text in problems)
            continue
        plan.rows.append(PlannedRow(number, p, members, source, cells.get("source_page", ""), lead))
    plan.new_organisations = sorted(new_orgs.values(), key=str.lower)
    plan.new_sources = sorted(new_sources.values(), key=str.lower)
    if not plan.rows and not plan.row_errors:
        raise CatalogueError(f"{Path(path).name} has no partnerships below its header row")
    return plan


# -- writing -------------------------------------------------------------
def import_partnerships(cat, path: str | Path, mapping: dict[str, str] | None = None,
                        progress: Progress | None = None):
    """Import every row in one transaction (one undo step), or raise PartnershipImportError and write nothing.

    The Revert's inserted('partnerships') lists the new ids. A progress callback may raise Cancelled.
    """
    plan = plan_import(cat, path, mapping)
    if plan.row_errors:
        raise PartnershipImportError(plan.row_errors)
    return write_plan(cat, plan, progress)


def write_plan(cat, plan: ImportPlan, progress: Progress | None = None):
    if plan.row_errors:
        raise PartnershipImportError(plan.row_errors)
    sources = {s.title.lower(): s.id for s in cat.sources.all()}
    with cat.store.edit() as revert:
        ids: dict[str, int] = {}   # lower-cased name or code -> id: a sheet names the same few bodies often

        def organisation(key: str) -> int:
            folded = key.strip().lower()
            if folded not in ids:
                org = cat.organisations.find(key)
                ids[folded] = org.id if org else cat.organisations.add(Organisation(name=key)).id
            return ids[folded]

        for n, row in enumerate(plan.rows):
            member_ids = [(organisation(key), role) for key, role in row.members]
            leads = [o for o, role in member_ids if role == "lead"]
            lead_id = organisation(row.lead) if row.lead else leads[0] if len(leads) == 1 else None
            p = replace(row.partnership, lead_id=lead_id)
            pid = cat.partnerships.add(p, [Membership(0, o, role=r) for o, r in member_ids]).id
            if row.source:
                sid = sources.get(row.source.lower())
                if sid is None:
                    sid = sources[row.source.lower()] = cat.sources.add(Source(title=row.source)).id
                cat.sources.cite(Citation(source_id=sid, page=row.source_page, partnership_id=pid))
            if progress:
                progress((n + 1) / len(plan.rows), f"Imported {n + 1:,} of {len(plan.rows):,} partnerships")
    return revert
