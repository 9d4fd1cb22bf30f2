"""Areas: variable-geometry groupings of boundary units, with an optional drawn polygon."""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from models.catalogue.bulk import collector_paused
from models.catalogue.records import AREA_KINDS, Area
from models.errors import CatalogueError
from models.storage import gpkg
from models.storage.store import Revert, Store

if TYPE_CHECKING:
    import numpy as np
    import shapely

# numpy and shapely are imported by the functions that use them: opening a catalogue and
# showing its window use neither, and they are a sixth of the app's start-up.

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
UNNAMED = "Unnamed area"
UNREADABLE_COLOUR = "#808080"


def _readable_colour(colour: str | None) -> str:
    """#RRGGBB as stored; #RGB (as a GIS may write it) widened; anything else shows grey."""
    colour = (colour or "").strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
        return "#" + "".join(c * 2 for c in colour[1:]).upper()
    return colour if _COLOUR.match(colour) else UNREADABLE_COLOUR


def _checked(a: Area) -> Area:
    name = a.name.strip()
    if not name:
        raise CatalogueError("an area needs a name")
    if not _COLOUR.match(a.colour):
        raise CatalogueError(f"'{a.colour}' is not a colour like #0072B2")
    if a.kind not in AREA_KINDS:
        raise CatalogueError(f"unknown area kind '{a.kind}' (use {', '.join(AREA_KINDS)})")
    drawn = a.drawn
    if drawn is not None:
        if drawn.is_empty:
            drawn = None
        else:
            if not drawn.is_valid:
                import shapely
                drawn = shapely.make_valid(drawn)
            drawn = _polygonal(drawn)
            if drawn is None:
                raise CatalogueError("a drawn area must be a polygon with some area")
    return replace(a, name=name, drawn=drawn)


def _polygonal(geom):
    """Only the polygon parts of a geometry (make_valid may leave lines), or None."""
    import shapely

    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.area > 0 else None


