"""Text from researchers' files: decoding a CSV whichever program saved it, and quoting
its values in one-line error messages."""
from __future__ import annotations

import codecs
import functools
import gzip
import re
import zlib
from pathlib import Path

from models.errors import CatalogueError

# Everything str.splitlines() breaks at: a message quoting a cell must stay one line.
_LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def first_words(error: Exception) -> str:
    """An exception's message as one line, or its kind when it has none."""
    text = one_line(str(error)).strip()
    return text or type(error).__name__


def one_line(text: str) -> str:
    """The text with each run of line breaks shown as one space."""
    return _LINE_BREAKS.sub(" ", text)


def one_line_errors(function):
    """CatalogueError messages from `function` reach the user as one line, whatever file
    content (field names, codes, cells) they quote."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except CatalogueError as e:
            text = str(e)
            if type(e) is not CatalogueError or len(text.splitlines()) == 1:
                raise
            raise CatalogueError(one_line(text).strip()) from None
    return wrapper


def decode(raw: bytes) -> str | None:
    """The text of a CSV as Excel and others save it, or None when it is none of these:
    UTF-8 (with or without BOM), UTF-16/32 with a BOM, UTF-16 without one, Windows-1252."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encodings = ["utf-32"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
        head = raw[:4096]
        if head.count(0) > len(head) // 4:
            # Text with a NUL in every other byte is UTF-16 without a BOM (Excel's "Unicode text").
            encodings.insert(0, "utf-16-le" if head[1::2].count(0) > head[::2].count(0) else "utf-16-be")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_text(path: str | Path) -> str:
    """A CSV file's text (see decode), or CatalogueError saying why it cannot be read."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CatalogueError(f"cannot read {path.name}: {e.strerror or e}") from None
    if raw[:2] == b"\x1f\x8b":   # gzip: the population tables shipped with the app are kept small
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise CatalogueError(f"cannot read {path.name}: it is damaged ({first_words(e)})") from None
    text = decode(raw)
    if text is None:
        raise CatalogueError(f"cannot read {path.name}: it is not text in UTF-8, UTF-16 or Windows-1252")
    return text
