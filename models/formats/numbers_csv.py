"""Numbers by unit code from a CSV (ward populations and other counts), joined to a layer's codes.

    table = read_table("population.csv", ["population"])   # parsed; needs no layer yet
    table.join(codes)                                       # {field: [value or None per code]}
    read_population("population.csv", codes)                # both at once, one column

A boundary import reads the file beside GEOS's validity check and joins it after. Empty
cells and codes the file does not have give None; anything else that is not a count is an
error naming the file and line.
"""
from __future__ import annotations

import csv
import io
import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import CatalogueError
from models.formats.gdal_source import first_line
from models.formats.user_text import one_line_errors, read_text

# An ONS ward code field (WD20CD, WD22CD…): the key a population CSV is joined by unless told.
_WARD_CODE_FIELD = re.compile(r"^WD[A-Z]{0,4}\d{2}CD$", re.IGNORECASE)


@one_line_errors
def csv_columns(path: str | Path) -> list[str]:
    """The header of a CSV (for choosing the population column)."""
    try:
        return next(csv.reader(io.StringIO(read_text(path), newline="")), [])
    except csv.Error as e:
        raise CatalogueError(f"cannot read {Path(path).name}: {first_line(e)}") from None


def read_population(csv_path: str | Path, codes: list[str], value_field: str = "population",
                    key_field: str | None = None) -> list[float | None]:
    """Values for each code from a CSV keyed by code; empty cells and absent codes give None."""
    return read_numbers(csv_path, codes, [value_field], key_field)[value_field]


@one_line_errors
def read_numbers(csv_path: str | Path, codes: list[str], value_fields: list[str],
                 key_field: str | None = None) -> dict[str, list[float | None]]:
    """Numeric columns of a CSV keyed by unit code, in the order of `codes`."""
    return read_table(csv_path, value_fields, key_field).join(codes)


@dataclass
class NumbersTable:
    """A CSV's numeric columns by unit code (read_table), to be joined to a layer's codes."""
    filename: str
    key_field: str
    value_fields: list[str]
    index: dict[str, int]                  # code -> row of the columns
    columns: list[list[float | None]]      # one a value field

    @one_line_errors
    def join(self, codes: list[str]) -> dict[str, list[float | None]]:
        """Each value field's numbers in the order of `codes`, None for a code not in the table."""
        rows_of = list(map(self.index.get, codes))
        unmatched = rows_of.count(None)
        if unmatched == len(rows_of):
            raise CatalogueError(f"no code in {self.filename} column '{self.key_field}' "
                                 "matches the layer's codes")
        if not unmatched:   # every unit has its row: one C-level lookup per column
            joined = [list(map(numbers.__getitem__, rows_of)) for numbers in self.columns]
        else:
            joined = [[None if i is None else numbers[i] for i in rows_of] for numbers in self.columns]
        return dict(zip(self.value_fields, joined))


@one_line_errors
def read_table(csv_path: str | Path, value_fields: list[str], key_field: str | None = None) -> NumbersTable:
    """A CSV's numeric columns by code, read and checked without the layer's codes (an
    import reads it while GEOS checks the layer's geometry)."""
    csv_path = Path(csv_path)
    text = read_text(csv_path)   # UTF-8, UTF-16 or Windows-1252, as spreadsheets save CSV
    # csv.reader and column numbers, not DictReader: a dict per row was half the join's
    # time at 161k rows.
    plain = _plain_table(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = plain[0] if plain else next(reader, [])
        for field in value_fields:
            if field not in header:
                raise CatalogueError(f"{csv_path.name} has no column '{field}' "
                                     f"(columns: {', '.join(header) or 'none'})")
        if key_field is None:
            key_field = next((h for h in header if _WARD_CODE_FIELD.match(h)),
                             "code" if "code" in header else header[0])
        if key_field not in header:
            raise CatalogueError(f"{csv_path.name} has no column '{key_field}'")
        key = header.index(key_field)
        columns = [header.index(field) for field in value_fields]
        table = NumbersTable(csv_path.name, key_field, list(value_fields), {}, [])
        parsed = _parse_plain(plain[1] if plain else _columns(list(reader)), key, columns)
        if parsed is not None:
            table.index, table.columns = parsed
            return table
        # Something the quick reading does not take (a code twice, a cell that is no plain
        # count): read again row by row, which names the line.
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader, None)
        values: dict[str, list[float | None]] = {}
        filename = csv_path.name
        for row in reader:
            width = len(row)   # a short row lacks its last cells; a blank line has none
            code = row[key].strip() if key < width else ""
            if not code:   # a total or a note below the table: it joins no unit
                continue
            if code in values:
                raise CatalogueError(f"{csv_path.name} line {reader.line_num}: code {code} appears twice")
            # reader.line_num: the file's own line, also past quoted line breaks
            values[code] = [_count(row[k] if k < width else None, filename, reader.line_num)
                            for k in columns]
    except csv.Error as e:
        raise CatalogueError(f"cannot read {csv_path.name}: {first_line(e)}") from None
    table.index = dict(zip(values, range(len(values))))
    table.columns = [[r[k] for r in values.values()] for k in range(len(value_fields))]
    return table


