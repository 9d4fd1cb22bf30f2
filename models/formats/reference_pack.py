"""Reference geographies in: the cited starter pack (resources/references/<name>.json), a CSV of
area -> authority codes, or a boundary file of polygons. Each import is one undo step and writes
nothing unless every area of every geography is good (one line per problem).

    import_pack(cat, "london")                                   # ICBs 2022, police, sub-regions
    import_csv(cat, "fire.csv", name="London Fire Brigade areas")
    import_boundary_file(cat, "pfa.geojson", name="Police force areas", partitions=True)

A CSV has a header row with `area` (required), `code` (the area's own GSS code, optional) and
`authorities`: GSS codes separated by ';', each optionally followed by a role in brackets,
`E09000007; E09000014 (associate)`. An area appears on one row only.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from models.catalogue.reference_geographies import NewArea, NewGeography
from models.errors import CatalogueError
from models.storage.store import Revert

PACKS = Path(__file__).resolve().parents[2] / "resources" / "references"
_AUTHORITY = re.compile(r"^\s*([A-Za-z0-9]+)\s*(?:\((.*)\))?\s*$")


def pack_names() -> list[str]:
    return sorted(p.stem for p in PACKS.glob("*.json"))


def read_pack(name: str) -> list[tuple[NewGeography, list[NewArea]]]:
    path = PACKS / f"{name}.json"
    if not path.is_file():
        raise CatalogueError(f"no starter pack '{name}'; there is: {', '.join(pack_names())}")
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for g in data["geographies"]:
        geography = NewGeography(name=g["name"], agency=g.get("agency", ""), in_force_from=g.get("in_force_from"),
                                 in_force_to=g.get("in_force_to"), partitions=bool(g.get("partitions", True)),
                                 source_title=g.get("source_title", ""), source_year=g.get("source_year"),
                                 source_url=g.get("source_url", ""), notes=g.get("notes", ""))
        areas = [NewArea(name=a["name"], code=a.get("code", ""),
                         authorities=[(c, r) for c, r in a.get("authorities", [])],
                         source_title=a.get("source_title", ""), source_year=a.get("source_year"))
                 for a in g["areas"]]
        out.append((geography, areas))
    return out


def add_all(cat, geographies: list[tuple[NewGeography, list[NewArea]]]) -> Revert:
    """Every geography in one transaction (one undo step), after checking them all."""
    found = []
    names = [g.name.strip().casefold() for g, _ in geographies]
    for (g, areas), key in zip(geographies, names):
        found += cat.references.problems(g, areas)
        if names.count(key) > 1 and f"'{g.name}' is given twice" not in found:
            found.append(f"'{g.name}' is given twice")
    if found:
        raise CatalogueError("\n".join(found))
    with cat.store.edit() as revert:
        ids = [cat.references.add(g, areas).id for g, areas in geographies]
        revert.id = ids[0] if ids else None
    return revert


def import_pack(cat, name: str = "london") -> Revert:
    return add_all(cat, read_pack(name))


def read_csv(path: str | Path) -> list[NewArea]:
    """The areas of a reference CSV; malformed rows raise one line each (by row number)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CatalogueError(f"cannot read {path.name}: {e}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "area" not in header:
        raise CatalogueError(f"{path.name} needs a header row with an 'area' column (and 'authorities', 'code')")
    areas, found = [], []
    for row_number, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        authorities = []
        for part in filter(None, (p.strip() for p in re.split(r"[;,]", row.get("authorities", "")))):
            m = _AUTHORITY.match(part)
            if not m:
                found.append(f"row {row_number}: '{part}' is not an authority code (with an optional role in brackets)")
                continue
            authorities.append((m.group(1).upper(), (m.group(2) or "").strip().lower()))
        areas.append(NewArea(name=row.get("area", ""), code=row.get("code", ""), authorities=authorities))
        if not row.get("area"):
            found.append(f"row {row_number}: no area name")
    if found:
        raise CatalogueError("\n".join(found))
    if not areas:
        raise CatalogueError(f"{path.name} has no areas")
    return areas


def import_csv(cat, path: str | Path, name: str | None = None, **geography) -> Revert:
    areas = read_csv(path)
    return add_all(cat, [(NewGeography(name=name or Path(path).stem, **geography), areas)])


def read_boundary_file(path: str | Path, code_field: str | None = None,
                       name_field: str | None = None) -> list[NewArea]:
    from models.formats.boundary_import import read_boundaries
    data = read_boundaries(path, code_field=code_field, name_field=name_field, node_units=False)
    return [NewArea(name=n or c, code=c, geometry=g) for c, n, g in zip(data.codes, data.names, data.geometries)]


def import_boundary_file(cat, path: str | Path, name: str | None = None, code_field: str | None = None,
                         name_field: str | None = None, **geography) -> Revert:
    areas = read_boundary_file(path, code_field, name_field)
    return add_all(cat, [(NewGeography(name=name or Path(path).stem.split(".")[0], **geography), areas)])


def import_references(cat, source: str | Path, name: str | None = None, **geography) -> Revert:
    """A CSV (by its suffix) or any boundary file."""
    if Path(source).suffix.lower() == ".csv":
        return import_csv(cat, source, name, **geography)
    return import_boundary_file(cat, source, name, **geography)
