"""The research questions' expected answers on the London example, worked out from the ONS
files (wards, boroughs, populations) and the facts written from the seed reports
(resources/example_catalogue.json, whose sources the seeds' README lists): never from the
app's own output."""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import shapely
from pyproj import Transformer

from models.formats import example
from tests.helpers.data import SEEDS, london_population_rows, london_ward_features

FACTS = example.load()
PARTNERSHIPS = {p["name"]: p for p in FACTS["partnerships"]}
SOURCES = {s["key"]: s for s in FACTS["sources"]}
CODES = {o["name"]: o["gss_code"] for o in FACTS["organisations"]}
WARDS = london_ward_features()
POPULATION = {r["WD20CD"]: int(r["population"] or 0) for r in london_population_rows()}  # a sub-threshold ward has none: counted in its neighbour
BOROUGHS = {f["properties"]["LAD20CD"]: f["properties"]["LAD20NM"] for f in WARDS}
WARDS_PER_BOROUGH = Counter(f["properties"]["LAD20CD"] for f in WARDS)


def seed_titles() -> set[str]:
    """The report titles in the seeds' README table."""
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    return {m.group(1).strip() for m in re.finditer(r"^\| [0-9a-f_]+\.txt \| (.+?) \|", readme, re.M)}


def members(name: str) -> list[dict]:
    return PARTNERSHIPS[name]["members"]


def member_codes(name: str) -> set[str]:
    return {CODES[m["organisation"]] for m in members(name)} - {None}


def cited(*names: str) -> set[tuple]:
    """(title, year, page) of every citation of these partnerships in the facts."""
    return {(SOURCES[s["source"]]["title"], SOURCES[s["source"]]["year"], s["page"])
            for n in names for s in PARTNERSHIPS[n]["sources"]}


def as_tuples(sources: list[dict]) -> set[tuple]:
    return {(s["title"], s["year"], s["page"]) for s in sources}


def covering_borough(code: str) -> set[str]:
    """The partnerships with that borough as a member (each borough-based one's area is its
    members' wards, so an area adds none)."""
    return {n for n in PARTNERSHIPS if code in member_codes(n)}


def wards_of(codes: set[str]) -> list[dict]:
    return [f for f in WARDS if f["properties"]["LAD20CD"] in codes]


def people(wards: list[dict]) -> int:
    return sum(POPULATION[f["properties"]["WD20CD"]] for f in wards)


def km2(wards: list[dict]) -> float:
    """Their area on the British National Grid, reprojected here from the ONS longitudes."""
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    total = 0.0
    for f in wards:
        geom = shapely.geometry.shape(f["geometry"])
        total += shapely.transform(geom, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))).area
    return total / 1e6


def active_in(name: str, year: int) -> bool:
    """Active (its dates cover the year; an open end runs on while its status is active) or
    attested (undated, cited by a report of that year)."""
    p = PARTNERSHIPS[name]
    if p["start"] or p["end"]:
        start = int(p["start"][:4]) if p["start"] else 0
        end = int(p["end"][:4]) if p["end"] else (9999 if p["status"] == "active" else None)
        return end is not None and start <= year <= end
    return any(SOURCES[s["source"]]["year"] == year for s in p["sources"])
