"""File ▸ Import ▸ Reference Geography… and London Starter Pack: each one undo step.

A reference geography comes from a CSV (one row per area: its name, code and authority codes)
or a boundary file (one polygon per area). Bad input is one message box listing every problem,
and the catalogue is left as it was; reading the file runs with a progress dialog. Areas that
overlap are let in only as a geography that says it does not partition its territory (asked).
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from models.errors import Cancelled, CatalogueError, plural
from ui.progress import run_with_progress

FILTER = ("Reference geographies (*.csv *.geojson *.json *.gz *.zip *.shp *.gpkg);;"
          "CSV of areas and authority codes (*.csv);;Boundary files (*.geojson *.json *.gz *.zip *.shp *.gpkg);;"
          "All files (*)")


def import_reference_geography(files, path: str | os.PathLike | None = None, name: str | None = None,
                               overlapping: bool | None = None) -> bool:
    """Ask for a file (unless given) and add its reference geography as one undo step. Areas that
    overlap each other are refused unless the geography says it does not partition its territory:
    `overlapping` answers that question (None: ask, when it is the only thing in the way)."""
    from models.catalogue.reference_geographies import NewGeography
    from models.formats.reference_pack import add_all, read_boundary_file, read_csv

    window = files.window
    path = Path(path) if path else files._ask(False, "Import a reference geography", FILTER)
    if path is None:
        return False
    doc = window.document
    cat = doc.catalogue
    read = read_csv if path.suffix.lower() == ".csv" else read_boundary_file
    try:
        areas = run_with_progress(window, f"Reading {path.name}…", lambda progress: read(path))
    except Cancelled:
        return False
    except CatalogueError as e:
        window.show_message("Cannot import the reference geography", str(e))
        return False
    geography = NewGeography(name=name or path.name.split(".")[0])
    if cat.references.problems(geography, areas) and \
            not cat.references.problems(replace(geography, partitions=False), areas):
        if overlapping is None:
            overlapping = QMessageBox.question(
                window, "Areas overlap",
                f"Some areas of {path.name} overlap each other, so they do not partition their territory "
                "as ICBs or police force areas do. Import them as a geography whose areas may overlap?"
            ) == QMessageBox.StandardButton.Yes
        if not overlapping:
            return False
        geography.partitions = False
    try:
        revert = doc.edit(f"Import reference geography from {path.name}", lambda: add_all(cat, [(geography, areas)]))
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