def _multi(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        import shapely
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    return _multi(_polygonal(geom))


# One text row per area is twice as fast as one row per (area, unit) pair, and the text
# parsed by numpy (in C, to an array, then Python ints at once) ~40% faster than as one JSON
# list: 1.5M memberships of 500 areas at 161k units.
_MEMBERS_SQL = "SELECT area_id, group_concat(unit_id) FROM area_units GROUP BY area_id"


def _member_arrays(rows: Iterable[tuple[int, str]]) -> dict[int, np.ndarray]:
    # Arrays are not tracked by the garbage collector, and each row is freed as the next comes:
    # a thread running this never sets off a collection (which could free Qt objects off the
    # GUI thread).
    import numpy as np

    return {area_id: np.fromstring(ids, dtype=np.int64, sep=",") for area_id, ids in rows}


def _members(arrays: dict[int, np.ndarray]) -> dict[int, frozenset[int]]:
    with collector_paused():
        return {area_id: frozenset(ids.tolist()) for area_id, ids in arrays.items()}


class Areas:
    def __init__(self, store: Store):
        self._store = store
        self._conn = store.conn

    # -- reading ---------------------------------------------------------
    def all(self, outlines: bool = True, members: dict[int, np.ndarray] | None = None) -> list[Area]:
        """Every area; outlines=False skips parsing the derived outlines (a map of
        hundreds of areas only needs the selected one's). members: what members_reader()
        read, if it was read already (else it is read here)."""
        members = _members(_member_arrays(self._conn.execute(_MEMBERS_SQL)) if members is None else members)
        rows = self._conn.execute(
            "SELECT fid, name, partnership_id, colour, notes, layer_id, drawn, "
            + ("geom" if outlines else "NULL") + ", kind FROM areas ORDER BY name COLLATE NOCASE, fid")
        return [self._record(r, members.get(r[0], ())) for r in rows]

    def members_reader(self) -> Callable[[], dict[int, np.ndarray] | None]:
        """A function giving every area's units as arrays (for all(members=...)), callable from any
        thread: it reads through a connection of its own, so the map reads the memberships
        (1.5M at 161k units, a quarter of a second) while it loads its layer. None when that
        connection cannot read them: all() then reads them itself."""
        path = self._store.path

        def read() -> dict[int, np.ndarray] | None:
            try:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    return _member_arrays(conn.execute(_MEMBERS_SQL))
                finally:
                    conn.close()
            except sqlite3.Error:
                return None
        return read

    def get(self, area_id: int) -> Area:
        row = self._conn.execute(
            "SELECT fid, name, partnership_id, colour, notes, layer_id, drawn, geom, kind FROM areas "
            "WHERE fid=?", (area_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no area with id {area_id}")
        units = [r[0] for r in self._conn.execute("SELECT unit_id FROM area_units WHERE area_id=?", (area_id,))]
        return self._record(row, units)

    def of_partnership(self, partnership_id: int) -> list[Area]:
        return [a for a in self.all() if a.partnership_id == partnership_id]

    @staticmethod
    def _record(row, unit_ids) -> Area:
        drawn, outline = gpkg.from_blob(row[6]), gpkg.from_blob(row[7])
        # An area added in a GIS has only an outline: no units, no drawn polygon (our own
        # areas never commit that state). What was drawn there is read as its drawn polygon.
        if drawn is None and not unit_ids and outline is not None:
            drawn = outline
        return Area(id=row[0], name=row[1] if row[1] and row[1].strip() else UNNAMED,
                    partnership_id=row[2], colour=_readable_colour(row[3]), notes=row[4] or "",
                    layer_id=row[5], unit_ids=frozenset(unit_ids), drawn=drawn, outline=outline,
                    kind=row[8] if row[8] in AREA_KINDS else "drawn")

    # -- editing ---------------------------------------------------------
    def add(self, area: Area) -> Revert:
        area = _checked(area)
        if area.kind == "derived":
            # Its wards are its members' (the ones given are ignored), and nothing drawn.
            self._check_derivable(area)
            area = replace(area, drawn=None, unit_ids=frozenset(self.member_units(area.partnership_id,
                                                                                   area.layer_id)))
        layer_id = self._layer_of(area.layer_id, area.unit_ids)
        with self._store.edit() as revert:
            area_id = self._conn.execute(
                "INSERT INTO areas(name, partnership_id, colour, notes, layer_id, drawn, kind) "
                "VALUES (?,?,?,?,?,?,?)",
                (area.name, area.partnership_id, area.colour, area.notes, layer_id,
                 gpkg.to_blob(area.drawn), area.kind)).lastrowid
            revert.id = area_id
            self._conn.executemany("INSERT INTO area_units(area_id, unit_id) VALUES (?,?)",
                                   ((area_id, u) for u in sorted(area.unit_ids)))
            self._refresh_outline(area_id)
        return revert

    def update(self, area: Area) -> Revert:
        """Name, partnership link, colour and notes; units and drawing have their own edits."""
        area = _checked(area)
        current = self.get(area.id)
        with self._store.edit() as revert:
            self._conn.execute("UPDATE areas SET name=?, partnership_id=?, colour=?, notes=? WHERE fid=?",
                               (area.name, area.partnership_id, area.colour, area.notes, area.id))
            revert.id = area.id
            if current.kind == "derived" and area.partnership_id != current.partnership_id:
                if area.partnership_id is None:
                    # Unlinked, it has no members to follow: it keeps the wards it had.
                    self._conn.execute("UPDATE areas SET kind='drawn' WHERE fid=?", (area.id,))
                else:
                    self._rederive([area.id])
        return revert

    def change_units(self, area_id: int, add: Iterable[int] = (), remove: Iterable[int] = ()) -> Revert:
        """One stroke: units added and removed together, outline recomputed, one undo step."""
        current = self._editable(area_id)
        add = set(add) - current.unit_ids
        remove = set(remove) & current.unit_ids
        layer_id = self._layer_of(current.layer_id, add)
        with self._store.edit() as revert:
            revert.id = area_id
            if not add and not remove:
                return revert
            if layer_id != current.layer_id:
                self._conn.execute("UPDATE areas SET layer_id=? WHERE fid=?", (layer_id, area_id))
            if current.drawn is not None:
                # An area from a GIS holds its shape only as its outline (see _record):
                # store it as drawn before the outline is recomputed from units.
                self._conn.execute("UPDATE areas SET drawn=? WHERE fid=? AND drawn IS NULL",
                                   (gpkg.to_blob(current.drawn), area_id))
            self._conn.executemany("INSERT INTO area_units(area_id, unit_id) VALUES (?,?)",
                                   ((area_id, u) for u in sorted(add)))
            self._conn.executemany("DELETE FROM area_units WHERE area_id=? AND unit_id=?",
                                   ((area_id, u) for u in sorted(remove)))
            self._refresh_outline(area_id)
        return revert

    def set_drawn(self, area_id: int, drawn: shapely.Geometry | None) -> Revert:
        current = self._editable(area_id)
        drawn = _checked(replace(current, drawn=drawn)).drawn
        with self._store.edit() as revert:
            revert.id = area_id
            self._conn.execute("UPDATE areas SET drawn=? WHERE fid=?", (gpkg.to_blob(drawn), area_id))
            self._refresh_outline(area_id)
        return revert

    def _editable(self, area_id: int) -> Area:
        """The area, if its wards and drawing are the user's to edit (not its members')."""
        area = self.get(area_id)
        if area.kind == "derived":
            raise CatalogueError(f"'{area.name}' follows its partnership's members: "
                                 "choose Keep as drawn to edit its wards")
        return area

    def delete(self, area_id: int) -> Revert:
        self.get(area_id)
        with self._store.edit() as revert:
            self._conn.execute("DELETE FROM areas WHERE fid=?", (area_id,))
            gpkg.update_extent(self._conn, "areas")
        return revert

    def _layer_of(self, layer_id: int | None, unit_ids) -> int | None:
        """The one layer all these units (and the area) belong to."""
        if not unit_ids:
            return layer_id
        ids = sorted(unit_ids)
        layers = {r[0] for r in self._conn.execute(
            f"SELECT DISTINCT layer_id FROM boundary_units WHERE fid IN ({','.join('?' * len(ids))})", ids)}
        found = self._conn.execute(
            f"SELECT count(*) FROM boundary_units WHERE fid IN ({','.join('?' * len(ids))})", ids).fetchone()[0]
        if found != len(ids):
            raise CatalogueError("some of those units are not in the catalogue")
        if layer_id is not None:
            layers.add(layer_id)
        if len(layers) > 1:
            raise CatalogueError("an area's units must all come from one boundary layer")
        return layers.pop()

    def _refresh_outline(self, area_id: int) -> None:
        import shapely

        blobs = [r[0] for r in self._conn.execute(
            "SELECT u.geom FROM area_units a JOIN boundary_units u ON u.fid=a.unit_id WHERE a.area_id=?",
            (area_id,))]
        drawn = gpkg.from_blob(self._conn.execute("SELECT drawn FROM areas WHERE fid=?", (area_id,)).fetchone()[0])
        outline = shapely.coverage_union_all(gpkg.from_blobs(blobs)) if blobs else None
        if drawn is not None:
            outline = drawn if outline is None else shapely.union(outline, drawn)
        self._conn.execute("UPDATE areas SET geom=? WHERE fid=?", (gpkg.to_blob(_multi(outline)), area_id))
        gpkg.update_extent(self._conn, "areas")

    # -- making areas from others ----------------------------------------
    def duplicate(self, area_id: int, name: str | None = None, colour: str | None = None) -> Revert:
        """A copy of an area (units, drawing, link, notes) under a new name; its colour
        unless another is given (a copy in the same colour hides under the original)."""
        a = self.get(area_id)
        return self.add(replace(a, id=None, name=name or f"{a.name} (copy)", colour=colour or a.colour,
                                outline=None))

    # -- areas that follow their members ------------------------------------
    def _check_derivable(self, area: Area) -> None:
        if area.partnership_id is None:
            raise CatalogueError(f"'{area.name}' is linked to no partnership: link it to one "
                                 "whose members it should follow")
        if area.layer_id is None:
            raise CatalogueError(f"'{area.name}' is on no boundary layer: its members' wards "
                                 "need one")
        if not self.member_units(area.partnership_id, area.layer_id):
            name = self._conn.execute("SELECT name FROM partnerships WHERE id=?",
                                      (area.partnership_id,)).fetchone()
            raise CatalogueError(f"no member of '{name[0] if name else area.partnership_id}' has a "
                                 "GSS code matching a unit's parent code in that layer")

    def follow_members(self, area_id: int) -> Revert:
        """"Follow members": the area becomes its partnership's member boroughs' wards,
        and follows them from now on (its drawn polygon, if any, is dropped); one undo step."""
        area = self.get(area_id)
        if area.kind == "derived":
            raise CatalogueError(f"'{area.name}' already follows its members")
        self._check_derivable(area)
        with self._store.edit() as revert:
            revert.id = area_id
            self._conn.execute("UPDATE areas SET kind='derived', drawn=NULL WHERE fid=?", (area_id,))
            self._rederive([area_id])
        return revert

    def keep_as_drawn(self, area_id: int, unit_ids: Iterable[int] | None = None,
                      layer_id: int | None = None) -> Revert:
        """"Keep as drawn": the area keeps its wards (or `unit_ids`, e.g. its footprint as
        of the year on the map, on `layer_id` if the map shows it on another vintage) and no
        longer follows its members; one undo step."""
        area = self.get(area_id)
        if area.kind != "derived":
            raise CatalogueError(f"'{area.name}' is already kept as drawn")
        with self._store.edit() as revert:
            revert.id = area_id
            self._conn.execute("UPDATE areas SET kind='drawn' WHERE fid=?", (area_id,))
            if unit_ids is not None:
                wanted = set(unit_ids)
                layer = area.layer_id if layer_id is None else layer_id
                self._layer_of(layer, wanted)   # all on that layer, or an error
                if layer != area.layer_id:
                    self._conn.execute("UPDATE areas SET layer_id=? WHERE fid=?", (layer, area_id))
                self._set_units(area_id, area.unit_ids, wanted)
        return revert

    def rederive(self, partnership_ids: Iterable[int] | None = None) -> None:
        """Re-derive the derived areas of these partnerships (None: all) inside the caller's
        edit: a membership edit and the change of its areas are one transaction, one undo step."""
        if partnership_ids is None:
            ids = [r[0] for r in self._conn.execute("SELECT fid FROM areas WHERE kind='derived'")]
        else:
            pids = sorted(set(partnership_ids))
            ids = [r[0] for r in self._conn.execute(
                f"SELECT fid FROM areas WHERE kind='derived' AND partnership_id IN ({','.join('?' * len(pids))})",
                pids)] if pids else []
        self._rederive(ids)

    def _rederive(self, area_ids: list[int]) -> None:
        for area_id in area_ids:
            area = self.get(area_id)
            if area.partnership_id is None or area.layer_id is None:
                continue   # nothing to follow: it keeps its wards
            wanted = set(self.member_units(area.partnership_id, area.layer_id))
            self._set_units(area_id, area.unit_ids, wanted)

    def _set_units(self, area_id: int, have: frozenset[int], wanted: set[int]) -> None:
        add, remove = sorted(wanted - have), sorted(have - wanted)
        if not add and not remove:
            return
        self._conn.executemany("INSERT INTO area_units(area_id, unit_id) VALUES (?,?)",
                               ((area_id, u) for u in add))
        self._conn.executemany("DELETE FROM area_units WHERE area_id=? AND unit_id=?",
                               ((area_id, u) for u in remove))
        self._refresh_outline(area_id)

    def member_units(self, partnership_id: int, layer_id: int) -> list[int]:
        """Units of a layer whose parent (e.g. borough) code is the GSS code of an
        organisation in the partnership."""
        rows = self._conn.execute(
            "SELECT DISTINCT u.fid FROM memberships m "
            "JOIN organisations o ON o.id=m.organisation_id "
            "JOIN boundary_units u ON u.parent_code=o.gss_code COLLATE NOCASE "
            "WHERE m.partnership_id=? AND u.layer_id=? ORDER BY u.fid", (partnership_id, layer_id))
        return [r[0] for r in rows]

    def from_partnership(self, partnership_id: int, layer_id: int, name: str | None = None,
                         colour: str = "#0072B2", kind: str = "drawn") -> Revert:
        """A new area linked to the partnership, made of its member boroughs' units
        (kind "derived": and following them)."""
        row = self._conn.execute("SELECT name FROM partnerships WHERE id=?", (partnership_id,)).fetchone()
        if row is None:
            raise CatalogueError(f"no partnership with id {partnership_id}")
        units = self.member_units(partnership_id, layer_id)
        if not units:
            raise CatalogueError(f"no member of '{row[0]}' has a GSS code matching a unit's "
                                 "parent code in that layer")
        return self.add(Area(name=name or row[0], partnership_id=partnership_id, colour=colour,
                             layer_id=layer_id, unit_ids=frozenset(units), kind=kind))

    def snap_drawn(self, area_id: int, unit_ids: Iterable[int]) -> Revert:
        """"Snap to wards": the drawn polygon becomes these units, in one undo step."""
        current = self._editable(area_id)
        if current.drawn is None:
            raise CatalogueError(f"'{current.name}' has no drawn polygon to snap")
        unit_ids = list(unit_ids)
        if not unit_ids:
            raise CatalogueError("the drawn polygon covers no unit")
        with self._store.edit() as revert:
            revert.id = area_id
            # Nested edits join this transaction; its journal records all of them.
            self.change_units(area_id, add=unit_ids)
            self.set_drawn(area_id, None)
        return revert

    # -- vintages ----------------------------------------------------------
    def rebase(self, moves: Iterable[tuple[int, int, Iterable[int], dict]]) -> Revert:
        """Re-based areas: each (area id, new layer id, its units there, provenance) moves
        the same area (its id, partnership link, citations and colour stay) onto the
        new layer, with where it came from; all of them one undo step."""
        import json

        moves = [(a, layer, sorted(set(units)), prov) for a, layer, units, prov in moves]
        for area_id, layer_id, units, _ in moves:
            self.get(area_id)
            if self._layer_of(layer_id, units) != layer_id:
                raise CatalogueError("a re-based area's units must come from its new layer")
        with self._store.edit() as revert:
            for area_id, layer_id, units, provenance in moves:
                self._conn.execute("DELETE FROM area_units WHERE area_id=?", (area_id,))
                self._conn.executemany("INSERT INTO area_units(area_id, unit_id) VALUES (?,?)",
                                       ((area_id, u) for u in units))
                self._conn.execute("UPDATE areas SET layer_id=?, rebased_from=? WHERE fid=?",
                                   (layer_id, json.dumps(provenance, ensure_ascii=False), area_id))
                self._refresh_outline(area_id)
        return revert

    def rebased_from(self, area_id: int) -> dict | None:
        """Where a re-based area came from (area, layer, vintage, rule, share), else None."""
        import json

        row = self._conn.execute("SELECT rebased_from FROM areas WHERE fid=?", (area_id,)).fetchone()
        try:
            return json.loads(row[0]) if row and row[0] else None
        except ValueError:
            return None

    def derived_ids(self) -> set[int]:
        """Areas derived from membership (when the file records a kind): re-derived on a
        new vintage, never re-based."""
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(areas)")}
        if "kind" not in columns:
            return set()
        return {r[0] for r in self._conn.execute("SELECT fid FROM areas WHERE kind='derived'")}
