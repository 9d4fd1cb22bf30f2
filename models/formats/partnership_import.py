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
from models.catalogue.identity import parse_uuid
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
from models.errors import CatalogueError, plural
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
    "citations": ("Citations (one a line: source | page | quote)", ("citations", "citation", "sources")),
    # The partnership's identifier, as `export` writes it: a row whose uuid the catalogue holds is
    # recognised (left as it is, not added twice); a new one keeps its uuid.
    "uuid": ("Identifier (uuid)", ("uuid",)),
}
_GSS = re.compile(r"^[EWSNK]\d{8}$", re.IGNORECASE)
# "Name [GSS] (role, from–to)": the code and the bracket are optional, and the bracket is
# only a role when it starts with one, so "NHS Barnet (PCT)" stays a name.
_MEMBER = re.compile(r"^(?P<name>.*?)\s*(?:\[(?P<code>[^\[\]]*)\])?\s*"
                     r"(?:\((?P<role>" + "|".join(ROLES) + r")\s*(?:,(?P<dates>[^()]*))?\))?$",
                     re.IGNORECASE | re.DOTALL)
# Between two dates: an en or em dash (ISO dates hold hyphens), or the word "to".
_DATE_RANGE = re.compile(r"\s*(?:–|—|\bto\b)\s*")
CITATION_SEPARATOR = " | "
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


@dataclass(frozen=True)
class PlannedMember:
    key: str                # the name or GSS code as written
    role: str = "member"
    code: str | None = None   # the GSS code written in brackets after a name
    joined: str | None = None
    left: str | None = None


@dataclass(frozen=True)
class PlannedCitation:
    source: str             # the source's title
    page: str = ""
    quote: str = ""


@dataclass
class PlannedRow:
    row: int
    partnership: Partnership
    members: list[PlannedMember]
    citations: list[PlannedCitation] = field(default_factory=list)
    lead: str = ""
    uuid: str | None = None   # the identifier the row carries, kept by the new partnership


@dataclass
class ImportPlan:
    headers: list[str]
    mapping: dict[str, str]                # field -> column header
    rows: list[PlannedRow] = field(default_factory=list)
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_sources: list[str] = field(default_factory=list)
    new_codes: dict[str, str] = field(default_factory=dict)   # new organisation (lower-cased) -> GSS code
    table: list[list[str]] = field(default_factory=list, repr=False)   # the raw cells, for previews
    first_row: int = 2
    # Rows whose uuid the catalogue already holds: (row number, the partnership's name here).
    recognised: list[tuple[int, str]] = field(default_factory=list)

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


def format_amount(amount: float | None) -> str:
    """An amount as the export writes it: every digit kept, so it reads back exactly."""
    if amount is None:
        return ""
    return str(int(amount)) if amount.is_integer() else repr(amount)


def member_text(name: str, code: str | None, role: str, joined: str | None, left: str | None) -> str:
    """One entry of the members column: `Name [GSS] (role, from–to)`, with only what is known."""
    text = name + (f" [{code}]" if code else "")
    if joined or left:
        return f"{text} ({role}, {joined or ''}–{left or ''})"
    return text if role == "member" else f"{text} ({role})"


def citation_text(title: str, page: str, quote: str) -> str:
    """One line of the citations column: `source | page | quote`, on one line."""
    parts = [one_line(title).strip(), one_line(page).strip(), one_line(quote).strip()]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return CITATION_SEPARATOR.join(parts)


def _member(entry: str, errors: list[str]) -> PlannedMember | None:
    m = _MEMBER.match(entry)
    name, code, role, span = m.group("name"), m.group("code"), m.group("role"), m.group("dates")
    if not name:
        errors.append(f"member '{entry}' has {'a role but ' if role or code else ''}no name")
        return None
    if code is not None:
        code = code.strip().upper()
        if not _GSS.match(code):
            errors.append(f"member '{entry}': '{code}' is not a GSS code")
            return None
        if _GSS.match(name):
            errors.append(f"member '{entry}': give a name before the GSS code")
            return None
    joined = left = None
    if span is not None:
        bounds = _DATE_RANGE.split(span.strip())
        if len(bounds) != 2:
            errors.append(f"member '{entry}': write its dates as from–to (2008–2011, 2008–, –2011)")
            return None
        try:
            joined, left = _date(bounds[0], "joined"), _date(bounds[1], "left")
        except ValueError as e:
            errors.append(f"member '{entry}': {e}")
            return None
        if dates.before(left, joined):
            errors.append(f"member '{entry}': left {left} is before joined {joined}")
            return None
    return PlannedMember(name, (role or "member").lower(), code, joined, left)


