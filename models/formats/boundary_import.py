"""Reading boundary files (GeoJSON, .geojson.gz, Shapefile, zipped Shapefile, GeoPackage).

Everything is read and checked in memory first; only a clean layer reaches the
catalogue, in one transaction, so bad input leaves the file as it was.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from models.catalogue.bulk import collector_paused
from models.catalogue.layers import Progress, unit_blobs
from models.catalogue.records import BoundaryLayer
from models.errors import CatalogueError
from models.formats.gdal_source import first_line, read_layer
from models.formats.numbers_csv import read_table
from models.formats.user_text import one_line_errors
from models.geo.noding import node, unmatched
from models.storage import gpkg

# ONS names fields by entity, two-digit year and CD (code) / NM (name): WD20CD, LAD20NM…
_ONS_CODE = re.compile(r"^([A-Z]{2,6})(\d{2})CD$", re.IGNORECASE)
ONS_LICENCE = ("Source: Office for National Statistics licensed under the Open Government "
               "Licence v.3.0. Contains OS data © Crown copyright and database right.")
_WARD_PREFIXES = {"WD"}
_BOROUGH_PREFIXES = {"LAD", "LA", "LTLA", "UTLA", "CTYUA", "CTY"}


@dataclass
class BoundaryData:
    """A checked boundary layer in memory, reprojected to British National Grid."""
    codes: list[str]
    names: list[str]
    parent_codes: list[str | None]
    # The source's other fields, {field: one value a unit} (see `attributes`).
    attribute_columns: dict[str, list]
    geometries: np.ndarray = field(repr=False)
    code_field: str = ""
    name_field: str = ""
    parent_field: str | None = None
    crs: str = ""
    repaired: list[str] = field(default_factory=list)
    noded: list[str] = field(default_factory=list)   # units given vertices their neighbours had
    unmatched: Future | None = field(default=None, repr=False)   # see read_boundaries(checks=)
    alongside: Future | None = field(default=None, repr=False)   # see read_boundaries(alongside=)
    populations: list[float | None] = field(default_factory=list)
    # The WKB each geometry was read from, None where it changed since (a repair, noding):
    # for a file in British National Grid, stored as it came (layers.unit_blobs).
    wkbs: np.ndarray | None = field(default=None, repr=False)

    def vintage(self) -> str:
        return vintage(self.code_field)

    @property
    def attributes(self) -> list[dict]:
        """Each unit's other fields, as a dict. Made when asked for: the import stores
        the columns as they are (Layers.add), which skips 161k dicts."""
        keys = list(self.attribute_columns)
        return [dict(zip(keys, row)) for row in zip(*self.attribute_columns.values())] if keys \
            else [{} for _ in self.codes]


def vintage(code_field: str | None) -> str:
    m = _ONS_CODE.match(code_field or "")
    return f"20{m.group(2)}" if m else ""


def suggest_layer(code_field: str | None, source: str | Path, level: str | None = None) -> tuple[str, str]:
    """(name, level) for a new layer: 'Wards 2020'/'ward' from WD20CD, else the file's name."""
    m = _ONS_CODE.match(code_field or "")
    prefix = m.group(1).upper() if m else ""
    level = level or ("ward" if prefix in _WARD_PREFIXES else
                      "borough" if prefix in _BOROUGH_PREFIXES else "other")
    default = {"ward": "Wards", "borough": "Boroughs"}.get(level, Path(source).name.split(".")[0])
    return (f"{default} {vintage(code_field)}".strip() if m else default), level


