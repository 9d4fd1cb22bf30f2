"""What a fuzz case is (a file to import), and byte-level damage done to a valid file.

Structure-aware strategies (fuzz_geo, fuzz_tables) build a near-valid file first;
`damaged` then sometimes truncates or scribbles over it, so the parsers' later
stages see bad input too, not only their first line.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st


@dataclass(frozen=True)
class Case:
    """One generated input: a file's name and bytes, the importer's keyword arguments,
    and a short account of how it was made (shown when the case fails)."""
    filename: str
    data: bytes = field(repr=False)
    kwargs: dict = field(default_factory=dict)
    label: str = ""
    source_is_catalogue: bool = False   # import from the open catalogue file itself

    def __repr__(self) -> str:
        head = self.data[:160]
        return (f"Case({self.filename!r}, {len(self.data)} bytes, kwargs={self.kwargs!r}, "
                f"label={self.label!r}, starts={head!r}"
                f"{', source=the catalogue itself' if self.source_is_catalogue else ''})")

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        path.write_bytes(self.data)
        return path


_scratch: tempfile.TemporaryDirectory | None = None


def scratch() -> Path:
    """A folder for files the strategies write while building a case (GDAL writes to paths)."""
    global _scratch
    if _scratch is None:
        _scratch = tempfile.TemporaryDirectory(prefix="atlas-fuzz-")
    return Path(_scratch.name)


# About half the cases are "clean": made only of choices that should import, so the
# importer's success path (write, then undo) is exercised as often as its refusals.
cleanliness = st.integers(0, 9).map(lambda n: n < 5)


@st.composite
def damaged(draw, data: bytes) -> tuple[bytes, str]:
    """The bytes, often intact, otherwise truncated, flipped, spliced or cut; with what was done."""
    how = draw(st.sampled_from(["intact"] * 4 + ["truncate", "flip", "insert", "delete", "zero", "empty"]))
    n = len(data)
    if how == "intact" or n == 0:
        return data, "intact"
    if how == "empty":
        return b"", "emptied"
    at = draw(st.integers(0, max(n - 1, 0)))
    if how == "truncate":
        return data[:at], f"truncated at {at}"
    if how == "flip":
        count = draw(st.integers(1, 8))
        out = bytearray(data)
        for _ in range(count):
            i = draw(st.integers(0, n - 1))
            out[i] = draw(st.integers(0, 255))
        return bytes(out), f"{count} bytes changed"
    if how == "insert":
        extra = draw(st.binary(min_size=1, max_size=32))
        return data[:at] + extra + data[at:], f"{len(extra)} bytes inserted at {at}"
    if how == "zero":
        length = draw(st.integers(1, 512))
        return data[:at] + bytes(min(length, n - at)) + data[at + length:], f"zeroed from {at}"
    length = draw(st.integers(1, 256))
    return data[:at] + data[at + length:], f"{length} bytes cut at {at}"


# Text that breaks naive code: quotes, separators, line breaks, NUL, right-to-left, emoji, combining marks.
AWKWARD = ["", " ", "\t", "'", '"', ",", ";", "\n", "\r\n", "\x00", "=1+1", "Ünïcødé", "‮evil",
           "🏛️", "e\u0301", "NULL", "None", "nan", "-1", "1e400", "<b>x</b>", "a" * 300]
awkward_text = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=20))