def _citations(cells: dict[str, str], errors: list[str]) -> list[PlannedCitation]:
    out = []
    if cells.get("source"):
        out.append(PlannedCitation(cells["source"], cells.get("source_page", "")))
    elif cells.get("source_page"):
        errors.append("a source page with no source")
    for line in re.split(r"\r\n|\r|\n", cells.get("citations", "")):
        if not line.strip():
            continue
        title, page, quote = ([part.strip() for part in line.split(CITATION_SEPARATOR.strip(), 2)]
                              + ["", ""])[:3]
        if not title:
            errors.append(f"citation '{line.strip()}' names no source")
            continue
        out.append(PlannedCitation(title, page, quote))
    return out


def _row(cells: dict[str, str], today: str) -> tuple[Partnership | None, list[PlannedMember],
                                                     list[PlannedCitation], list[str]]:
    """The row's partnership, members and citations, and every fault found in it (a row
    with several mistakes gets them all named at once, not one per attempt)."""
    errors: list[str] = []

    def attempt(function, *args, default=None):
        try:
            return function(*args)
        except ValueError as e:
            errors.append(str(e))
            return default

    name = cells.get("name", "")
    if not name:
        errors.append("no name")
    kind = attempt(_choice, cells["kind"], PARTNERSHIP_KINDS, "kind") if cells.get("kind") else "other"
    start = attempt(_date, cells.get("start", ""), "start")
    end = attempt(_date, cells.get("end", ""), "end")
    if cells.get("status"):
        status = attempt(_choice, cells["status"], STATUSES, "status")
    else:  # a partnership that has ended says so by its end date
        status = "ended" if end and dates.latest(end) < today else "active"
    period = (attempt(_choice, cells["savings_period"], SAVINGS_PERIODS, "savings period")
              if cells.get("savings_period") else None)
    amount = attempt(parse_amount, cells.get("savings_amount", ""))
    members: list[PlannedMember] = []
    for entry in _split(cells.get("members", "")):
        member = _member(entry, errors)
        if member is None:
            continue
        if any(k.key.lower() == member.key.lower() for k in members):
            errors.append(f"{member.key} is listed twice")
            continue
        members.append(member)
    citations = _citations(cells, errors)
    if start and end and dates.before(end, start):
        errors.append(f"end {end} is before start {start}")
    if errors:
        return None, members, citations, errors
    p = Partnership(name=name, kind=kind, status=status, start=start, end=end,
                    policy_areas=tuple(_split(cells.get("policy_areas", ""))),
                    governance=cells.get("governance", ""), funding=cells.get("funding", ""),
                    savings_amount=amount, savings_period=period or ("per year" if amount else None),
                    savings_text=cells.get("savings_text", ""), description=cells.get("description", ""),
                    notes=cells.get("notes", ""), tags=tuple(_split(cells.get("tags", ""))))
    try:
        p = check_partnership(p)
    except CatalogueError as e:
        return None, members, citations, [str(e)]
    return p, members, citations, []


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
    new_orgs: dict[str, tuple[str, str | None]] = {}   # lower-cased name -> (name, GSS code)
    new_sources: dict[str, str] = {}
    known: dict[str, Organisation | None] = {}   # lower-cased name or code -> what find() said

    def find(key: str) -> Organisation | None:
        folded = key.strip().lower()
        if folded not in known:
            known[folded] = cat.organisations.find(key)
        return known[folded]

    def resolve(member: PlannedMember, problems: list[str]) -> object:
        """The organisation's id, or its lower-cased name when the import would create it."""
        if member.code is None:
            org = find(member.key)
            if org is None and _GSS.match(member.key):
                problems.append(f"no organisation has the GSS code {member.key.upper()}")
        else:
            org = find(member.code)
            if org is not None and (org.gss_code or "").upper() != member.code:
                org = None   # the code matched someone's name, not a code
            by_name = find(member.key)
            if org is not None and org.name.lower() != member.key.lower():
                problems.append(f"{member.code} is {org.name} in the catalogue, not {member.key}")
            elif org is None and by_name is not None and by_name.gss_code:
                problems.append(f"{by_name.name} has the GSS code {by_name.gss_code}, not {member.code}")
            elif org is None and by_name is not None:
                org = by_name
            elif org is None:
                earlier = new_orgs.get(member.key.lower())
                if earlier and earlier[1] not in (None, member.code):
                    problems.append(f"{member.key} is given the GSS codes {earlier[1]} and {member.code}")
                elif any(c == member.code and k != member.key.lower() for k, (_, c) in new_orgs.items()):
                    problems.append(f"{member.code} is given to two organisations")
        if org is None:
            if not _GSS.match(member.key):
                earlier = new_orgs.get(member.key.lower())
                new_orgs[member.key.lower()] = (earlier or (member.key, None))[0], (
                    member.code or (earlier[1] if earlier else None))
            return member.key.lower()
        return org.id

    held = cat.identity.uuids("partnerships") if "uuid" in index else {}
    seen_uuids: dict[str, int] = {}
    for number, raw in enumerate(table, start=2):
        if not any(raw):
            continue  # blank lines between blocks are common in hand-made sheets
        cells = {key: raw[i] for key, i in index.items()}
        row_uuid = None
        if cells.get("uuid", "").strip():
            row_uuid = parse_uuid(cells["uuid"])
            if row_uuid in held:   # this catalogue's own partnership, come back: recognised
                plan.recognised.append((number, cat.partnerships.get(held[row_uuid]).name))
                continue
        p, members, citations, problems = _row(cells, today)
        if cells.get("uuid", "").strip() and row_uuid is None:
            problems.append(f"uuid '{cells['uuid'].strip()}' is not a uuid")
        elif row_uuid in seen_uuids:
            problems.append(f"uuid {row_uuid} is also on row {seen_uuids[row_uuid]}")
        elif row_uuid:
            seen_uuids[row_uuid] = number
        name = cells.get("name", "")
        folded = name.lower()
        if name and folded in seen_names:
            problems.append(f"'{name}' is also on row {seen_names[folded]}")
        elif name and cat.partnerships.find(name):
            problems.append(f"'{name}' is already in the catalogue")
        if name:
            seen_names.setdefault(folded, number)
        lead = cells.get("lead", "")
        member_as: dict[object, str] = {}   # organisation (id, or new name) -> how the row named it
        for n, member in enumerate(members + ([PlannedMember(lead)] if lead else [])):
            identity = resolve(member, problems)
            if n < len(members):   # one organisation named twice (by name and by code) is one member
                if identity in member_as:
                    problems.append(f"{member_as[identity]} and {member.key} are the same organisation")
                member_as.setdefault(identity, member.key)
        for c in citations:
            if c.source.lower() not in existing_sources:
                new_sources.setdefault(c.source.lower(), c.source)
        if problems:
            plan.row_errors.extend((number, text) for text in problems)
            continue
        plan.rows.append(PlannedRow(number, p, members, citations, lead, row_uuid))
    plan.new_organisations = sorted((name for name, _ in new_orgs.values()), key=str.lower)
    plan.new_codes = {name.lower(): code for name, code in new_orgs.values() if code}
    plan.new_sources = sorted(new_sources.values(), key=str.lower)
    if not plan.rows and not plan.row_errors and not plan.recognised:
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

        def organisation(key: str, code: str | None = None) -> int:
            folded = (code or key).strip().lower()
            if folded not in ids:
                org = cat.organisations.find(code) if code else None
                org = org or cat.organisations.find(key)
                ids[folded] = org.id if org else cat.organisations.add(Organisation(
                    name=key, gss_code=plan.new_codes.get(key.lower()))).id
            return ids[folded]

        for n, row in enumerate(plan.rows):
            members = [Membership(0, organisation(m.key, m.code), role=m.role, joined=m.joined, left=m.left)
                       for m in row.members]
            leads = [m.organisation_id for m in members if m.role == "lead"]
            # An empty cell of a lead column says "no lead" (as an export writes it); without
            # the column, a single member marked (lead) is the lead.
            inferred = leads[0] if len(leads) == 1 and "lead" not in plan.mapping else None
            lead_id = organisation(row.lead) if row.lead else inferred
            p = replace(row.partnership, lead_id=lead_id)
            pid = cat.partnerships.add(p, members).id
            if row.uuid:
                cat.identity.assign("partnerships", pid, row.uuid)
            for c in row.citations:
                sid = sources.get(c.source.lower())
                if sid is None:
                    sid = sources[c.source.lower()] = cat.sources.add(Source(title=c.source)).id
                cat.sources.cite(Citation(source_id=sid, page=c.page, quote=c.quote, partnership_id=pid))
            if progress:
                progress((n + 1) / len(plan.rows), f"Imported {n + 1:,} of {plural(len(plan.rows), 'partnership')}")
    return revert