def _choose_fields(fields: list[str], columns: dict[str, np.ndarray], code_field, name_field,
                   parent_field) -> tuple[str, str, str | None]:
    # An empty choice (a blank box in the dialog) means "not chosen": guess, as for None.
    code_field, name_field, parent_field = code_field or None, name_field or None, parent_field or None
    for f in (code_field, name_field, parent_field):
        if f and f not in fields:
            raise CatalogueError(f"no field '{f}' (fields: {', '.join(fields) or 'none'})")
    ons = [f for f in fields if _ONS_CODE.match(f)]
    counted: dict[str, int] = {}

    def distinct(f: str) -> int:   # each column counted once (Python values: twice as fast)
        if f not in counted:
            counted[f] = len(set(np.asarray(columns[f]).tolist()))
        return counted[f]

    if code_field is None:
        # The unit's own code is the ONS code field whose values are all distinct.
        unique = [f for f in ons if distinct(f) == len(columns[f])]
        if not unique:
            raise CatalogueError("cannot tell which field holds the codes: name it with --code-field "
                                 f"(fields: {', '.join(fields) or 'none'})")
        code_field = unique[0]
    if name_field is None:
        m = _ONS_CODE.match(code_field)
        guess = code_field[:-2] + ("NM" if code_field[-2:].isupper() else "nm") if m else None
        if guess not in fields:
            raise CatalogueError("cannot tell which field holds the names: name it with --name-field")
        name_field = guess
    if parent_field is None:
        others = [f for f in ons if f != code_field and distinct(f) < len(columns[f])]
        parent_field = others[0] if others else None
    return code_field, name_field, parent_field


@dataclass
class SourceInfo:
    """What a boundary file offers, read without its geometry: for the import dialog."""
    fields: list[str]
    count: int
    crs: str
    code_field: str | None
    name_field: str | None
    parent_field: str | None
    layer: str | None


@one_line_errors
def describe(source: str | Path, layer: str | None = None) -> SourceInfo:
    """Fields, feature count and the fields the import would choose on its own."""
    source = Path(source)
    if not source.is_file():
        raise CatalogueError(f"{source} does not exist")
    layer, meta, _, values = read_layer(source, layer, ask=False, read_geometry=False)
    fields = [str(f) for f in meta["fields"]]
    columns = dict(zip(fields, values))
    guesses: list[str | None] = [None, None, None]
    try:
        guesses = list(_choose_fields(fields, columns, None, None, None))
    except CatalogueError:  # nothing recognisable: the researcher chooses
        pass
    count = len(values[0]) if values else 0
    return SourceInfo(fields=fields, count=count, crs=meta.get("crs") or "", code_field=guesses[0],
                      name_field=guesses[1], parent_field=guesses[2], layer=layer)


