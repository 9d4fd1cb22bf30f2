"""Reference geographies: other agencies' areas (NHS Integrated Care Boards, police force
areas, sub-regional partnerships…) that partnerships are measured against.

    refs = cat.references
    g = refs.find("icb")                        # unique part of a name, any case
    revert = refs.add(NewGeography("London ICBs 2022", …), [NewArea("NHS North West London", …)])
    sets = refs.unit_sets(g.id, layer_id)       # reference area id -> unit ids on that layer

An area of a reference geography is defined one of three ways:
- 'authorities': a list of local authority GSS codes (each with a role, '' or 'associate'),
  resolved to the wards of any ward layer whose parent code is one of them — so the same
  ICB list serves the 2020 and the 2022 wards;
- 'polygon': an imported outline (EPSG:27700); it holds the units of a layer that lie at
  least half inside it (by area);
- 'area': an area of the catalogue, its units (a derived area: its members' wards).

Adding checks every area before writing anything and reports every problem, one line each:
an unknown authority code, an area named twice, an area with no authorities, polygons that
overlap each other in a geography that says it partitions its territory.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from models.catalogue import dates
from models.catalogue.areas import Areas
from models.errors import CatalogueError
from models.storage import gpkg
from models.storage.store import Revert, Store

if TYPE_CHECKING:
    import numpy as np
    import shapely

# numpy and shapely are imported by the functions that use them, as in models.catalogue.areas:
# the catalogue is opened (and the app starts) without them.

DEFINITIONS = ("authorities", "polygon", "area")
# Two polygons of a partitioning geography may share this much of the smaller one (slivers
# between differently generalised boundary files) before they count as overlapping.
OVERLAP_TOLERANCE = 0.01
# A polygon holds a unit when at least this share of the unit's area lies inside it.
POLYGON_SHARE = 0.5
_GSS = re.compile(r"^[EWSN]\d{8}$")


@dataclass(frozen=True)
class ReferenceGeography:
    id: int
    name: str
    agency: str
    in_force_from: str | None
    in_force_to: str | None
    partitions: bool
    area_count: int
    source_title: str
    source_year: int | None
    source_url: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ReferenceArea:
    id: int
    name: str
    code: str
    definition: str
    authorities: tuple[tuple[str, str], ...]   # (GSS code, role)
    has_geometry: bool
    area_id: int | None = None
    source_title: str = ""
    source_year: int | None = None
    geometry: shapely.Geometry | None = field(default=None, repr=False, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.authorities)


@dataclass
class NewGeography:
    """What `add` writes for a geography (no id yet)."""
    name: str
    agency: str = ""
    in_force_from: str | None = None
    in_force_to: str | None = None
    partitions: bool = True
    source_title: str = ""
    source_year: int | None = None
    source_url: str = ""
    notes: str = ""


@dataclass
class NewArea:
    """What `add` writes for one area: authorities, a polygon or a catalogue area."""
    name: str
    code: str = ""
    authorities: list[tuple[str, str]] = field(default_factory=list)
    geometry: shapely.Geometry | None = None
    area_id: int | None = None
    source_title: str = ""
    source_year: int | None = None

    @property
    def definition(self) -> str:
        if self.geometry is not None:
            return "polygon"
        if self.area_id is not None:
            return "area"
        return "authorities"


def _geography(row) -> ReferenceGeography:
    return ReferenceGeography(id=row[0], name=row[1], agency=row[2], in_force_from=row[3], in_force_to=row[4],
                              partitions=bool(row[5]), area_count=row[6], source_title=row[7],
                              source_year=row[8], source_url=row[9], notes=row[10])


_GEOGRAPHY_SQL = ("SELECT g.id, g.name, g.agency, g.in_force_from, g.in_force_to, g.partitions, "
                  "(SELECT count(*) FROM reference_areas a WHERE a.geography_id=g.id), "
                  "g.source_title, g.source_year, g.source_url, g.notes FROM reference_geographies g")


class ReferenceGeographies:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    # -- reading ---------------------------------------------------------
    def list(self) -> list[ReferenceGeography]:
        return [_geography(r) for r in self._conn.execute(_GEOGRAPHY_SQL + " ORDER BY g.name COLLATE NOCASE")]

    def get(self, geography_id: int) -> ReferenceGeography:
        row = self._conn.execute(_GEOGRAPHY_SQL + " WHERE g.id=?", (geography_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no reference geography with id {geography_id}")
        return _geography(row)

    def find(self, name_or_part: str) -> ReferenceGeography:
        """The geography named exactly (any case), else the only one whose name holds the text."""
        key = name_or_part.strip().casefold()
        every = self.list()
        if not every:
            raise CatalogueError("no reference geographies yet: import some (import-references, or --pack london)")
        exact = [g for g in every if g.name.casefold() == key]
        if exact:
            return exact[0]
        found = [g for g in every if key and key in g.name.casefold()]
        if len(found) == 1:
            return found[0]
        if not found:
            raise CatalogueError(f"unknown reference geography '{name_or_part}'; there are: "
                                 + ", ".join(g.name for g in every))
        raise CatalogueError(f"'{name_or_part}' is ambiguous: " + ", ".join(g.name for g in found))

    def areas(self, geography_id: int, geometry: bool = False) -> list[ReferenceArea]:
        rows = self._conn.execute(
            "SELECT id, name, code, definition, authorities, geom IS NOT NULL, area_id, source_title, source_year, "
            + ("geom" if geometry else "NULL")
            + " FROM reference_areas WHERE geography_id=? ORDER BY name COLLATE NOCASE, id", (geography_id,))
        return [ReferenceArea(id=r[0], name=r[1], code=r[2], definition=r[3],
                              authorities=tuple((str(c), str(role)) for c, role in json.loads(r[4] or "[]")),
                              has_geometry=bool(r[5]), area_id=r[6], source_title=r[7], source_year=r[8],
                              geometry=gpkg.from_blob(r[9])) for r in rows]

    def known_codes(self) -> set[str]:
        """Authority codes the catalogue knows: parent codes of its units and organisations' GSS codes."""
        codes = {r[0].upper() for r in self._conn.execute(
            "SELECT DISTINCT parent_code FROM boundary_units WHERE parent_code IS NOT NULL")}
        codes |= {r[0].upper() for r in self._conn.execute(
            "SELECT gss_code FROM organisations WHERE gss_code IS NOT NULL")}
        return codes

    # -- checking ----------------------------------------------------------
    def problems(self, geography: NewGeography, areas: list[NewArea]) -> list[str]:
        """Every reason not to add this geography, one line each (none: it may be added)."""
        found: list[str] = []
        name = geography.name.strip()
        if not name:
            found.append("a reference geography needs a name")
        elif self._conn.execute("SELECT 1 FROM reference_geographies WHERE name=? COLLATE NOCASE",
                                (name,)).fetchone():
            found.append(f"a reference geography named '{name}' already exists")
        for label, value in (("in force from", geography.in_force_from), ("in force to", geography.in_force_to)):
            try:
                dates.parse(value)
            except ValueError as e:
                found.append(f"{label}: {e}")
        if not areas:
            found.append(f"'{name}' has no areas")
        known = self.known_codes()
        seen: dict[str, int] = {}
        claimed: dict[str, str] = {}   # authority code -> the area that has it (partitions only)
        for a in areas:
            label = a.name.strip()
            if not label:
                found.append("an area has no name")
                continue
            seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
            if seen[label.casefold()] == 2:
                found.append(f"area '{label}' appears more than once")
            if a.definition == "authorities":
                if not a.authorities:
                    found.append(f"area '{label}' has no authorities")
                for code, role in a.authorities:
                    code = code.strip().upper()
                    if not known:
                        continue   # reported once below
                    if code not in known:
                        hint = "" if _GSS.match(code) else " (a GSS code looks like E09000001)"
                        found.append(f"area '{label}': unknown authority code '{code}'{hint}")
                    elif geography.partitions and role != "associate":
                        if code in claimed and claimed[code] != label:
                            found.append(f"areas '{claimed[code]}' and '{label}' both hold {code}; "
                                         "a geography that partitions its territory cannot (or say it does not)")
                        claimed.setdefault(code, label)
            elif a.definition == "area":
                if not self._conn.execute("SELECT 1 FROM areas WHERE fid=?", (a.area_id,)).fetchone():
                    found.append(f"area '{label}': no catalogue area with id {a.area_id}")
            elif a.geometry is None or a.geometry.is_empty or a.geometry.area <= 0:
                found.append(f"area '{label}' has an empty polygon")
        if not known and any(a.definition == "authorities" and a.authorities for a in areas):
            found.append("no boundaries or organisations with GSS codes to check authority codes against: "
                         "import a ward layer first")
        if geography.partitions:
            found += _overlapping_polygons([a for a in areas if a.definition == "polygon" and a.geometry is not None
                                            and not a.geometry.is_empty])
        return found

    # -- editing ---------------------------------------------------------
    def add(self, geography: NewGeography, areas: list[NewArea]) -> Revert:
        """One geography with its areas, one transaction (one undo step); nothing is written
        unless every area is good (CatalogueError: every problem, one line each)."""
        found = self.problems(geography, areas)
        if found:
            raise CatalogueError("\n".join(found))
        with self._store.edit() as revert:
            cur = self._conn.execute(
                "INSERT INTO reference_geographies(name, agency, in_force_from, in_force_to, partitions, "
                "source_title, source_year, source_url, notes) VALUES (?,?,?,?,?,?,?,?,?)",
                (geography.name.strip(), geography.agency.strip(), dates.parse(geography.in_force_from),
                 dates.parse(geography.in_force_to), int(bool(geography.partitions)), geography.source_title,
                 geography.source_year, geography.source_url, geography.notes))
            revert.id = gid = cur.lastrowid
            for a in areas:
                authorities = [[c.strip().upper(), (r or "").strip()] for c, r in a.authorities]
                geom = _multi(a.geometry) if a.geometry is not None else None
                self._conn.execute(
                    "INSERT INTO reference_areas(geography_id, name, code, definition, authorities, geom, area_id, "
                    "source_title, source_year) VALUES (?,?,?,?,?,?,?,?,?)",
                    (gid, a.name.strip(), a.code.strip().upper(), a.definition, json.dumps(authorities),
                     gpkg.to_blob(geom) if geom is not None else None, a.area_id,
                     a.source_title or geography.source_title, a.source_year or geography.source_year))
            if any(a.geometry is not None for a in areas):
                gpkg.update_extent(self._conn, "reference_areas")
        return revert

    def delete(self, geography_id: int) -> Revert:
        """The geography and its areas (one undo step)."""
        self.get(geography_id)
        with self._store.edit() as revert:
            self._conn.execute("DELETE FROM reference_geographies WHERE id=?", (geography_id,))
            revert.id = geography_id
        return revert

    # -- units ----------------------------------------------------------------
    def unit_sets(self, geography_id: int, layer_id: int, roles: set[str] | None = None) -> dict[int, np.ndarray]:
        """reference area id -> sorted unit ids (int64) of `layer_id` it covers. `roles`: only
        authorities in these roles ('' for full members); None: every authority."""
        import numpy as np
        refs = self.areas(geography_id, geometry=True)
        out: dict[int, np.ndarray] = {}
        by_parent: dict[str, list[int]] = {}
        for fid, parent in self._conn.execute(
                "SELECT fid, upper(parent_code) FROM boundary_units WHERE layer_id=? AND parent_code IS NOT NULL",
                (layer_id,)):
            by_parent.setdefault(parent, []).append(fid)
        layer = None
        for r in refs:
            if r.definition == "authorities":
                ids = [fid for code, role in r.authorities if roles is None or role in roles
                       for fid in by_parent.get(code.upper(), ())]
                out[r.id] = np.unique(np.array(ids, dtype=np.int64))
                continue
            if r.definition == "area":
                area = Areas(self._store).get(r.area_id) if r.area_id is not None else None
                if area is None:
                    out[r.id] = np.empty(0, dtype=np.int64)
                    continue
                if area.layer_id == layer_id and area.drawn is None:
                    out[r.id] = np.array(sorted(area.unit_ids), dtype=np.int64)
                    continue
                if area.kind == "derived" and area.partnership_id is not None:
                    # Its members' wards on this layer, as the map shows a derived area on another vintage.
                    out[r.id] = np.array(sorted(Areas(self._store).member_units(area.partnership_id, layer_id)),
                                         dtype=np.int64)
                    continue
                outline = area.outline if area.outline is not None else area.drawn
                polygon = outline
            else:
                polygon = r.geometry
            if layer is None:
                layer = LayerUnits(self._store, layer_id)
            out[r.id] = layer.units_inside(polygon)
        return out


    def outlines(self, geography_id: int, layer_id: int) -> dict[int, shapely.Geometry]:
        """reference area id -> its outline over the layer (EPSG:27700): an imported polygon as it
        is, any other the union of its units (coverage union: the units tile, as ONS wards do)."""
        import numpy as np
        import shapely

        polygons = {a.id: a.geometry for a in self.areas(geography_id, geometry=True) if a.geometry is not None}
        sets = self.unit_sets(geography_id, layer_id)
        layer = None
        out = {}
        for ref_id, units in sets.items():
            if ref_id in polygons:
                out[ref_id] = polygons[ref_id]
                continue
            if layer is None:
                layer = LayerUnits(self._store, layer_id)
            rows = np.searchsorted(layer.ids, units)
            out[ref_id] = (shapely.coverage_union_all(layer.geometries[rows]) if len(rows)
                           else shapely.MultiPolygon())
        return out


