"""File ▸ Import ▸ Reference Geography… and London Starter Pack: each one undo step.

A reference geography comes from a CSV (one row per area: its name, code and authority codes)
or a boundary file (one polygon per area). Bad input is one message box listing every problem,
and the catalogue is left as it was; reading a boundary file runs with a progress dialog.
"""
from __future__ import annotations

import os
from pathlib import Path

from models.errors import Cancelled, CatalogueError, plural
from ui.progress import run_with_progress

FILTER = ("Reference geographies (*.csv *.geojson *.json *.gz *.zip *.shp *.gpkg);;"
          "CSV of areas and authority codes (*.csv);;Boundary files (*.geojson *.json *.gz *.zip *.shp *.gpkg);;"
          "All files (*)")


def import_reference_geography(files, path: str | os.PathLike | None = None, name: str | None = None) -> bool:
    """Ask for a file (unless given) and add its reference geography as one undo step."""
    from models.formats.reference_pack import import_references

    window = files.window
    path = Path(path) if path else files._ask(False, "Import a reference geography", FILTER)
    if path is None:
        return False
    doc = window.document
    try:
        revert = doc.edit(f"Import reference geography from {path.name}", lambda: run_with_progress(
            window, f"Importing {path.name}…", lambda progress: import_references(doc.catalogue, path, name=name)))
    except Cancelled:
        window.statusBar().showMessage("Import cancelled; nothing was changed", 8000)
        return False
    except CatalogueError as e:
        window.show_message("Cannot import the reference geography", str(e))
        return False
    return _done(window, [revert.id])


def import_london_pack(files) -> bool:
    """The cited London starter pack (its geographies not held already), as one undo step."""
    from models.formats.reference_pack import import_pack

    window = files.window
    doc = window.document
    before = {g.id for g in doc.catalogue.references.list()}
    try:
        doc.edit("Import the London starter pack", lambda: import_pack(doc.catalogue, "london"))
    except CatalogueError as e:
        window.show_message("Cannot import the London starter pack", str(e))
        return False
    return _done(window, [g.id for g in doc.catalogue.references.list() if g.id not in before])


def _done(window, new_ids: list[int]) -> bool:
    refs = window.document.catalogue.references
    names = [g.name for g in refs.list() if g.id in new_ids]
    window.statusBar().showMessage(
        f"Imported {plural(len(names), 'reference geography', 'reference geographies')}: {', '.join(names)}; "
        "see the Coterminosity tab and the map's References menu", 12000)
    return True
