"""Sources as BibTeX: a small parser of its own and a writer.

The parser reads what reference managers write: `@type{key, field = {…} | "…" | 123 |
macro, …}` with `#` joining parts, `@string` macros, the month macros, `@comment` and
`@preamble` skipped, text between entries ignored (as BibTeX does). Values are turned
back into text: braces dropped, the common escapes (\\& \\% \\_ …) and accents (\\'e, {\\"o})
decoded. Anything it cannot read raises one line with the line number, entry and field.
"""
from __future__ import annotations

import re
import unicodedata

from models.catalogue.records import Source
from models.errors import CatalogueError
from models.formats.references import citation_keys, entry_error, source_from

MONTHS = {m: str(i) for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Entry types -> ours (anything else is "other": BibTeX styles accept unknown types too).
FROM_BIBTEX = {"techreport": "report", "report": "report", "online": "web page", "www": "web page",
               "webpage": "web page", "electronic": "web page", "article": "article", "book": "book",
               "incollection": "chapter", "inbook": "chapter", "dataset": "dataset", "data": "dataset"}
TO_BIBTEX = {"report": "techreport", "minutes": "techreport", "web page": "online", "article": "article",
             "book": "book", "chapter": "incollection", "dataset": "dataset", "other": "misc"}
# Where each type keeps its publisher.
PUBLISHER_FIELD = {"techreport": "institution", "online": "organization", "article": "journal"}
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
            "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "textendash": "–", "textemdash": "—", "pounds": "£",
            "textpound": "£", "euro": "€", "textquoteright": "’", "textquoteleft": "‘"}
_SPECIAL = "\\{}&%$#_~^"


_BRACES = re.compile(r"\\.|[{}]", re.DOTALL)   # an escaped character (skipped whole) or a brace
_PLAIN = re.compile(r"[^\\{}~-]*")              # a value with nothing to decode