class LayerUnits:
    """One layer's unit outlines, with an index, for polygons that pick units by area share."""

    def __init__(self, store: Store, layer_id: int):
        import shapely

        from models.catalogue.layers import Layers
        table = Layers(store).table(layer_id)
        self.ids = table.ids
        self.geometries = table.geometries
        self.areas = shapely.area(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def units_inside(self, polygon) -> np.ndarray:
        import numpy as np
        import shapely

        if polygon is None or polygon.is_empty or not len(self.ids):
            return np.empty(0, dtype=np.int64)
        candidates = self.tree.query(polygon, predicate="intersects")
        if not len(candidates):
            return np.empty(0, dtype=np.int64)
        shared = shapely.area(shapely.intersection(self.geometries[candidates], polygon))
        keep = candidates[shared >= POLYGON_SHARE * self.areas[candidates]]
        return np.sort(self.ids[keep])


def layer_units(store: Store, layer_id: int) -> LayerUnits:
    return LayerUnits(store, layer_id)


def _multi(geom):
    import shapely

    geom = shapely.make_valid(geom) if not geom.is_valid else geom
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in getattr(g, "geoms", [g])]
    return shapely.MultiPolygon(polys)


def _overlapping_polygons(areas: list[NewArea]) -> list[str]:
    """One line per pair of polygons sharing more than OVERLAP_TOLERANCE of the smaller one."""
    if len(areas) < 2:
        return []
    import numpy as np
    import shapely

    geoms = np.array([shapely.make_valid(a.geometry) for a in areas], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    found = []
    if len(left):
        shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
        for i, j, s, m in zip(left, right, shared, smaller):
            if m > 0 and s > OVERLAP_TOLERANCE * m:
                found.append(f"areas '{areas[i].name}' and '{areas[j].name}' overlap ({s / 1e6:.2f} km², "
                             f"{s / m:.0%} of the smaller); a geography that partitions its territory cannot "
                             "(or say it does not)")
    return found
