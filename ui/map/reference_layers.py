"""The map tab's References menu: which reference geographies are outlined over the map.

    refs = ReferenceLayers(document, layer, view)
    toolbar.addWidget(refs.button)     # "References ▾": one checkable entry per geography
    refs.show(geography_id, True)      # what the entry does (the Coterminosity tab asks it too)
    refs.on_new_layer()                # the map shows other wards: outlines drawn on them
    refs.reload()                      # a change to the reference geographies

A reference area defined by authorities (or by a catalogue area) is drawn as the union of the
units it covers on the wards the map shows — the units the coterminosity measures count; an
imported polygon as it is. Outlines are made when a geography is first switched on and kept
until the layer or the geographies change.
"""
from __future__ import annotations

import shapely
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

from models.errors import CatalogueError
from ui.map.reference_outlines import ReferenceOutlines

REFERENCE_TABLES = ("reference_geographies", "reference_areas")


def reference_outlines(cat, layer, geography_id: int) -> list[tuple[str, shapely.Geometry]]:
    """(name, outline) of each area of a geography with some of the layer's units: an imported
    polygon as it is, any other the union of its units there (cat.references.outlines)."""
    outlines = cat.references.outlines(geography_id, layer.id)
    return [(a.name, outlines[a.id]) for a in cat.references.areas(geography_id)
            if a.id in outlines and not outlines[a.id].is_empty]


class ReferenceLayers(QObject):
    message = Signal(str)

    def __init__(self, document, layer, view, parent=None):
        super().__init__(parent)
        self.document = document
        self.layer = layer
        self.view = view
        self.outlines = ReferenceOutlines(view)
        view.reference_rects = lambda: self.outlines.placed
        self.menu = QMenu()
        self.menu.setObjectName("mapReferencesMenu")
        self.button = QToolButton()
        self.button.setObjectName("mapReferences")
        self.button.setText("References")
        self.button.setToolTip("Outline other agencies' areas (ICBs, police forces…) over the map, with their names")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self.menu)
        self.actions: dict[int, QAction] = {}
        self._names: dict[int, str] = {}
        self.reload()

    @property
    def cat(self):
        return self.document.catalogue

    def _geographies(self) -> list:
        refs = getattr(self.cat, "references", None)
        return refs.list() if refs is not None else []

    def reload(self) -> None:
        """The geographies may have changed: list them again and redraw those shown."""
        geographies = self._geographies()
        self._names = {g.id: g.name for g in geographies}
        shown = [gid for gid in self.outlines.order if gid in self._names]
        for gid in list(self.outlines.order):
            if gid not in self._names:
                self.outlines.forget(gid)
        self.menu.clear()
        self.actions = {}
        for g in geographies:
            action = QAction(f"{g.name} ({g.area_count})", self.menu, checkable=True, checked=g.id in shown)
            action.setObjectName(f"mapReference{g.id}")
            action.toggled.connect(lambda on, gid=g.id: self.show(gid, on))
            self.menu.addAction(action)
            self.actions[g.id] = action
        if not geographies:
            empty = self.menu.addAction("No reference geographies: File ▸ Import ▸ London Starter Pack")
            empty.setEnabled(False)
        # Those switched off are drawn again when next switched on: they may have changed.
        self.outlines.geographies = {k: v for k, v in self.outlines.geographies.items() if k in shown}
        for gid in shown:
            self._draw(gid)

    def on_new_layer(self) -> None:
        self.outlines.after_new_layer()
        for gid in list(self.outlines.order):
            self._draw(gid)

    def shown(self) -> list[int]:
        return list(self.outlines.order)

    def show(self, geography_id: int, on: bool = True) -> None:
        """Outline a geography's areas over the map, or take them off."""
        action = self.actions.get(geography_id)
        if action is not None and action.isChecked() != on:
            action.setChecked(on)   # comes back here through toggled
            return
        if on and geography_id not in self.outlines.geographies:
            if not self._draw(geography_id):
                return
        self.outlines.set_visible(geography_id, on)

    def _draw(self, geography_id: int) -> bool:
        if not self.layer.loaded:
            self.message.emit("Load ward boundaries to outline reference geographies on them")
            return False
        name = self._names.get(geography_id, str(geography_id))
        try:
            areas = reference_outlines(self.cat, self.layer, geography_id)
        except CatalogueError as e:
            self.message.emit(str(e))
            return False
        if not areas:
            self.message.emit(f"{name}: none of its areas is on the wards shown")
        self.outlines.set_geography(geography_id, name, areas)
        return True
