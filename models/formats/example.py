"""The example catalogue: partnerships described in the project's source reports.

The facts live in resources/example_catalogue.json, written by hand from the
reports and cited sentence by sentence; nothing is fetched. With ward
boundaries, every partnership whose geography is its member boroughs also gets
an area made of those boroughs' wards (matched by GSS code) that follows its
members (a derived area). With `shipped`,
the London boundaries that come with the app are used: both ward vintages and
the boroughs as layers, populations on the 2020 wards, the areas on those.
"""
from __future__ import annotations

import json
from pathlib import Path

from models.catalogue.colours import nearby_colours, pick_colour, touching
from models.catalogue.layers import Progress
from models.catalogue.records import Area, Citation, Membership, Organisation, Partnership, Source
from models.errors import CatalogueError
from models.formats.boundary_import import import_boundaries
from models.formats.london import import_london

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "resources" / "example_catalogue.json"

def load() -> dict:
    return json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))


def build_example(cat, wards: str | Path | None = None, population: str | Path | None = None,
                  progress: Progress | None = None, shipped: bool = False):
    """Write the example into `cat` as one edit; returns its Revert.

    wards/population: a ward boundary file (and population CSV) to draw the areas on;
    shipped: the London layers that come with the app instead."""
    if shipped and wards is not None:
        raise CatalogueError("give ward boundaries or use the shipped London ones, not both")
    data = load()
    clash = [p["name"] for p in data["partnerships"] if cat.partnerships.find(p["name"])]
    if clash:
        raise CatalogueError(f"the catalogue already has '{clash[0]}'; use a new file for the example")
    with cat.store.edit() as revert:
        layer_id = None
        if shipped:
            layer_id = import_london(cat, progress)["wards_2020"]
        elif wards is not None:
            layer_revert, _ = import_boundaries(cat, wards, population=population, progress=progress)
            layer_id = layer_revert.id
        sources = {s["key"]: cat.sources.add(Source(title=s["title"], publisher=s["publisher"],
                                                    year=s["year"], url=s["url"] or "")).id
                   for s in data["sources"]}
        orgs = {}
        for o in data["organisations"]:
            existing = cat.organisations.find(o["gss_code"] or o["name"])
            orgs[o["name"]] = existing.id if existing else cat.organisations.add(Organisation(
                name=o["name"], kind=o["kind"], gss_code=o["gss_code"], notes=o["notes"])).id
        codes = {o["name"]: o["gss_code"] for o in data["organisations"]}
        table = cat.layers.table(layer_id) if layer_id else None
        areas: list[Area] = []
        for p in data["partnerships"]:
            members = [Membership(0, orgs[m["organisation"]], role=m["role"], joined=m["joined"],
                                  left=m["left"]) for m in p["members"]]
            pid = cat.partnerships.add(Partnership(
                name=p["name"], kind=p["kind"], status=p["status"], start=p["start"], end=p["end"],
                policy_areas=tuple(p["policy_areas"]), governance=p["governance"],
                lead_id=orgs[p["lead"]] if p["lead"] else None, funding=p["funding"],
                savings_amount=p["savings_amount"], savings_period=p["savings_period"],
                savings_text=p["savings_text"], description=p["description"], notes=p["notes"],
                tags=tuple(p["tags"])), members).id
            for s in p["sources"]:
                cat.sources.cite(Citation(source_id=sources[s["source"]], page=s["page"],
                                          quote=s["quote"], partnership_id=pid))
            if table is not None and p["borough_area"]:
                boroughs = {codes[m["organisation"]] for m in p["members"]} - {None}
                rows = [k for k, parent in enumerate(table.parent_codes) if parent in boroughs]
                if rows:
                    units = frozenset(int(table.ids[k]) for k in rows)
                    near = {int(table.ids[k]) for k in touching(table.geometries, rows)}
                    # Overlapping and bordering areas get colours that tell them apart.
                    colour = pick_colour([a.colour for a in areas], nearby_colours(units, areas, near))
                    # Derived: it follows the members (and their dates) rather than a fixed list.
                    area = Area(name=p["name"], partnership_id=pid, colour=colour,
                                notes="The member boroughs' wards.", layer_id=layer_id, unit_ids=units,
                                kind="derived")
                    cat.areas.add(area)
                    areas.append(area)
    return revert
