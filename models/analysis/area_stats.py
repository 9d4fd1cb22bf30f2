"""The figures the area panel shows while a researcher draws: pure, from a UnitTable.

    stats = area_stats(table, unit_ids, names=borough_names(table, cat.organisations.all()))

Everything is computed from the units' own geometry and fields, so it agrees
with whatever the map is painting at that moment (including a stroke that has
not been saved yet).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely

from models.catalogue.layers import UnitTable
from models.catalogue.records import Area, Organisation
from models.geo.drawing import COVER_SHARE, covered_shares, parts

_CODE_FIELD = re.compile(r"^(.*\d\d)CD$", re.IGNORECASE)


@dataclass(frozen=True)
class BoroughShare:
    code: str
    name: str
    units: int          # units of the borough in the area (or, drawn, covered by COVER_SHARE)
    km2: float = 0.0    # the area's land in the borough


@dataclass(frozen=True)
class AreaStats:
    units: int
    boroughs: tuple[BoroughShare, ...]     # most units first
    km2: float
    population: float | None               # None when no unit has a figure
    population_missing: int                # units in the area without a figure
    parts: int                             # separate pieces (0 for an empty area)
    isolated: tuple[str, ...]              # names of units touching no other unit of the area
    overlaps: tuple[tuple[str, int], ...]  # (other area's name, units shared)
    drawn_over: int = 0                    # units a drawn polygon covers (0 without one)

    @property
    def apportioned(self) -> bool:
        """Population and boroughs come from the share of each unit a drawn polygon covers."""
        return self.drawn_over > 0

    @property
    def cross_boundary(self) -> bool:
        """A "virtual borough": the area spans more than one borough."""
        return len(self.boroughs) > 1


def borough_names(table: UnitTable, organisations: Iterable[Organisation] = (),
                  parent_attributes: dict[str, dict] | None = None) -> dict[str, str]:
    """Parent code -> a readable name: an organisation with that GSS code, else the
    layer's own name field (LAD20NM beside LAD20CD); codes without either are absent.

    parent_attributes (Layers.parent_attributes) spares reading every unit's
    attributes; otherwise the table must have been read with its attributes.
    """
    names: dict[str, str] = {}
    for org in organisations:
        if org.gss_code:
            names[org.gss_code] = org.name
    pairs = (parent_attributes.items() if parent_attributes is not None
             else zip(table.parent_codes, table.attributes))
    for parent, attrs in pairs:
        if not parent or parent in names:
            continue
        for key, value in attrs.items():
            m = _CODE_FIELD.match(key)
            if m and value == parent:
                name = attrs.get(m.group(1) + ("NM" if key.endswith("CD") else "nm"))
                if name:
                    names[parent] = str(name)
                    break
    return names


def area_stats(table: UnitTable, unit_ids: Iterable[int], *, drawn: shapely.Geometry | None = None,
               names: dict[str, str] | None = None, others: Iterable[Area] = (),
               index: dict[int, int] | None = None, tree: shapely.STRtree | None = None,
               contiguity=None) -> AreaStats:
    """Figures for the units `unit_ids` of `table` (ids not in the table are ignored).

    `drawn` is a free-drawn polygon: each unit counts by the share of its area
    inside the area (units of the area whole, others by how much of them the
    polygon covers); population is apportioned by that share, and boroughs are
    the parents of units covered by at least COVER_SHARE. `tree` is an STRtree
    over the table's geometries (MapLayer.picker.tree) to spare building one;
    `contiguity(rows)` labels the parts of those rows (Picker.parts_of keeps the
    neighbours it found, so a stroke's figures do not find them again each time).
    `others` are the other areas, for the overlap list.
    """
    index = table.index_of() if index is None else index
    ids = sorted({int(u) for u in unit_ids if int(u) in index})
    rows = np.array([index[u] for u in ids], dtype=np.int64)
    names = names or {}
    geoms = table.geometries[rows] if len(rows) else np.array([], dtype=object)

    counts = Counter(table.parent_codes[r] or "" for r in rows)
    boroughs = tuple(BoroughShare(code, names.get(code, code) or "(no borough)", n)
                     for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0]))))

    # Units of one layer tile the plane, so their areas add up exactly; a drawn
    # polygon may overlap them, so then the union is measured instead.
    drawn_over = 0
    if drawn is not None and not drawn.is_empty:
        shape = shapely.coverage_union_all(geoms) if len(geoms) else None
        whole = drawn if shape is None else shapely.union(shape, drawn)
        km2 = whole.area / 1e6
        share = np.zeros(len(table.ids))
        covered, shares = covered_shares(table.geometries, drawn, tree)
        share[covered] = shares
        share[rows] = 1.0
        over = np.flatnonzero(share >= COVER_SHARE)
        drawn_over = len(over)
        land = shapely.area(table.geometries[over]) * share[over] / 1e6
        by_code: dict[str, list[float]] = {}
        for r, a in zip(over.tolist(), land.tolist()):
            entry = by_code.setdefault(table.parent_codes[r] or "", [0, 0.0])
            entry[0] += 1
            entry[1] += a
        boroughs = tuple(BoroughShare(code, names.get(code, code) or "(no borough)", int(n), km)
                         for code, (n, km) in sorted(by_code.items(), key=lambda kv: -kv[1][1]))
        weighted = np.flatnonzero(share > 0)
        pops = table.population[weighted]
        known = ~np.isnan(pops)
        population = float((pops[known] * share[weighted][known]).sum()) if known.any() else None
        missing = int(np.isnan(table.population[over]).sum())
        n_parts = len(shapely.get_parts(whole))
        labels = np.zeros(0, dtype=np.int64)
    else:
        km2 = float(shapely.area(geoms).sum()) / 1e6 if len(geoms) else 0.0
        pops = table.population[rows] if len(rows) else np.array([])
        known = ~np.isnan(pops)
        population = float(pops[known].sum()) if known.any() else None
        missing = int((~known).sum())
        labels = contiguity(rows) if contiguity is not None else parts(geoms)
        n_parts = int(labels.max()) + 1 if len(labels) else 0
    isolated: tuple[str, ...] = ()
    if n_parts > 1 and len(labels):
        sizes = np.bincount(labels)
        isolated = tuple(sorted(table.names[rows[k]] for k in np.flatnonzero(sizes[labels] == 1)))

    mine = set(ids)
    overlaps = []
    for other in others:
        shared = len(mine & other.unit_ids)
        if shared:
            overlaps.append((other.name, shared))
    overlaps.sort(key=lambda x: (-x[1], x[0]))
    return AreaStats(units=len(ids), boroughs=boroughs, km2=km2, population=population,
                     population_missing=missing, parts=n_parts, isolated=isolated,
                     overlaps=tuple(overlaps), drawn_over=drawn_over)


def format_population(value: float | None) -> str:
    return "unknown" if value is None or not math.isfinite(value) else f"{value:,.0f}"
