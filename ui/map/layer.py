"""The boundary layer the map shows, as the view and the tools look it up.

    layer = MapLayer()             # empty until loaded
    layer.load(catalogue, layer_id)
    layer.picker.at(x, y)          # the unit (row) under a point
    layer.rows(area.unit_ids)      # rows of an area's units in this layer

One MapLayer belongs to the map tab, which loads it when the user picks a
layer; the view, the tools and the area list are handed the same object and
read it when they need it, so a new layer reaches them all at once. Units are
*rows* (indices into the UnitTable's arrays) everywhere on the map; they become
catalogue ids only when an edit is saved (`ids`).
"""
from __future__ import annotations

import threading
from pathlib import Path

from models.analysis.area_stats import borough_names
from models.catalogue import Catalogue
from models.catalogue.layers import UnitTable
from models.geo.detail import LayerGeometry
from models.geo.drawing import Picker
from models.storage import paths

BACKGROUND_UNITS = 2000    # layers larger than this get their levels computed off-thread


def lod_cache_dir() -> Path:
    """Where simplified copies of big layers are kept between sessions."""
    return paths.cache_folder() / "map-levels"


class MapLayer:
    """One boundary layer's units, their geometry at every level of detail, the spatial
    index the tools pick with, the row of each unit id and the boroughs' names."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        """No layer (the catalogue has none)."""
        self.id: int | None = None
        self.table: UnitTable | None = None
        self.geometry: LayerGeometry | None = None
        self._picker: Picker | None = None
        self._picker_lock = threading.Lock()
        self.index: dict[int, int] = {}            # unit id -> row
        self.borough_names: dict[str, str] = {}    # parent code -> name
        self.attribution = ""                      # the layer's licence, shown on the map

    def load(self, cat: Catalogue, layer_id: int) -> None:
        """Read a layer: its units' codes, names and populations at once, and what the first
        frame draws (the levels of detail stored with the layer). The full geometries and
        the picker's spatial index come later: the map's background worker makes them after
        the first frame (LayerGeometry.warm), or the first tool that needs them does."""
        layer = cat.layers.get(layer_id)
        stored = cat.layers.level_tolerances(layer_id)
        # Layers imported before levels were stored keep theirs in the user's cache folder,
        # named by a digest of the units (small layers simplify in a blink: no cache).
        cached = not stored and cat.layers.unit_count(layer_id) > BACKGROUND_UNITS
        table = cat.layers.table(layer_id, with_digest=cached, defer_geometry=True)
        names = borough_names(table, cat.organisations.all(), cat.layers.parent_attributes(layer_id, table))
        geometry = LayerGeometry(lambda: table.geometries, table.parent_codes,
                                 cache_dir=lod_cache_dir() if cached else None, key=table.digest,
                                 stored=cat.layers.level_reader(layer_id) if stored else None,
                                 stored_levels=stored)
        # Read everything first: a failed read leaves the layer as it was.
        with self._picker_lock:
            self.id, self.table, self.index = layer_id, table, table.index_of()
            self.geometry, self._picker, self.borough_names = geometry, None, names
        self.attribution = layer.licence
        if len(table) > BACKGROUND_UNITS:   # the map's worker warms big layers (MapView.show_layer)
            geometry.also_warm(lambda: self._make_picker(table))

    @property
    def picker(self) -> Picker | None:
        """The spatial index the tools pick units with, built on first need (a worker
        builds it after the map's first frame: see load)."""
        got = self._picker
        if got is not None or self.table is None:
            return got
        return self._make_picker(self.table)

    def _make_picker(self, table: UnitTable) -> Picker | None:
        with self._picker_lock:
            if table is not self.table:   # another layer was loaded meanwhile
                return self._picker
            if self._picker is None:
                self._picker = Picker(table.geometries)
            return self._picker

    @property
    def loaded(self) -> bool:
        return self.table is not None

    def __len__(self) -> int:
        return len(self.table) if self.table is not None else 0

    # -- units -----------------------------------------------------------
    def rows(self, unit_ids) -> list[int]:
        """The rows of those units that are in this layer (others are skipped)."""
        index = self.index
        return [index[u] for u in unit_ids if u in index]

    def ids(self, rows) -> list[int]:
        """The catalogue ids of units given by row."""
        ids = self.table.ids
        return [int(ids[i]) for i in rows]

    def holds(self, area) -> bool:
        """Whether an area can be drawn here (a new area belongs to no layer yet)."""
        return area.layer_id in (None, self.id)

    def name(self, i: int) -> str:
        return self.table.names[i]

    def borough_name(self, i: int) -> str | None:
        """The name of unit i's borough (its parent code if unnamed; None without a parent)."""
        parent = self.table.parent_codes[i]
        return self.borough_names.get(parent, parent) if parent else None

    def same_borough(self, i: int) -> set[int]:
        """The rows of every unit in unit i's borough (just i when it has none)."""
        parents = self.table.parent_codes
        parent = parents[i]
        if not parent:
            return {i}
        return {k for k, p in enumerate(parents) if p == parent}
