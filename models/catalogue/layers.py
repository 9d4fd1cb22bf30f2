"""Boundary layers and their units (wards, boroughs) as stored in the catalogue."""
from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import math
import operator
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from models.catalogue.bulk import collector_paused
from models.catalogue.records import LEVELS, BoundaryLayer, Unit
from models.errors import CatalogueError
from models.storage import gpkg
from models.storage.store import Revert, Store

if TYPE_CHECKING:
    import numpy as np

# numpy and shapely are imported by the functions that use them: opening a catalogue and
# showing its window use neither, and they are a sixth of the app's start-up.

_L_COLUMNS = "id, name, level, vintage, source, licence, srs_id, in_force_from, in_force_to"

Progress = Callable[[float, str], None]

DECODE_CHUNK = 8192   # units read and decoded at once when a layer's geometry is read late


@dataclass(eq=False)
class UnitTable:
    """All units of one layer as parallel arrays: what maps and overlap sums want.

    `geometries` (shapely, metres, EPSG:27700) may be given decoded, or as the stored
    GeoPackage blobs (`blobs`, or a function reading and decoding them): then they are
    decoded on first use, in whichever thread asks first. A map's first frame is drawn from stored
    outlines (see models.geo.detail) and need not wait for every unit's full geometry."""
    layer_id: int
    ids: np.ndarray                      # int64 fids
    codes: list[str]
    names: list[str]
    parent_codes: list[str | None]
    population: np.ndarray               # float64, NaN where unknown
    geometries: np.ndarray | None = field(default=None, repr=False)   # a property: see below
    attributes: list[dict] = field(default_factory=list, repr=False)
    digest: str = ""   # of the stored geometry and parent codes, when asked for (see table)
    blobs: list[bytes] | Callable[[], np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._index: dict[int, int] | None = None
        if self._geometries is not None:
            self.blobs = None

    def __len__(self) -> int:
        return len(self.ids)

    def _get_geometries(self) -> np.ndarray:
        """Every unit's geometry, decoded from the stored blobs on first use."""
        got = self._geometries
        if got is not None:
            return got
        with self._lock:   # two threads asking at once decode once
            if self._geometries is None:
                import numpy as np
                blobs, self.blobs = self.blobs or [], None
                if callable(blobs):   # deferred: read and decoded now (Layers.table)
                    self._geometries = blobs()
                else:
                    self._geometries = gpkg.from_blobs(blobs) if blobs else np.array([], dtype=object)
            return self._geometries

    def _set_geometries(self, value) -> None:
        self._geometries = value

    @property
    def decoded(self) -> bool:
        """Whether the geometries have been decoded (reading them would not wait)."""
        return self._geometries is not None

    def index_of(self) -> dict[int, int]:
        """Row of each unit id; built once (a brush step asks for it every time)."""
        if self._index is None:
            ids = self.ids.tolist()   # Python ints at once, not one numpy scalar at a time
            self._index = dict(zip(ids, range(len(ids))))
        return self._index


# Set after the dataclass is made (a property in the class body would be taken for the
# field's default): the generated __init__ and dataclasses.replace go through it.
UnitTable.geometries = property(UnitTable._get_geometries, UnitTable._set_geometries)


def _layer(row) -> BoundaryLayer:
    return BoundaryLayer(id=row[0], name=row[1], level=row[2], vintage=row[3], source=row[4],
                         licence=row[5], srs_id=row[6], in_force_from=row[7], in_force_to=row[8])


class Layers:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    def all(self) -> list[BoundaryLayer]:
        return [_layer(r) for r in self._conn.execute(f"SELECT {_L_COLUMNS} FROM boundary_layers ORDER BY id")]

    def get(self, layer_id: int) -> BoundaryLayer:
        row = self._conn.execute(f"SELECT {_L_COLUMNS} FROM boundary_layers WHERE id=?", (layer_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no boundary layer with id {layer_id}")
        return _layer(row)

    def find(self, name: str) -> BoundaryLayer | None:
        row = self._conn.execute(f"SELECT {_L_COLUMNS} FROM boundary_layers WHERE name=?", (name,)).fetchone()
        return _layer(row) if row else None

    def unit_count(self, layer_id: int) -> int:
        return self._conn.execute("SELECT count(*) FROM boundary_units WHERE layer_id=?", (layer_id,)).fetchone()[0]

    def table(self, layer_id: int, with_attributes: bool = False, with_digest: bool = False,
              defer_geometry: bool = False) -> UnitTable:
        """with_digest: a hash that changes whenever any unit's geometry or parent code does,
        taken over the stored blobs (a few ms; hashing decoded coordinates costs several times
        that), for caches keyed by the layer's content.

        defer_geometry: read no geometry now; the table reads it (through a connection of
        its own, from any thread) when first asked for. For a map, whose first frame needs
        none: only for a layer committed and left alone (a reader outside this connection's
        transaction would not see units it has added)."""
        import numpy as np

        defer = defer_geometry and not with_digest and not self._conn.in_transaction
        with collector_paused():   # 161k strings and a list of parents, as for the rows below
            packed = self._packed_columns(layer_id) if defer and not with_attributes else None
        if packed is not None:
            ids, codes, names, parents, population = packed
            return UnitTable(layer_id=layer_id, ids=ids, codes=codes, names=names, parent_codes=parents,
                             population=population, blobs=self._geometry_reader(layer_id, len(ids)))
        with collector_paused():
            rows = self._conn.execute(
                "SELECT fid, code, name, parent_code, population" + ("" if defer else ", geom")
                + (", attributes" if with_attributes else "")
                + " FROM boundary_units WHERE layer_id=? ORDER BY fid", (layer_id,)).fetchall()
            width = 5 + (not defer) + with_attributes
            cols = list(zip(*rows)) if rows else [[]] * width
            del rows   # the rows' tuples go now, not after the table is made
        return UnitTable(
            layer_id=layer_id,
            ids=np.array(cols[0], dtype=np.int64),
            codes=list(cols[1]), names=list(cols[2]), parent_codes=list(cols[3]),
            population=np.array(cols[4], dtype=np.float64),   # None becomes NaN
            # decoded when first asked for (UnitTable.geometries)
            blobs=self._geometry_reader(layer_id, len(cols[0])) if defer else list(cols[5]),
            attributes=[json.loads(a) for a in cols[-1]] if with_attributes else [],
            digest=_digest(cols[5], cols[3]) if with_digest else "")

    def _packed_columns(self, layer_id: int) -> tuple | None:
        """The layer's unit columns as the import packed them (pack_columns), if they are
        there and still name the layer's units (checked by their count and fids, read from
        the index on codes: a few ms); None to read them from the units."""
        try:
            row = self._conn.execute("SELECT data FROM boundary_unit_columns WHERE layer_id=?",
                                     (layer_id,)).fetchone()
        except sqlite3.OperationalError:   # a file from before the table (opened read-only)
            return None
        if row is None:
            return None
        got = unpack_columns(row[0])
        if got is None:
            return None
        count, low, high = self._conn.execute(
            "SELECT count(*), min(fid), max(fid) FROM boundary_units WHERE layer_id=?", (layer_id,)).fetchone()
        ids = got[0]
        if count != len(ids) or (count and (low != ids[0] or high != ids[-1])):
            return None
        return got

    def _geometry_reader(self, layer_id: int, count: int) -> Callable[[], np.ndarray]:
        path = self._store.path

        def read() -> np.ndarray:
            import numpy as np

            # Read and decoded a chunk at a time: the whole layer's blobs (and their copies
            # without headers) held at once beside the geometries made by them were a third
            # of a big map's peak memory.
            out = np.empty(count, dtype=object)
            done = 0
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                cursor = conn.execute("SELECT geom FROM boundary_units WHERE layer_id=? ORDER BY fid",
                                      (layer_id,))
                while chunk := cursor.fetchmany(DECODE_CHUNK):
                    if done + len(chunk) > count:
                        break
                    out[done:done + len(chunk)] = gpkg.from_blobs([r[0] for r in chunk])
                    done += len(chunk)
            finally:
                conn.close()
            if done != count or chunk:
                raise CatalogueError("the layer's units changed while its geometry was being read")
            return out
        return read

    # -- the map's levels of detail, kept in the file (models.geo.detail) ----
    def level_tolerances(self, layer_id: int) -> list[float]:
        """The levels of detail stored for a layer (none for layers imported before they were)."""
        return [r[0] for r in self._conn.execute(
            "SELECT tolerance FROM boundary_levels WHERE layer_id=? ORDER BY tolerance", (layer_id,))]

    def level_reader(self, layer_id: int) -> Callable[[float], bytes | None]:
        """A function giving one stored level's data, callable from any thread: it reads
        through a connection of its own, so a map's worker never shares the GUI's."""
        path = self._store.path

        def read(tolerance: float) -> bytes | None:
            try:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    row = conn.execute("SELECT data FROM boundary_levels WHERE layer_id=? AND tolerance=?",
                                       (layer_id, float(tolerance))).fetchone()
                finally:
                    conn.close()
            except sqlite3.Error:   # a lost shortcut: the level is computed instead
                return None
            return bytes(row[0]) if row else None
        return read

    def save_levels(self, layer_id: int, levels: dict[float, bytes]) -> None:
        """Keep a layer's levels of detail in the file, replacing any stored before. Not an
        edit (nothing to undo: they are derived from the units), but one transaction."""
        self.get(layer_id)
        if self._store.read_only:
            return
        with self._store.atomic():
            self._conn.execute("DELETE FROM boundary_levels WHERE layer_id=?", (layer_id,))
            self._conn.executemany("INSERT INTO boundary_levels(layer_id, tolerance, data) VALUES (?,?,?)",
                                   [(layer_id, float(t), data) for t, data in sorted(levels.items())])

    def parent_attributes(self, layer_id: int, table: UnitTable | None = None) -> dict[str, dict]:
        """Parent code -> the attributes of one of its units (e.g. LAD20NM for a borough's
        name), without reading every unit's attributes. Given the layer's table, only the
        first unit of each parent is read (grouping 161k units in SQL took a sixth of a second)."""
        if table is None:
            return _parent_attributes(self._conn, layer_id)
        # The first unit of each parent: a later pair in the dict overwrites an earlier one.
        first = dict(zip(reversed(table.parent_codes), reversed(table.ids.tolist())))
        first.pop(None, None)
        first.pop("", None)
        parent_of = {fid: code for code, fid in first.items()}
        fids = list(parent_of)
        out: dict[str, dict] = {}
        for start in range(0, len(fids), 500):
            chunk = fids[start:start + 500]
            for fid, attrs in self._conn.execute(
                    f"SELECT fid, attributes FROM boundary_units WHERE fid IN ({','.join('?' * len(chunk))})",
                    chunk):
                out[parent_of[fid]] = json.loads(attrs)
        return out

    def units(self, layer_id: int) -> list[Unit]:
        import numpy as np

        t = self.table(layer_id)
        return [Unit(id=int(t.ids[i]), layer_id=layer_id, code=t.codes[i], name=t.names[i],
                     parent_code=t.parent_codes[i],
                     population=None if np.isnan(t.population[i]) else float(t.population[i]),
                     geometry=t.geometries[i]) for i in range(len(t))]

    def add(self, layer: BoundaryLayer, codes: list[str], names: list[str],
            parent_codes: list[str | None], populations: list[float | None],
            attributes: list[dict] | dict[str, list], geometries: np.ndarray,
            progress: Progress | None = None,
            amend: Callable[[], dict[int, object]] | None = None,
            prepared: tuple[list[bytes], np.ndarray] | None = None) -> Revert:
        """A new layer with its units, in one transaction (one undo step).

        attributes: each unit's dict of other fields, or {field: one value a unit}.

        A progress callback may raise Cancelled: the whole import rolls back.
        amend(): called once the units are written, before the transaction commits; gives
        {row: geometry} to store instead (units noded by a check that ran meanwhile).
        prepared: unit_blobs(geometries, layer.srs_id), when the caller made them already.
        """
        name = layer.name.strip()
        if not name:
            raise CatalogueError("a boundary layer needs a name")
        if layer.level not in LEVELS:
            raise CatalogueError(f"unknown level '{layer.level}' (use {', '.join(LEVELS)})")
        if self.find(name):
            raise CatalogueError(f"there is already a boundary layer called '{name}'")
        layer = replace(layer, name=name)
        import numpy as np
        import shapely

        blobs, each = prepared if prepared is not None else unit_blobs(geometries, layer.srs_id)
        bounds = [np.nanmin(each[:, 0]), np.nanmin(each[:, 1]), np.nanmax(each[:, 2]),
                  np.nanmax(each[:, 3])] if len(each) else shapely.total_bounds(geometries)
        n = len(codes)
        with self._store.checkpoint_later(), self._store.edit() as revert:
            layer_id = self._conn.execute(
                "INSERT INTO boundary_layers(name, level, vintage, source, licence, srs_id, "
                "in_force_from, in_force_to) VALUES (?,?,?,?,?,?,?,?)",
                (layer.name, layer.level, layer.vintage, layer.source, layer.licence,
                 layer.srs_id, layer.in_force_from, layer.in_force_to)).lastrowid
            revert.id = layer_id
            # Every unit after this fid is the new layer's (read on the fid's own index: a
            # min and max over the layer's units scanned 161k index entries).
            before = self._conn.execute("SELECT coalesce(max(fid), 0) FROM boundary_units").fetchone()[0]
            step = 1000
            texts = (_column_texts(attributes, n) if isinstance(attributes, dict)
                     else _attributes_texts(attributes))
            rows = zip(itertools.repeat(layer_id), codes, names, parent_codes, populations,
                       texts, blobs)
            # One undo entry for all the units (undone by deleting the layer's units), not one a row.
            with self._store.bulk_insert("boundary_units", layer_id):
                for start in range(0, n, step):
                    stop = min(start + step, n)
                    self._conn.executemany(
                        "INSERT INTO boundary_units(layer_id, code, name, parent_code, population, "
                        "attributes, geom) VALUES (?,?,?,?,?,?,?)",
                        itertools.islice(rows, stop - start))
                    if progress:
                        progress(0.5 + 0.5 * stop / max(n, 1), f"Saving units {stop:,} of {n:,}")
            fixes = amend() if amend else {}
            if fixes:
                rows = list(fixes)
                self._conn.executemany(
                    "UPDATE boundary_units SET geom=? WHERE layer_id=? AND code=?",
                    zip(_blobs(np.array([fixes[i] for i in rows], dtype=object), layer.srs_id),
                        [layer_id] * len(rows), [codes[i] for i in rows]))
            # The columns a map reads on opening, in one row (migration_unit_columns). Rows
            # inserted in order get consecutive fids; anything else is read from the units.
            low = self._conn.execute("SELECT min(fid) FROM boundary_units WHERE fid > ?", (before,)).fetchone()[0]
            high = self._conn.execute("SELECT max(fid) FROM boundary_units").fetchone()[0]
            if n and low is not None and high - low + 1 == n:
                packed = pack_columns(np.arange(low, high + 1, dtype=np.int64), codes, names, parent_codes,
                                      populations)
                with contextlib.suppress(sqlite3.OperationalError):   # a schema from before the table
                    if packed is not None:
                        self._conn.execute("INSERT INTO boundary_unit_columns(layer_id, data) VALUES (?,?)",
                                           (layer_id, packed))
            # Widen the table's extent by the new layer's box (cheaper than rescanning every unit).
            self._conn.execute(
                "UPDATE gpkg_contents SET min_x=min(coalesce(min_x, ?1), ?1), "
                "min_y=min(coalesce(min_y, ?2), ?2), max_x=max(coalesce(max_x, ?3), ?3), "
                "max_y=max(coalesce(max_y, ?4), ?4), last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                "WHERE table_name='boundary_units'", [float(b) for b in bounds])
        return revert

    def delete(self, layer_id: int) -> Revert:
        self.get(layer_id)
        with self._store.edit() as revert:
            self._conn.execute("DELETE FROM boundary_layers WHERE id=?", (layer_id,))
            gpkg.update_extent(self._conn, "boundary_units")
        return revert


def in_force(layers: list[BoundaryLayer], year: int | None, level: str = "ward") -> BoundaryLayer | None:
    """The layer of `level` in force in `year`: one whose dates cover it, else the latest
    vintage not after it, else the earliest (nothing older is loaded); None if no layer
    of that level. Without a year, the latest vintage: today's wards."""
    same = [l for l in layers if l.level == level]
    if not same:
        return None
    def start(l: BoundaryLayer) -> str:
        return l.in_force_from or (f"{l.vintage[:4]}" if l.vintage else "")
    same.sort(key=lambda l: (start(l), l.id or 0))
    if year is None:
        return same[-1]
    when = f"{year:04d}"
    for l in reversed(same):
        if l.in_force_from and l.in_force_from[:4] <= when and (not l.in_force_to or when <= l.in_force_to[:4]):
            return l
    started = [l for l in same if start(l) and start(l)[:4] <= when]
    return started[-1] if started else same[0]


_encode_any = json.JSONEncoder(ensure_ascii=False, default=str).encode
_encode_text = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring


def _json_value(v) -> str:
    """One attribute value as json.dumps(..., ensure_ascii=False, default=str) writes it, the
    common kinds (text, whole and plain numbers, none) without building an encoder each time."""
    t = type(v)
    if t is str:
        return _encode_text(v)
    if v is None:
        return "null"
    if t is int:
        return int.__repr__(v)
    if t is float and v == v and v not in (math.inf, -math.inf):
        return float.__repr__(v)
    return _encode_any(v)   # bools, odd numbers, dates…: exactly as json.dumps has them


def _attributes_json(attributes: dict) -> str:
    """json.dumps(attributes, ensure_ascii=False, default=str) for a unit's attributes, made
    fast for what a boundary file holds (a flat dict of text and numbers): a third of the
    time of writing 161k units went to json.dumps building an encoder for every row."""
    if any(type(k) is not str for k in attributes):
        return _encode_any(attributes)
    return "{" + ", ".join(f"{_encode_text(k)}: {_json_value(v)}" for k, v in attributes.items()) + "}"


def _attributes_texts(attributes: list[dict]) -> list[str]:
    """The JSON of every unit's attributes, as _attributes_json gives it. When every unit
    has the same text keys in the same order (a boundary file's fields), each column is
    encoded by one map and the rows joined by another: per row, the encoder's loop was
    ~1 s of writing 161k units."""
    if not attributes:
        return []
    keys = tuple(attributes[0])
    if not keys or any(type(k) is not str for k in keys) or \
            any(len(a) != len(keys) for a in attributes) or set(map(tuple, attributes)) != {keys}:
        return list(map(_attributes_json, attributes))
    columns = []
    for k in keys:
        values = list(map(operator.itemgetter(k), attributes))
        encode = _encode_text if set(map(type, values)) == {str} else _json_value
        prefix = _encode_text(k) + ": "
        columns.append([prefix + e for e in map(encode, values)])
    return ["{" + row + "}" for row in map(", ".join, zip(*columns))]


def _column_texts(columns: dict[str, list], n: int) -> list[str]:
    """The JSON of every unit's attributes given by column, as _attributes_json writes
    each unit's dict: every column encoded by one map, the rows by one map of a format
    (a third of the time of joining per-row lists of encoded pairs)."""
    if not columns or any(type(k) is not str for k in columns):
        return _attributes_texts([dict(zip(columns, row)) for row in zip(*columns.values())]
                                 if columns else [{}] * n)
    encoded = [list(map(_encode_text if set(map(type, values)) == {str} else _json_value, values))
               for values in columns.values()]
    row = "{" + ", ".join(_encode_text(k).replace("%", "%%") + ": %s" for k in columns) + "}"
    return list(map(row.__mod__, zip(*encoded)))


def unit_blobs(geometries, srs_id: int, wkbs=None) -> tuple[list[bytes], np.ndarray]:
    """The units' GeoPackage blobs as Layers.add stores them, and each unit's bounds (the
    blobs' headers and the layer's extent). GEOS does most of it without the GIL, so an
    import makes them in a thread while Python joins the population CSV.

    wkbs: the WKB each geometry was read from (None for a unit changed since), when the
    file was in the catalogue's CRS already: stored as it came (a GeoPackage blob is a
    header and the WKB) rather than written again by GEOS."""
    import shapely

    each = shapely.bounds(geometries)   # once, for the blobs' headers and the extent
    return _blobs(geometries, srs_id, each, wkbs), each


_MULTIPOLYGON_LE = b"\x01\x06\x00\x00\x00"
_POLYGON_LE = b"\x01\x03\x00\x00\x00"
_ONE_PART = _MULTIPOLYGON_LE + b"\x01\x00\x00\x00"   # a MultiPolygon of 1 polygon, before it


def _source_wkbs(wkbs) -> list[bytes | None]:
    """The given WKB as a MultiPolygon, little-endian and 2D; None where it is not
    that or a Polygon (written by GEOS instead)."""
    heads = [None if w is None else w[:5] for w in wkbs]
    if heads.count(_MULTIPOLYGON_LE) == len(heads):   # the common case, at C speed
        return list(wkbs)
    return [w if h == _MULTIPOLYGON_LE else _ONE_PART + w if h == _POLYGON_LE else None
            for w, h in zip(wkbs, heads)]


def _blobs(geometries, srs_id: int, bounds: np.ndarray | None = None, wkbs=None) -> list[bytes]:
    import numpy as np
    import shapely

    if wkbs is not None:
        given = _source_wkbs(wkbs)
        missing = [i for i, w in enumerate(given) if w is None]
        if missing:
            geometries = np.asarray(geometries, dtype=object)
            for i, w in zip(missing, shapely.to_wkb(_multipolygons(geometries[missing]), byte_order=1)):
                given[i] = w
        return gpkg.to_blobs(geometries, srs_id, bounds, wkbs=given)
    return gpkg.to_blobs(_multipolygons(geometries), srs_id, bounds)


def _multipolygons(geometries) -> np.ndarray:
    import numpy as np
    import shapely

    # GeoPackage columns hold one declared type: store every unit as MultiPolygon, in 2D
    # (an import reads 2D already: forcing it again copied every geometry).
    geometries = (shapely.force_2d(geometries) if shapely.has_z(geometries).any()
                  else np.array(geometries, dtype=object))
    single = np.flatnonzero(shapely.get_type_id(geometries) == 3)
    geometries[single] = shapely.multipolygons(geometries[single], indices=np.arange(len(single)))
    return geometries


_SEP = "\x1f"   # the ASCII unit separator: no code or name has it (pack_columns checks)


def _joined(texts: list[str]) -> np.ndarray | None:
    import numpy as np

    text = _SEP.join(texts)
    if text.count(_SEP) != len(texts) - 1:
        return None
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _split(data: np.ndarray, n: int) -> list[str] | None:
    texts = data.tobytes().decode("utf-8").split(_SEP)
    return texts if len(texts) == n else None


def pack_columns(ids: np.ndarray, codes: list[str], names: list[str], parent_codes: list[str | None],
                 populations) -> bytes | None:
    """A layer's unit columns as one value (.npz, no pickle): each text column joined by a
    separator, parents as an index into their distinct codes (-1 for none). Splitting the
    joined text back is ~100 times faster than making a row tuple per unit. None when a text
    holds the separator (the columns are then read from the units)."""
    import numpy as np

    if not len(ids):
        return None
    distinct = sorted({p for p in parent_codes if p is not None})
    where = {p: k for k, p in enumerate(distinct)}
    parent = np.array([-1 if p is None else where[p] for p in parent_codes], dtype=np.int32)
    texts = [_joined(list(codes)), _joined(list(names)), _joined(distinct)]
    if any(t is None for t in texts):
        return None
    f = io.BytesIO()
    np.savez(f, ids=np.asarray(ids, dtype=np.int64), codes=texts[0], names=texts[1], parents=texts[2],
             parent_count=np.array([len(distinct)]), parent=parent,
             population=np.array(populations, dtype=np.float64))
    return f.getvalue()


def unpack_columns(data: bytes) -> tuple | None:
    """(ids, codes, names, parent codes, populations) from pack_columns; None if unreadable."""
    import numpy as np

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            ids, parent, population = z["ids"], z["parent"], z["population"]
            n = len(ids)
            codes, names = _split(z["codes"], n), _split(z["names"], n)
            count = int(z["parent_count"][0])
            distinct = _split(z["parents"], count) if count else []
    except Exception:   # a damaged value is only a lost shortcut
        return None
    if codes is None or names is None or distinct is None or len(parent) != n or len(population) != n or \
            (n and int(parent.max(initial=-1)) >= len(distinct)):
        return None
    lookup = [*distinct, None]   # -1 picks the last: no parent
    return ids, codes, names, [lookup[k] for k in parent.tolist()], population


def _parent_attributes(conn, layer_id: int) -> dict[str, dict]:
    rows = conn.execute(
        "SELECT parent_code, attributes FROM boundary_units WHERE layer_id=? AND parent_code IS NOT NULL "
        "GROUP BY parent_code", (layer_id,))
    return {code: json.loads(attrs) for code, attrs in rows}


def _digest(blobs, parent_codes) -> str:
    # sha1 for speed (hardware-assisted here, ~1.5 GB/s), not for secrecy: it names cache files.
    h = hashlib.sha1(b"".join(b or b"" for b in blobs))
    h.update("\x1f".join(c or "" for c in parent_codes).encode())
    return h.hexdigest()