Column = Callable[[int], list[str | None]]


def _plain_table(text: str) -> tuple[list[str], Column | None] | None:
    """(header, column) of a CSV whose rows are each one line, as wide as the header,
    without blank lines: most published tables. Lines without quotes are split by
    str.split, ~5 times faster than csv.reader at 161k rows; the few with quotes (a name
    with a comma) by csv.reader. Rows come in an order of their own (the join does not
    mind): lines without quotes first. None for any other CSV (csv.reader reads it)."""
    if "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or "" in lines:
        return None
    quoted = [line for line in lines if '"' in line] if '"' in text else []
    try:
        # strict: a quote where a plain field has one, or a quoted field still open at
        # the end, is an error here; a field running over a line end joins two lines into
        # one row. Either way the careful reading follows.
        quoted_rows = list(csv.reader(quoted, strict=True))
    except csv.Error:
        return None
    if len(quoted_rows) != len(quoted):
        return None
    header = quoted_rows.pop(0) if '"' in lines[0] else lines[0].split(",")
    width = len(header)
    plain = [line for line in lines[1:] if '"' not in line] if quoted else lines[1:]
    if any(len(r) != width for r in quoted_rows) or \
            (plain and set(map(str.count, plain, itertools.repeat(","))) != {width - 1}):
        return None
    if not plain and not quoted_rows:
        return header, None
    cells = ",".join(plain).split(",") if plain else []

    def column(k: int) -> list[str | None]:
        return cells[k::width] + [r[k] for r in quoted_rows]
    return header, column


def _columns(rows: list[list[str]]) -> Column | None:
    """column(k): the rows' cells in column k (None where a short row lacks it)."""
    if not rows:
        return None
    shortest = min(map(len, rows))

    def column(k: int) -> list[str | None]:
        if k < shortest:
            return list(map(operator.itemgetter(k), rows))
        return [r[k] if k < len(r) else None for r in rows]
    return column


def _parse_plain(column: Column | None, key: int,
                 columns: list[int]) -> tuple[dict[str, int], list[list[float | None]]] | None:
    """read_table's reading column by column, for a table of distinct codes and plain
    counts (what statistics offices publish): each column converted by one map(float)
    instead of a call per cell. (code -> row, columns); None when a row needs the careful
    reading (a repeated code, an empty or odd cell), which the caller then does."""
    if column is None or not columns:
        return None
    # map() with C methods, not a comprehension per cell: ~0.1 s less at 161k rows.
    keys = column(key)
    keys = list(map(str.strip, keys)) if None not in keys else [c.strip() if c else "" for c in keys]
    index = dict(zip(keys, range(len(keys))))
    index.pop("", None)
    empty = keys.count("")
    if len(index) != len(keys) - empty:
        return None
    blank = {i for i, c in enumerate(keys) if not c} if empty else set()
    out = []
    for k in columns:
        cells = column(k)
        if blank:   # totals or notes below the table join no unit: their cells do not matter
            cells = [v for i, v in enumerate(cells) if i not in blank]
        try:
            numbers = list(map(float, cells))
        except (TypeError, ValueError):
            numbers = _with_empty_cells(cells)
            if numbers is None:
                return None
        # Counts are finite and not negative; None (an empty cell) reads as NaN here.
        values = np.array(numbers, dtype=float)
        if np.count_nonzero((values >= 0) & (values < math.inf)) != len(numbers) - numbers.count(None):
            return None
        out.append(numbers)
    if blank:   # rows of the columns, which lack the blank-keyed rows
        index = dict(zip([c for c in keys if c], range(len(keys) - empty)))
    return index, out


def _with_empty_cells(cells: list[str | None]) -> list[float | None] | None:
    """The cells as numbers, empty ones (no figure for the unit) as None, as _count has
    them; None if another cell is no number. Empty cells made NaN by a dict lookup and
    read by one map(float), not a call per cell (a tenth of a second at 161k rows)."""
    try:
        numbers = list(map(float, map({"": "nan", None: "nan"}.get, cells, cells)))
        empty = cells.count("") + cells.count(None)
    except (TypeError, ValueError):
        try:   # cells of spaces only
            numbers = [math.nan if v is None or not v.strip() else float(v) for v in cells]
        except ValueError:
            return None
        empty = sum(1 for v in cells if v is None or not v.strip())
    # A NaN written in the file is no count: only empty cells may be NaN.
    if int(np.isnan(np.array(numbers)).sum()) != empty:
        return None
    return [None if v != v else v for v in numbers]


def _count(text: str | None, filename: str, line: int) -> float | None:
    try:   # the common case first: a plain number (float() allows the spaces around it)
        value = float(text)
    except (TypeError, ValueError):
        return _count_text(text, filename, line)
    if 0 <= value < math.inf:
        return value
    return _count_text(text, filename, line)


def _count_text(text: str | None, filename: str, line: int) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise CatalogueError(f"{filename} line {line}: '{text}' is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise CatalogueError(f"{filename} line {line}: '{text}' is not a count")
    return value