class _Syntax(Exception):
    pass


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.macros = dict(MONTHS)
        self._counted = (0, 1)   # (position, its line): counting on from there keeps reading linear

    def line(self) -> int:
        at, line = self._counted
        if self.i < at:
            at, line = 0, 1
        line += self.text.count("\n", at, self.i)
        self._counted = (self.i, line)
        return line

    def skip_space(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.i] if self.i < len(self.text) else ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            found = f"'{c}'" if c else "the end of the file"
            raise _Syntax(f"expected {what}, found {found}")
        self.i += 1
        return c

    def name(self, what: str) -> str:
        self.skip_space()
        m = re.compile(r"[^\s\"#%'(),={}@]+").match(self.text, self.i)
        if not m:
            c = self.text[self.i] if self.i < len(self.text) else ""
            raise _Syntax(f"expected {what}, found {repr(c) if c else 'the end of the file'}")
        self.i = m.end()
        return m.group()

    def braced(self) -> str:
        """From just after an opening brace to its match; returns the inside."""
        start, depth = self.i, 1
        for m in _BRACES.finditer(self.text, self.i):   # only the characters that matter
            c = m.group()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    self.i = m.end()
                    return self.text[start:m.start()]
        self.i = len(self.text)
        raise _Syntax("a '{' is never closed")

    def quoted(self) -> str:
        start, depth = self.i, 0
        while self.i < len(self.text):
            c = self.text[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    raise _Syntax("a '}' closes nothing inside a quoted value")
            elif c == '"' and depth == 0:
                self.i += 1
                return self.text[start:self.i - 1]
            self.i += 1
        raise _Syntax("a '\"' is never closed")

    def value(self) -> str:
        parts = []
        while True:
            c = self.peek()
            if c == "{":
                self.i += 1
                parts.append(self.braced())
            elif c == '"':
                self.i += 1
                parts.append(self.quoted())
            elif c.isdigit():
                parts.append(self.name("a number"))
            elif c and c not in ",}#)=":
                macro = self.name("a value")
                if macro.lower() not in self.macros:
                    raise _Syntax(f"'{macro}' is not a defined @string (values go in braces or quotes)")
                parts.append(self.macros[macro.lower()])
            else:
                raise _Syntax(f"expected a value, found {repr(c) if c else 'the end of the file'}")
            if self.peek() != "#":
                return "".join(parts)
            self.i += 1


def _accent(m: re.Match) -> str:
    mark, letter = m.group(1), m.group(2) or m.group(3)
    if letter == "\\i":
        letter = "i"
    return unicodedata.normalize("NFC", letter + _ACCENTS[mark])


def to_text(value: str) -> str:
    """A BibTeX value as plain text."""
    if _PLAIN.fullmatch(value):
        return " ".join(value.split())
    text = re.sub(r"\\url\{([^{}]*)\}", r"\1", value)
    # Characters written as commands (see escape): held aside until the braces are gone.
    text = re.sub(r"\\textbackslash(?:\{\}|(?![A-Za-z])\s*)", "\x03", text)
    text = text.replace("\\~{}", "\x04").replace("\\^{}", "\x05")
    text = re.sub(r"\\([`'^\"~=.])\s*(?:\{(\\i|\w)\}|(\\i|\w))", _accent, text)
    text = re.sub(r"\\([uvHck])(?:\{(\w)\}|\s+(\w))", _accent, text)
    text = re.sub(r"\\(ss|ae|AE|oe|OE|aa|AA|textendash|textemdash|textpound|pounds|euro|"
                  r"textquoteright|textquoteleft|[oOlLi])(?![A-Za-z])\s*(\{\})?",
                  lambda m: _SYMBOLS[m.group(1)], text)
    text = text.replace("---", "—").replace("--", "–")
    text = re.sub(r"(?<!\\)~", "\u00a0", text)
    text = re.sub(r"\\([&%$#_])", r"\1", text)
    # Escaped braces are text; the others only group: hold the first aside while dropping the rest.
    text = text.replace("\\{", "\x01").replace("\\}", "\x02").replace("{", "").replace("}", "")
    text = text.replace("\x01", "{").replace("\x02", "}").replace("\x03", "\\").replace("\x04", "~")
    text = text.replace("\x05", "^")
    return " ".join(text.split())


def _split_names(value: str) -> list[str]:
    """Names joined by ' and ' outside braces; a wholly braced name is an organisation's."""
    names, depth, start, i = [], 0, 0, 0
    separator = re.compile(r"\s+and\s+", re.IGNORECASE)
    while i < len(value):
        c = value[i]
        depth += (c == "{") - (c == "}")
        m = separator.match(value, i) if depth == 0 and c.isspace() else None
        if m:
            names.append(value[start:i])
            start = i = m.end()
            continue
        i += 1
    names.append(value[start:])
    out = []
    for raw in (n.strip() for n in names):
        if not raw:
            continue
        if raw.startswith("{") and raw.endswith("}") and _balanced_whole(raw):
            out.append(to_text(raw[1:-1]))
        elif "," in raw:
            family, given = raw.split(",", 1)
            out.append(f"{to_text(family)}, {to_text(given)}".rstrip(", ") + ("" if to_text(given) else ","))
        else:
            words = to_text(raw).split()
            out.append(f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else words[0] if words else "")
    return [n for n in out if n]


def _balanced_whole(text: str) -> bool:
    """Whether the first brace of `text` closes at its last character."""
    depth = 0
    for i, c in enumerate(text):
        depth += c == "{"
        depth -= c == "}"
        if depth == 0:
            return i == len(text) - 1
    return False


def _entries(text: str):
    """(line, type, key, {field: raw value}) for each entry; @string defines macros on the way."""
    r = _Reader(text)
    n = 0
    while True:
        at = text.find("@", r.i)
        if at < 0:
            return
        r.i = at + 1
        line = r.line()
        key, field = None, None
        try:
            kind = r.name("an entry type").lower()
            close = "}" if r.expect("{(", "'{' after @" + kind) == "{" else ")"
            if kind in ("comment", "preamble"):
                if close == "}":
                    r.braced()
                else:
                    end = text.find(")", r.i)
                    r.i = len(text) if end < 0 else end + 1
                continue
            if kind == "string":
                name = r.name("a macro name").lower()
                r.expect("=", f"'=' after @string {name}")
                r.macros[name] = r.value()
                r.expect(close, f"'{close}' closing @string")
                continue
            n += 1
            key = r.name("the entry's key")
            fields: dict[str, str] = {}
            while True:
                c = r.expect("," + close, f"',' or '{close}'")
                if c == close or r.peek() == close:
                    if c != close:
                        r.i += 1
                    break
                field = None
                field = r.name("a field name").lower()
                r.expect("=", f"'=' after {field}")
                if field in fields:
                    raise _Syntax("is given twice")
                fields[field] = r.value()
                field = None
        except _Syntax as e:
            where = f"line {r.line()}, entry {n}" + (f" ({key})" if key else "")
            if field:
                raise entry_error(where, field, str(e)) from None
            raise CatalogueError(f"{where}: {e}") from None
        yield line, n, kind, key, fields


def _url(value: str) -> str:
    # A URL is not text to decode: a '~' or '--' in it is meant as written.
    return re.sub(r"\\([%#&_])", r"\1", value.strip().strip("{}")).strip()


def loads(text: str) -> list[Source]:
    out = []
    for line, n, kind, key, fields in _entries(text):
        where = f"line {line}, entry {n} ({key})"
        ours = FROM_BIBTEX.get(kind, "other")
        if ours == "report" and to_text(fields.get("type", "")).lower() == "minutes":
            ours = "minutes"
        year = to_text(fields.get("year", ""))
        if not year and fields.get("date"):
            year = to_text(fields["date"])[:4]
        url = _url(fields.get("url", ""))
        if not url and "\\url{" in fields.get("howpublished", ""):
            url = _url(re.search(r"\\url\{([^{}]*)\}", fields["howpublished"]).group(1))
        names = fields.get("author") or fields.get("editor") or ""
        accessed = to_text(fields.get("urldate", ""))
        if accessed and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", accessed):
            raise entry_error(where, "urldate", f"'{accessed}' is not a date (YYYY-MM-DD)")
        publisher = next((to_text(fields[f]) for f in ("publisher", "institution", "organization", "journal",
                                                       "journaltitle", "school") if fields.get(f)), "")
        out.append(source_from(where, {
            "title": to_text(fields.get("title", "")), "authors": _split_names(names),
            "publisher": publisher, "year": year or None, "url": url, "doi": to_text(fields.get("doi", "")),
            "accessed": accessed or None, "type": ours}))
    return out


def escape(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\textbackslash{}")
        elif c in "~^":
            out.append("\\" + c + "{}")
        elif c in _SPECIAL:
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _names(authors: tuple[str, ...]) -> str:
    # A person ("Family, Given") as BibTeX reads it; an organisation in braces, so that
    # "West London Alliance" is not read as Mr Alliance.
    return " and ".join(escape(a.rstrip(",")) if "," in a else "{" + escape(a) + "}" for a in authors)


def dumps(sources: list[Source]) -> str:
    chunks = []
    for s, key in zip(sources, citation_keys(sources)):
        kind = TO_BIBTEX[s.type]
        fields = [("title", "{" + escape(s.title) + "}")]
        if s.authors:
            fields.append(("author", _names(s.authors)))
        if s.publisher:
            fields.append((PUBLISHER_FIELD.get(kind, "publisher"), escape(s.publisher)))
        if s.type == "minutes":
            fields.append(("type", "Minutes"))
        if s.year:
            fields.append(("year", str(s.year)))
        if s.url:
            fields.append(("url", re.sub(r"([%#&])", r"\\\1", s.url)))
        if s.doi:
            fields.append(("doi", escape(s.doi)))
        if s.accessed:
            fields.append(("urldate", s.accessed))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        chunks.append(f"@{kind}{{{key},\n{body}\n}}\n")
    return "\n".join(chunks)
