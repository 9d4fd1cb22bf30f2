"""Reading a report's PDF back: its text as a reader's viewer extracts it, its fonts, its drawing."""
from __future__ import annotations

import re
from pathlib import Path

import pypdf


def pdf_pages(path: str | Path) -> list[str]:
    """Each page's text with runs of white space made one space (Qt spaces words by offsets)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(str(path)).pages]


def fonts(path: str | Path) -> dict[str, bool]:
    """Every font the pages use -> whether its glyphs are embedded in the file."""
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def images(path: str | Path) -> int:
    """How many raster images the pages hold (a map pasted as a picture would be one)."""
    count = 0
    for page in pypdf.PdfReader(str(path)).pages:
        xobjects = (page["/Resources"].get("/XObject") or {})
        count += sum(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    return count


def path_operators(path: str | Path, page: int) -> int:
    """Line-to operators on a page: vector outlines are drawn with them."""
    data = pypdf.PdfReader(str(path)).pages[page].get_contents().get_data()
    return len(re.findall(rb"[\d.\-]+ [\d.\-]+ l\b", data))