@one_line_errors
def read_boundaries(source: str | Path, *, layer: str | None = None, code_field: str | None = None,
                    name_field: str | None = None, parent_field: str | None = None,
                    progress: Progress | None = None, node_units: bool = True,
                    checks: ThreadPoolExecutor | None = None,
                    alongside: Callable[[], object] | None = None) -> BoundaryData:
    """The layer read, checked, repaired and reprojected. node_units: also give units the
    vertices their neighbours have on shared edges (models.geo.noding). Without, and given
    `checks` (a pool), the search for such units starts on the source geometry and
    goes on while the caller carries on: BoundaryData.unmatched (import_boundaries).

    alongside: work for `checks` (the import's population CSV) to start when this waits for
    GEOS's validity check, which leaves the interpreter free: it runs then rather than
    after. Its Future is BoundaryData.alongside."""
    source = Path(source)
    if not source.is_file():
        raise CatalogueError(f"{source} does not exist")
    if progress:
        progress(0.0, f"Reading {source.name}")
    layer, meta, wkbs, values = read_layer(source, layer, force_2d=True)
    fields = [str(f) for f in meta["fields"]]
    columns = dict(zip(fields, values))
    if wkbs is None or len(wkbs) == 0:
        raise CatalogueError(f"{source.name} has no features")
    crs_text = meta.get("crs")
    in_bng = _in_bng(crs_text)
    code_field, name_field, parent_field = _choose_fields(
        fields, columns, code_field, name_field, parent_field)
    codes = _texts(columns[code_field])
    if None in codes or "" in codes:
        row = next(row for row, code in enumerate(codes, start=1) if not code)
        raise CatalogueError(f"feature {row} has no code in '{code_field}'")
    if len(set(codes)) != len(codes):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise CatalogueError(f"code {code} appears more than once in '{code_field}'")
            seen.add(code)

    if progress:
        progress(0.15, "Checking geometry and reprojecting to British National Grid")
    # A layer to reproject has every coordinate read for it: they are checked then.
    # One in British National Grid is not read so: GEOS's validity check (below) finds
    # coordinates that are not numbers.
    geoms, coords = _polygons(wkbs, codes, source.name, coordinates=not in_bng)
    # shapely and pyproj release the GIL: check validity on the source geometry
    # while the reprojection runs, then repair the few invalid ones after.
    # A layer already in British National Grid has no reprojection to wait for: the
    # check (0.7 s for 161k units) then runs in two halves, on both cores. Otherwise the
    # reprojection takes both cores, and more threads only take turns.
    half = len(geoms) // 2 if in_bng else 0
    # Before the checks start: pyproj makes a CRS through many short calls, and each waited
    # for the interpreter once a thread beside it ran numpy (half a second at 161k units).
    crs = _source_crs(crs_text, source.name)
    with ThreadPoolExecutor(max_workers=2) as pool:
        halves = [pool.submit(shapely.is_valid, part) for part in (geoms[:half], geoms[half:])
                  if len(part)]
        # Reprojecting moves every vertex by the same function: shared vertices stay shared,
        # so the source geometry has the same unmatched units as the projected.
        pending = checks.submit(unmatched, geoms) if checks is not None and not node_units else None
        projected = _to_bng(geoms, crs_text, source.name, coords, crs)
        # The fields' plain Python work runs while GEOS checks (a third of a second at
        # 161k units, which waiting for the check first would add).
        names = _texts(columns[name_field])
        if None in names:
            names = ["" if v is None else v for v in names]
        parents = _texts(columns[parent_field]) if parent_field else [None] * len(codes)
        if "" in parents:
            parents = [v or None for v in parents]
        # Column by column (tolist gives Python numbers at C speed): a dict comprehension
        # calling _plain on every value was ~0.5 s at 161k units.
        attributes = {f: _plain_column(columns[f]) for f in fields if f not in (code_field, name_field)}
        # Started only now: a thread running Python beside this one makes each of its GEOS
        # calls above wait for the interpreter; from here this one mostly waits.
        side = checks.submit(alongside) if alongside is not None and checks is not None else None
        bad = ~np.concatenate([h.result() for h in halves])
    if coords is None and bad.any():
        _check_finite(shapely.get_coordinates(geoms[bad]), source.name)
    repaired = [codes[i] for i in np.flatnonzero(bad)]
    kept = np.array(wkbs, dtype=object) if in_bng else None
    if repaired:
        if kept is not None:
            kept[bad] = None
        projected[bad] = [_polygonal_part(shapely.make_valid(g)) for g in projected[bad]]
        lost = [codes[i] for i in np.flatnonzero(bad) if projected[i] is None]
        if lost:
            raise CatalogueError(f"unit {lost[0]} has no area left after repairing its geometry")
    geoms, rebuilt = projected, np.zeros(0, dtype=np.int64)
    if node_units:
        # After the repair: make_valid may move or add vertices on the edges it fixes.
        geoms, rebuilt = node(projected)
        if kept is not None:
            kept[rebuilt] = None
    return BoundaryData(codes=codes, names=names, parent_codes=parents, attribute_columns=attributes,
                        geometries=geoms, code_field=code_field, name_field=name_field,
                        parent_field=parent_field, crs=crs_text or "", repaired=repaired,
                        noded=[codes[i] for i in rebuilt], wkbs=kept, alongside=side,
                        # Repaired units changed shape: look again, on what will be stored.
                        unmatched=None if repaired else pending)


def _texts(values: np.ndarray) -> list[str | None]:
    """A column's values as text without surrounding spaces, None where missing: one
    map(str.strip) when every value is text (a comprehension was 0.1 s a column at 161k)."""
    listed = values.tolist() if values.dtype.kind == "O" else None
    if listed is not None and set(map(type, listed)) == {str}:
        return list(map(str.strip, listed))
    return [None if v is None else str(v).strip() for v in values]


def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain_column(values: np.ndarray) -> list:
    """A column as _plain gives each value: Python scalars, non-finite floats as None."""
    if values.dtype.kind == "f":
        return [None if v != v or v in (math.inf, -math.inf) else v for v in values.tolist()]
    if values.dtype.kind in "iub":
        return values.tolist()
    if values.dtype.kind == "O":
        listed = values.tolist()
        if set(map(type, listed)) <= {str, type(None)}:
            return listed
        return [_plain(v) for v in listed]
    return [_plain(v) for v in values]


def _polygons(wkbs, codes, filename, coordinates: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """(geometries, their coordinates if asked for): the WKB parsed, checked to be polygons
    or multipolygons with numbers for coordinates."""
    try:
        # Not in threads: shapely keeps the interpreter while it parses WKB (or writes it).
        geoms = shapely.from_wkb(wkbs)
    except shapely.errors.ShapelyError as e:
        raise CatalogueError(_broken(wkbs, codes, filename, e)) from None
    # One vectorised test, not a Python call per unit (a tenth of a second at 161k units).
    missing = [codes[i] for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if missing:
        raise CatalogueError(f"unit {missing[0]} has no geometry ({len(missing)} such)")
    types = shapely.get_type_id(geoms)
    polygonal = (types == 3) | (types == 6)
    if not polygonal.any():
        raise CatalogueError(f"{filename} has no polygons (boundaries must be areas)")
    if not polygonal.all():
        i = int(np.flatnonzero(~polygonal)[0])
        raise CatalogueError(f"unit {codes[i]} is a {geoms[i].geom_type}, not a polygon "
                             f"({int((~polygonal).sum())} such)")
    coords = None
    if coordinates:
        coords = shapely.get_coordinates(geoms)
        _check_finite(coords, filename)
    return geoms, coords


def _check_finite(coords: np.ndarray, filename: str) -> None:
    if not np.isfinite(coords).all():
        raise CatalogueError(f"{filename} has coordinates that are not numbers (NaN or infinite)")


def _broken(wkbs, codes, filename, error: Exception) -> str:
    """Which unit's geometry GEOS could not build (an open ring, too few points), and why."""
    parsed = shapely.from_wkb(wkbs, on_invalid="ignore")   # the broken ones come back as None
    broken = [i for i, (w, g) in enumerate(zip(wkbs, parsed)) if w is not None and g is None]
    if not broken:
        return f"{filename} has a broken geometry: {first_line(error)}"
    i = broken[0]
    try:
        shapely.from_wkb(wkbs[i])
    except shapely.errors.ShapelyError as e:
        error = e
    return f"unit {codes[i]} has a broken geometry: {first_line(error)} ({len(broken)} such)"


def _polygonal_part(geom):
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    merged = shapely.union_all(parts) if parts else None
    return merged if merged is not None and merged.area > 0 else None


def _in_bng(crs_text: str | None) -> bool:
    """Whether the layer is in British National Grid already (unknown: no; _to_bng says why)."""
    try:
        return bool(crs_text) and CRS.from_user_input(crs_text).equals(CRS.from_epsg(gpkg.BNG))
    except CRSError:
        return False


def _source_crs(crs_text: str | None, filename: str) -> CRS:
    """The layer's CRS, or why it cannot be placed."""
    if not crs_text:
        raise CatalogueError(f"{filename} has no coordinate reference system; cannot place it")
    try:
        return CRS.from_user_input(crs_text)
    except CRSError:
        raise CatalogueError(f"{filename} has an unknown coordinate reference system '{crs_text}'") from None


def _to_bng(geoms: np.ndarray, crs_text: str | None, filename: str,
            coords: np.ndarray | None = None, crs: CRS | None = None) -> np.ndarray:
    """The geometries in British National Grid. coords: their coordinates, when read
    already; crs: the layer's (_source_crs), when found already."""
    crs = crs or _source_crs(crs_text, filename)
    target = CRS.from_epsg(gpkg.BNG)
    if crs.equals(target):
        # The extent is enough for the check below. GEOS leaves NaN out of it (the validity
        # check finds those) but not an infinite coordinate: not a number either.
        out, (x0, y0, x1, y1) = geoms, shapely.total_bounds(geoms)
        coords = np.array([[x0, y0], [x1, y1]])
        _check_finite(coords, filename)
    else:
        coords = shapely.get_coordinates(geoms) if coords is None else coords
        x, y = coords[:, 0].copy(), coords[:, 1].copy()

        def project(part: slice) -> None:
            # A Transformer per thread (they are not shareable); pyproj releases the GIL,
            # so the halves run on two cores.
            Transformer.from_crs(crs, target, always_xy=True).transform(
                x[part], y[part], inplace=True, errcheck=False)

        half = len(x) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(project, (slice(0, half), slice(half, None))))
        coords = np.column_stack([x, y])
        out = shapely.set_coordinates(geoms.copy(), coords)
    # British National Grid spans roughly 0–700 km east and 0–1300 km north.
    if (not np.isfinite(coords).all() or coords[:, 0].min() < -1e6 or coords[:, 0].max() > 2e6
            or coords[:, 1].min() < -1e6 or coords[:, 1].max() > 2.5e6):
        raise CatalogueError(f"{filename} has coordinates far outside Great Britain "
                             f"(is its CRS '{crs_text}' right?)")
    return out


def check_vintage(value: str | int | None) -> str:
    """A vintage as stored: a four-digit year, or '' when none was given."""
    text = str(value if value is not None else "").strip()
    if not text:
        return ""
    if not re.fullmatch(r"(18|19|20|21)\d\d", text):
        raise CatalogueError(f"'{text}' is not a vintage: give a year such as 2022")
    return text


def _iso(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", text):
        raise CatalogueError(f"'{text}' is not a date like 2022-05-05")
    return text


@one_line_errors
def import_boundaries(cat, source: str | Path, *, name: str | None = None, level: str | None = None,
                      code_field: str | None = None, name_field: str | None = None,
                      parent_field: str | None = None, layer: str | None = None,
                      population: str | Path | None = None, population_field: str = "population",
                      attribute_fields: list[str] = (), licence: str | None = None,
                      source_text: str | None = None, progress: Progress | None = None,
                      vintage: str | int | None = None, in_force_from: str | None = None,
                      in_force_to: str | None = None, require_vintage: bool = False):
    """Read, check and store a boundary layer; returns (Revert, BoundaryData).

    The vintage (a year) is the one given, else the one in the ONS field names (WD22CD:
    2022). require_vintage: a layer with neither, nor dates in force, is refused, since
    with several vintages of a level the map and re-basing must know which is which.

    From the population CSV, `population_field` becomes each unit's population and
    `attribute_fields` (other numeric columns) are kept with the unit's attributes."""
    given = check_vintage(vintage)
    in_force_from, in_force_to = _iso(in_force_from), _iso(in_force_to)
    # Finding edges that meet without shared vertices costs GEOS about as long as writing
    # the units (~1 s for 8k wards, ~2.5 s for 161k units): it runs beside the reprojection,
    # the CSV join and the writing (GEOS releases the GIL), and the few units it finds are
    # rewritten noded before the import's transaction commits.
    # The population CSV is read meanwhile too (Python, while GEOS leaves the interpreter
    # free), and joined to the units' codes once the layer is read.
    fields = [population_field, *attribute_fields]
    # Without the cyclic collector meanwhile (models.catalogue.bulk): the rows, cells and
    # columns made for 161k units set it off ~300 times, a tenth of a second and more; they
    # hold no cycles.
    with collector_paused(), ThreadPoolExecutor(max_workers=2) as pool:
        data = read_boundaries(source, layer=layer, code_field=code_field, name_field=name_field,
                               parent_field=parent_field, progress=progress, node_units=False,
                               checks=pool,
                               alongside=(lambda: read_table(population, fields)) if population else None)
        check = data.unmatched or pool.submit(unmatched, data.geometries)
        return _import(cat, data, check, source, given, in_force_from, in_force_to, name, level,
                       population, population_field, attribute_fields, licence, source_text,
                       progress, require_vintage)


def _import(cat, data: BoundaryData, check, source, given, in_force_from, in_force_to, name, level,
            population, population_field, attribute_fields, licence, source_text, progress,
            require_vintage):
    found = given or data.vintage()
    if require_vintage and not found and not in_force_from:
        raise CatalogueError(f"cannot tell which year the boundaries of {Path(source).name} are: "
                             "give it with --vintage YEAR")
    if attribute_fields and not population:
        raise CatalogueError("attribute fields are read from the population CSV: give one")
    # The units' blobs are made beside the CSV's join and the attributes' JSON: their
    # bounds and headers leave the interpreter free (writing WKB, for a reprojected layer,
    # does not; a layer in British National Grid keeps the WKB it was read with).
    with ThreadPoolExecutor(max_workers=1) as side:
        prepared = side.submit(unit_blobs, data.geometries, BoundaryLayer.srs_id, data.wkbs)
        return _store(cat, data, check, source, found, in_force_from, in_force_to, name, level,
                      population, population_field, attribute_fields, licence, source_text, progress,
                      prepared)


def _store(cat, data: BoundaryData, check, source, found, in_force_from, in_force_to, name, level,
           population, population_field, attribute_fields, licence, source_text, progress, prepared):
    if population:
        table = data.alongside.result() if data.alongside else read_table(population, [population_field,
                                                                                      *attribute_fields])
        joined = table.join(data.codes)
    else:
        joined = {population_field: [None] * len(data.codes)}
    populations = data.populations = joined[population_field]
    for column in attribute_fields:
        data.attribute_columns[column] = joined[column]
    source = Path(source)
    ons = bool(_ONS_CODE.match(data.code_field))
    suggested, level = suggest_layer(data.code_field, source, level)
    name = name or suggested
    record = BoundaryLayer(name=name, level=level, vintage=found or (in_force_from or "")[:4],
                           source=source_text or source.name,
                           licence=licence if licence is not None else (ONS_LICENCE if ons else ""),
                           in_force_from=in_force_from, in_force_to=in_force_to)
    def amend() -> dict[int, object]:
        try:
            noded, rebuilt = node(data.geometries, check.result())
        except shapely.errors.GEOSException:
            # GEOS could not check or node this layer: store it as read; the map's coverage
            # operations fall back to plain unions where they refuse it.
            return {}
        data.geometries, data.noded = noded, [data.codes[i] for i in rebuilt]
        return {int(i): noded[i] for i in rebuilt}

    blobs = prepared.result()
    revert = cat.layers.add(record, data.codes, data.names, data.parent_codes, populations,
                            data.attribute_columns, data.geometries, progress=progress, amend=amend,
                            prepared=blobs if record.srs_id == BoundaryLayer.srs_id else None)
    return revert, data


def prepare_map_levels(cat, layer_id: int, geometries: np.ndarray | None = None,
                       parent_codes: list[str | None] | None = None,
                       progress: Progress | None = None) -> None:
    """Compute a layer's levels of detail for the map and keep them in the catalogue.

    The step after an import, with its own progress: at ~7 s for the 8,071 England &
    Wales wards it would double the import, and it changes nothing a researcher made, so
    cancelling it (progress raising Cancelled) keeps the imported layer and stores
    nothing; the map then computes the levels in the background when it opens, as for
    layers imported before levels were stored. geometries and parent_codes: the layer as
    just imported, sparing a read of it back."""
    from models.geo.detail import LEVELS, LayerGeometry

    if geometries is None or parent_codes is None:
        table = cat.layers.table(layer_id)
        geometries, parent_codes = table.geometries, table.parent_codes
    geometry = LayerGeometry(geometries, parent_codes)
    wanted = sorted(t for t in LEVELS if t > 0)
    # Finest first: each level is simplified from the one before, with fewer vertices
    # than the full geometry (the map's background warming goes coarsest first instead,
    # to draw something soon). 6.6 s for the E&W wards this way, 10.5 s the other.
    steps = [(t, what) for t in wanted for what in ("level", "parents", "rings")]
    for k, (t, what) in enumerate(steps):
        # Told before each GEOS call (~15 s each at 161k units; none can be interrupted),
        # so Cancel waits for one step at most.
        if progress:
            progress(k / len(steps), f"Simplifying the map's outlines ({wanted.index(t) + 1} of {len(wanted)})")
        getattr(geometry, what)(t)
    if progress:
        progress(1.0, "Saving the map's outlines")
    cat.layers.save_levels(layer_id, {t: geometry.pack(t) for t in wanted})
