"""The map tab: the map, its tool bar, the list of areas and the area panel.

    tab = MapTab(document)     # reloads itself when a change concerns the map

Every change goes through document.edit(); the tab only reads the catalogue to
redraw. It owns the MapLayer shown (loaded when a layer is chosen) and hands it
to the view, the drawing tools and the area list (tab.area_list, its own
widget, with the area edits: new, rename, recolour, link, ... and the check
boxes choosing which areas the map shows). Each shown area is one item of
tab.shapes (its outline and a tint, the selected one hatched); the wards under
them are filled only for the selected area (what a stroke previews against) or,
with "Coverage count" on, by how many shown areas cover each. tab.legend names
what is shown and keeps off the selected area. Methods that would ask the user
something take the answer as an optional argument, so tests (and scripts) can
drive them without dialogs.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import shapely
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMenu,
    QSpinBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from models.analysis.area_stats import area_stats
from models.analysis.consistency import consistency
from models.analysis.evidence import UNKNOWN, Evidence
from models.analysis.footprints import Footprints
from models.catalogue.layers import in_force
from models.catalogue.records import Area
from models.errors import CatalogueError, plural
from ui.document import Changes, Document
from ui.map.area_items import AreaShapes
from ui.map.area_list import AreaList
from ui.map.area_panel import AreaPanel
from ui.map.export import FORMATS, export_view
from ui.map.find import NotFound, Place, find
from ui.map.find_box import FindBox
from ui.map.layer import MapLayer
from ui.map.legend import Legend, LegendRow
from ui.map.reference_layers import REFERENCE_TABLES, ReferenceLayers
from ui.map.selection_chip import SelectionChip
from ui.map.style import BOROUGH_EDGE, COVERAGE_COLOURS, NEUTRAL, blend
from ui.map.tools.strokes import Drawing
from ui.map.view import MapView

DRAFT_MS = 250   # the year slider at rest this long: the areas it changed are drawn in full

TERRITORY = "#000000"      # an organisation's own territory, outlined over its partnerships' areas
DIMMED_GREY = "#9a9a9a"    # the legend's sample for the areas outside the selection

TOOL_KEYS = {"pan": "H", "click": "C", "brush": "B", "lasso": "L", "polygon": "P"}

# What the map shows: the layers and their units, the areas, and the partnerships
# (an area's link in the list and the panel, and the year filter).
MAP_TABLES = ("boundary_layers", "boundary_units", "areas", "area_units", "partnerships")
# What derived areas and the area panel's membership check also read.
MEMBER_TABLES = ("memberships", "organisations")
# What a partnership's state in the map's year also reads: its cited sources' years.
EVIDENCE_TABLES = ("citations", "sources")


class MapTab(QWidget):
    # The user asked the map to drop the window's selection (its chip's ✕, or Esc): the window
    # clears its Selection, which clears it here and in every other tab.
    clear_selection_requested = Signal()

    def __init__(self, document: Document, parent=None, settings: QSettings | None = None):
        super().__init__(parent)
        self.setObjectName("mapTab")
        self.document = document
        self.cat = document.catalogue
        self.layer = MapLayer()
        self.view = MapView(self.layer)
        self.view.setObjectName("mapView")
        self.drawing = Drawing(self.layer, self.view, document, self)
        self.area_list = AreaList(document, self.layer, settings=settings)
        self.area_list.nearby = self._colours_in_view
        self.shapes = AreaShapes(self.view, self.layer)
        self.legend = Legend(self)
        self.view.legend = self.legend
        self.legend.watch(self.view.viewport())
        self.hover = QLabel(objectName="map_hover")
        self.hover.setWordWrap(True)
        self.panel = AreaPanel()
        self.status = QLabel()
        self.status.setObjectName("mapStatus")
        self.status.setWordWrap(True)
        self.areas: list[Area] = []    # the areas painted (and listed): all, or the year's
        self.year: int | None = None   # set by the overlaps tab's year slider
        self.include_unknown = False   # and its "include undated" box
        self.unknown_areas = 0         # areas of partnerships of unknown state in that year
        self.layer_pinned = False      # a layer the user chose stays whatever the year
        self._layer_key = None
        self._pending: set[int] | None = None
        # The window's selection as the map shows it (show_selection): its name, the partnerships
        # whose areas are highlighted over the others, and a territory outlined (an organisation's).
        self.selection: tuple[str, frozenset[int], object] | None = None
        # A stroke's live figures: they read nothing from the catalogue (check=False).
        self._stats_timer = QTimer(self, singleShot=True, interval=60,
                                   timeout=lambda: self._update_stats(check=False))
        self._stats_ms = 0.0   # what the last figures cost
        # While the year slider moves, areas are drawn as drafts; in full once it rests this long.
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_MS,
                                   timeout=lambda: self.shapes.set_draft(False))
        # Other agencies' areas outlined over the map (the References menu).
        self.references = ReferenceLayers(document, self.layer, self.view, self)
        self.references.message.connect(lambda text: self.show_message(text))
        self._build()
        self.drawing.message.connect(self.show_message)
        self.drawing.pending_changed.connect(self._on_pending)
        self.area_list.message.connect(self.show_message)
        self.area_list.selected.connect(self._repaint_areas)
        self.view.unit_clicked.connect(self._select_area_at)
        self.area_list.shown_changed.connect(self._repaint_areas)
        self.view.scale_changed.connect(self._on_scale)
        self.view.unit_hovered.connect(self._on_hover)
        self.view.unit_context.connect(self._unit_menu)
        document.changed.connect(self._on_changed)
        self.reload()
        # Dragging the map moves it until the user picks a drawing tool: a stray drag
        # must not paint wards into an area.
        self.set_tool("pan")

    # -- layout ----------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar("Map tools")
        bar.setObjectName("mapToolBar")
        self.tool_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for name, text, tip in (("pan", "Pan", "Drag to move the map, click an area's ward to select the area "
                                 "(middle button pans in any tool)"),
                                ("click", "Click", "Click a ward to add it to the area or take it out"),
                                ("brush", "Brush", "Drag to paint wards in; hold Shift to erase"),
                                ("lasso", "Lasso", "Draw round wards; those with the chosen share inside join"),
                                ("polygon", "Polygon", "Click corners of a free area, double-click to finish; "
                                 "double-click or Ctrl+click an edge to add a corner")):
            key = TOOL_KEYS[name]
            act = QAction(text, self, checkable=True,
                          toolTip=f"{tip}{'' if name == 'pan' else ' · Alt+click adds a whole borough'} · key {key}")
            act.setObjectName(f"mapTool{text}")
            act.setShortcut(QKeySequence(key))
            # Single letters act only while the map has focus, never while typing elsewhere.
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)  # the context is the widgets holding the action: the tab, not just the bar
            act.triggered.connect(lambda _=False, n=name: self.set_tool(n))
            group.addAction(act)
            bar.addAction(act)
            self.tool_actions[name] = act
        bar.addSeparator()
        bar.addWidget(QLabel(" Brush ", objectName="mapBrushLabel"))
        self.brush_size = QSpinBox(minimum=1, maximum=200, value=12, suffix=" px")
        self.brush_size.setObjectName("mapBrushSize")
        self.brush_size.valueChanged.connect(lambda v: setattr(self.drawing, "brush_pixels", float(v)))
        bar.addWidget(self.brush_size)
        bar.addWidget(QLabel(" Share ", objectName="mapShareLabel"))
        self.share = QSpinBox(minimum=0, maximum=100, value=50, suffix=" %")
        self.share.setObjectName("mapShare")
        self.share.setToolTip("Lasso and snap: a ward joins when at least this share of it is inside")
        self.share.valueChanged.connect(lambda v: setattr(self.drawing, "share", v / 100))
        bar.addWidget(self.share)
        self._shortcut(bar.addAction("Snap to wards", self.drawing.snap), "S")
        bar.addSeparator()
        self._shortcut(bar.addAction("Zoom to all", self.view.zoom_to_extent), "Home")
        self._shortcut(bar.addAction("Zoom to area", self.zoom_to_area), "Z")
        bar.addSeparator()
        self.layer_actions: dict[str, QAction] = {}
        for key, text in (("wards", "Wards"), ("boroughs", "Boroughs"), ("areas", "Areas"), ("labels", "Labels")):
            act = QAction(text, self, checkable=True, checked=True, toolTip=f"Show {text.lower()}")
            act.setObjectName(f"mapShow{text}")
            act.toggled.connect(lambda on, k=key: self.view.set_layer_visible(k, on))
            bar.addAction(act)
            self.layer_actions[key] = act
        self.layer_actions["areas"].toggled.connect(self.shapes.set_visible)
        coverage = QAction("Coverage count", self, checkable=True, objectName="coverage_action",
                           toolTip="Shade each ward by how many of the shown areas cover it")
        coverage.toggled.connect(lambda _on: self._repaint_areas())
        bar.addAction(coverage)
        bar.widgetForAction(coverage).setObjectName("coverage_button")
        self.layer_actions["coverage"] = coverage
        bar.addWidget(self.references.button)
        bar.addSeparator()
        self._shortcut(bar.addAction("Export…", self.export), "Ctrl+Shift+E")
        self.find_box = FindBox(self.view)
        self.find_box.chosen.connect(self.find)
        self.chip = SelectionChip(self.view)
        self.chip.cleared.connect(self.clear_selection_requested)
        self.view.set_chip_widget(self.chip)
        self.view.escape.connect(lambda: self.clear_selection_requested.emit() if self.selection else None)
        # On the map itself (its top right corner): a tool bar hides what does not fit.
        self.view.set_corner_widget(self.find_box)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("mapLayerCombo")
        self.layer_combo.activated.connect(lambda _: self._pin_layer(self.layer_combo.currentData()))

        side = QWidget()
        side.setObjectName("mapSide")
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(QLabel("Boundary layer:", objectName="mapLayerLabel"))
        side_layout.addWidget(self.layer_combo)
        side_layout.addWidget(self.area_list, 1)
        side_layout.addWidget(self.panel)
        side_layout.addWidget(self.status)
        side_layout.addWidget(self.hover)
        splitter = QSplitter()
        splitter.setObjectName("mapSplitter")
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        side.setMinimumWidth(380)
        splitter.setSizes([900, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(splitter, 1)

    def _shortcut(self, action: QAction, key: str) -> None:
        action.setObjectName("map" + "".join(w.capitalize() for w in action.text().rstrip("…").split()))
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        action.setToolTip(f"{action.text().rstrip('…')} ({key})")

    # -- reloading -------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        if changes.touch(*REFERENCE_TABLES):
            self.references.reload()
        if changes.touch(*MAP_TABLES):
            self.reload()
        elif changes.touch(*MEMBER_TABLES):
            if any(a.kind == "derived" for a in self._all_areas):
                self.reload()          # their wards as of the map's year may have changed
            else:
                self._update_stats()   # only the selected area's membership check
        elif self.year and changes.touch(*EVIDENCE_TABLES):
            self._reload_areas()       # which partnerships are attested that year

    def reload(self) -> None:
        # The areas' members are read by a thread while the layer loads (a quarter of a
        # second at 161k units, mostly in SQLite, which lets the main thread run meanwhile).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="map members") as pool:
            members = pool.submit(self.cat.areas.members_reader())
            self._reload_layers()
            self._reload_areas(members.result())

    def _reload_layers(self) -> None:
        # Kept for the year slider, which chooses among them on every move; a change to the
        # layers comes back here (MAP_TABLES).
        self._layers = layers = self.cat.layers.all()
        key = tuple((l.id, l.name) for l in layers)
        if key != self._layer_key:
            self._layer_key = key
            self.layer_combo.clear()
            for layer in layers:
                self.layer_combo.addItem(f"{layer.name} ({layer.level})", layer.id)
            ids = [l.id for l in layers]
            if self.layer.id not in ids:
                wards = [l.id for l in layers if l.level == "ward"]
                self._choose_layer((wards or ids or [None])[0], reload_areas=False)
            self.layer_combo.setCurrentIndex(max(ids.index(self.layer.id), 0) if self.layer.id in ids else -1)
            self._borough_labels()  # a borough layer may have come or gone
            self.view.viewport().update()

    def _choose_layer(self, layer_id: int | None, reload_areas: bool = True) -> None:
        if layer_id == self.layer.id and layer_id is not None and self.layer.loaded:
            return
        if layer_id is None:
            self.layer.clear()
        else:
            self.layer.load(self.cat, layer_id)
        self._borough_labels()
        self.view.show_layer()
        self.references.on_new_layer()
        if reload_areas:
            self._reload_areas()

    def _pin_layer(self, layer_id: int | None) -> None:
        self.layer_pinned = True
        self._choose_layer(layer_id)
        self.layer_combo.setCurrentIndex(self.layer_combo.findData(layer_id))

    def _layer_in_force(self) -> None:
        """The year chooses which vintage of the shown level the map draws, unless pinned."""
        if self.layer_pinned or not self.layer.loaded:
            return
        level = next((l.level for l in self._layers if l.id == self.layer.id), "ward")
        chosen = in_force(self._layers, self.year, level)
        if chosen is not None and chosen.id != self.layer.id:
            self._choose_layer(chosen.id, reload_areas=False)
            self.layer_combo.setCurrentIndex(self.layer_combo.findData(chosen.id))

    def rebase_areas(self, answer: bool | None = None):
        """Map ▸ Re-base Areas…: the selected area, or every area of its layer, after a review.
        Returns the dialog (answer True accepts it at once, False leaves it open unshown)."""
        from ui.map.rebase_dialog import RebaseDialog

        area = self.current_area()
        source = area.layer_id if area is not None and area.layer_id is not None else next(
            (a.layer_id for a in self.areas if a.layer_id == self.layer.id),
            next((a.layer_id for a in self.areas if a.layer_id is not None), None))
        if source is None:
            self.show_message("No area is drawn on wards: nothing to re-base")
            return None
        dialog = RebaseDialog(self.document, source, area.id if area is not None and area.layer_id == source
                              else None, parent=self)
        # The areas now live on the new wards: show those (the figures are taken on them).
        dialog.accepted.connect(lambda: self._pin_layer(dialog.target.currentData()))
        if answer is None:
            dialog.open()
        elif answer:
            dialog.accept()
        return dialog

    def _borough_labels(self) -> None:
        """Wards without parent codes take their borough names from a borough layer, if any."""
        table = None
        if self.layer.loaded and not any(self.layer.table.parent_codes):
            others = [b for b in self.cat.layers.all() if b.level == "borough" and b.id != self.layer.id]
            table = self.cat.layers.table(others[0].id) if others else None
        self.view.labeller.set_borough_layer(table)

    def _reload_areas(self, members: dict[int, np.ndarray] | None = None) -> None:
        self._all_areas = self.cat.areas.all(outlines=False, members=members)
        self._evidence = Evidence.load(self.cat)
        self._footprints = Footprints(self.cat, self._all_areas)
        self._apply_year()

    def _apply_year(self) -> None:
        """The areas of the year from what was read (a move of the year slider reads nothing):
        those of partnerships active or attested then (and of unknown state if asked), each
        derived one as its members' wards then."""
        areas = self._all_areas
        self.unknown_areas = 0
        if self.year:
            when, evidence = str(self.year), self._evidence
            states = {pid: evidence.partnership(p, when) for pid, p in evidence.partnerships.items()}
            self.unknown_areas = sum(states.get(a.partnership_id) == UNKNOWN for a in areas)
            shown = {pid for pid, state in states.items()
                     if state in ("active", "attested") or (self.include_unknown and state == UNKNOWN)}
            areas = self._footprints.as_of([a for a in areas if a.partnership_id is None
                                            or a.partnership_id in shown], when)
        if self.layer.loaded:
            # Another vintage of the same level shown (the year's, or pinned): areas that follow
            # their members are their members' wards on it.
            level = next((l.level for l in self._layers if l.id == self.layer.id), None)
            same = {l.id for l in self._layers if l.level == level}
            areas = self._footprints.onto(areas, self.layer.id, str(self.year) if self.year else None, same)
        self.areas = areas
        self.area_list.show_areas(areas)
        self._update_places()
        self._repaint_areas()

    def _repaint_areas(self) -> None:
        current = self.current_area()
        self.drawing.set_area(current)
        if not self.layer.loaded:
            self.shapes.show([], set(), None)
            self.legend.set_rows("No boundary layer", [])
            self.panel.show_stats(None)
            return
        shown = self.area_list.shown_ids()
        selected = current.id if current is not None else None
        coverage = self.layer_actions["coverage"].isChecked()
        self.shapes.coverage = coverage
        self.shapes.visible = self.layer_actions["areas"].isChecked()
        chosen = self._selected_areas(shown)
        self.shapes.emphasis = None if self.selection is None else {a.id for a in chosen}
        self.shapes.show(self.areas, shown, selected)
        n = len(self.layer)
        fill = np.zeros(n, dtype=np.int64)
        members: list[tuple[str, frozenset[int], bool]] = []
        for a in self.areas:
            if self.layer.holds(a) and (a.unit_ids or a.drawn is not None):
                members.append((a.name, a.unit_ids, a.id in shown))
        if coverage:
            counts = np.zeros(n, dtype=np.int64)
            for a in self.areas:
                if a.id in shown and self.layer.holds(a):
                    counts[self.layer.rows(a.unit_ids)] += 1
            fill = np.minimum(counts, len(COVERAGE_COLOURS))
            palette = [QColor()] + [QColor(c) for c in COVERAGE_COLOURS]
        else:
            # The selected area's wards are filled as well as hatched: a stroke's preview
            # (wards painted in, or erased to neutral) is read against that fill.
            palette = [QColor()]
            # The selection's areas filled, the largest first so that one inside another shows.
            for a in chosen:
                palette.append(QColor(a.colour))   # blended by the view
                fill[self.layer.rows(a.unit_ids)] = len(palette) - 1
            if current is not None and current.id in shown:
                palette.append(QColor(current.colour))
                fill[self.layer.rows(current.unit_ids)] = len(palette) - 1
        self._set_legend(current, coverage, counts if coverage else None, chosen)
        ids = self.layer.table.ids
        members.sort(key=lambda m: m[0].lower())

        def areas_of(i: int) -> list[str]:
            # Asked on hover, for one unit: not worked out for every unit up front.
            unit = int(ids[i])
            return ([name for name, units, on in members if on and unit in units]
                    + [f"{name} (hidden)" for name, units, on in members if not on and unit in units])

        self.view.set_fills(fill, palette, areas_of)
        territory = self.selection[2] if self.selection is not None else None
        if current is None and territory is not None:
            self.view.set_highlight(territory, QColor(TERRITORY))
        else:
            self.view.set_highlight(current.outline if current else None,
                                    QColor(current.colour) if current else None)
        self._pending = None
        self._update_stats()

    def _selected_areas(self, shown: set[int]) -> list[Area]:
        """The shown areas of the selection's partnerships (as of the map's year), largest first."""
        if self.selection is None:
            return []
        pids = self.selection[1]
        chosen = [a for a in self.areas if a.partnership_id in pids and a.id in shown and self.layer.holds(a)]
        return sorted(chosen, key=lambda a: (-len(a.unit_ids), a.name.lower()))

    def _set_legend(self, current: Area | None, coverage: bool, counts, chosen: list[Area]) -> None:
        """Name what the map shows: the areas drawn (the selected first), or the coverage classes;
        with a selection, its areas and the others (dimmed) as one row."""
        drawn = set(self.shapes.items)
        by_id = {a.id: a for a in self.areas}
        if self.selection is not None and not coverage:
            rows = [LegendRow(a.name, blend(QColor(a.colour)), "fill") for a in chosen]
            others = len(drawn - {a.id for a in chosen})
            if others:
                rows.append(LegendRow(f"{plural(others, 'other area')} (faint)", QColor(DIMMED_GREY), "outline"))
            if self.selection[2] is not None:
                rows.append(LegendRow("Territory", QColor(TERRITORY), "line"))
            rows.append(LegendRow("Borough boundary", BOROUGH_EDGE, "line"))
            self.legend.set_rows(f"Selected: {self.selection[0]}, {plural(len(chosen), 'area')}", rows)
            self._avoid_selected()
            return
        order = sorted(drawn, key=lambda k: (current is None or k != current.id, by_id[k].name.lower()))
        rows = []
        if coverage:
            top = int(counts.max()) if len(counts) else 0
            last = len(COVERAGE_COLOURS)
            for k in range(1, min(top, last) + 1):
                text = f"In {k}{' or more' if k == last and top > last else ''} shown area{'s' * (k != 1)}"
                rows.append(LegendRow(text, blend(QColor(COVERAGE_COLOURS[k - 1])), "fill"))
            rows.append(LegendRow("In no shown area", NEUTRAL, "fill"))
            rows += [LegendRow(by_id[k].name, QColor(by_id[k].colour), "outline") for k in order]
        else:
            rows += [LegendRow(by_id[k].name, QColor(by_id[k].colour),
                               "hatched" if current is not None and k == current.id else "area") for k in order]
        rows.append(LegendRow("Borough boundary", BOROUGH_EDGE, "line"))
        title = (f"{len(drawn)} of {len(self.areas)} area{'s' * (len(self.areas) != 1)} shown" if self.areas
                 else "No areas yet")
        self.legend.set_rows(("Coverage count: " if coverage else "") + title, rows)
        self._avoid_selected()

    def _avoid_selected(self) -> None:
        """Keep the legend off the selected area, as drawn now (or its outline if hidden),
        and off as much of the others shown as it can."""
        current = self.current_area()
        # With no area chosen, the window's selection (its areas) is what to keep in view.
        keep = [current.id] if current is not None else sorted(self.shapes.items.keys() - self.shapes.dimmed) \
            if self.selection is not None else []
        kept = [g for k in keep if (g := self.shapes.geometry(k)) is not None]
        if current is not None and not kept and current.outline is not None:
            kept = [current.outline]
        self.legend.avoid = kept[0] if len(kept) == 1 else shapely.union_all(kept) if kept else None
        self.legend.set_others([self.shapes.geometry(k) for k in self.shapes.items if k not in keep])
        self.view.viewport().update()

    def _on_scale(self) -> None:
        level = self.shapes.drawn_level
        self.shapes.rescale()
        if self.shapes.drawn_level != level:
            self._avoid_selected()

    def _on_hover(self, i: int) -> None:
        """The ward under the mouse and every area it is in, in the status line."""
        if i < 0 or not self.layer.loaded:
            self.hover.setText("")
            return
        areas = self.view.areas_of(i)
        t = self.layer.table
        self.hover.setText(f"{t.names[i]} ({t.codes[i]}): " + ("in " + ", ".join(areas) if areas else "in no area"))

    def _unit_menu(self, i: int, at) -> None:
        """Right click on a ward: ask which partnerships cover it, or its borough (the
        Questions window answers, with the sources)."""
        ask = getattr(self.window(), "show_questions", None)
        if ask is None or not self.layer.loaded:
            return
        t = self.layer.table
        self.unit_menu = QMenu(self)
        self.unit_menu.setObjectName("map-unit-menu")
        for code, name in ((t.codes[i], t.names[i]), (t.parent_codes[i], self._borough_name(t.parent_codes[i]))):
            if code:
                self.unit_menu.addAction(f"Which Partnerships Cover {name}?",
                                         lambda code=code: ask(0).ask_where(code))
        self.unit_menu.popup(at)

    def _borough_name(self, code: str) -> str:
        org = self.document.catalogue.organisations.find(code)
        return org.name if org is not None else code

    def _colours_in_view(self) -> list[str]:
        """The colours of the shown areas the map is looking at (a new area is drawn there)."""
        if not self.layer.loaded:
            return []
        r = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        box = shapely.box(r.left(), -r.bottom(), r.right(), -r.top())
        by_id = {a.id: a for a in self.areas}
        return [by_id[k].colour for k in self.shapes.items
                if k in by_id and (g := self.shapes.geometry(k)) is not None and shapely.intersects(box, g)]

    # -- selection and stats ---------------------------------------------
    def current_area(self) -> Area | None:
        """The area selected in the list, with its outline: the one drawn on (a derived
        area as of the map's year, on the wards it shows: its members' wards there and then)."""
        area = self.area_list.current()
        if area is None or area.kind != "derived":
            return area
        shown = next((a for a in self.areas if a.id == area.id), None)
        if shown is None or (shown.unit_ids, shown.layer_id) == (area.unit_ids, area.layer_id):
            return area
        rows = self.layer.rows(shown.unit_ids) if self.layer.holds(shown) else []
        outline = shapely.coverage_union_all(self.layer.table.geometries[rows]) if len(rows) else None
        return replace(area, unit_ids=shown.unit_ids, layer_id=shown.layer_id, outline=outline)

    def _on_pending(self, units: set[int]) -> None:
        self._pending = units
        # Throttled, not pushed back by each step, and spaced by their cost: a long stroke
        # shows its figures as it goes without them taking more than a share of its time.
        if not self._stats_timer.isActive():
            self._stats_timer.start(max(60, round(4 * self._stats_ms)))

    def _update_stats(self, check: bool = True) -> None:
        area = self.current_area()
        layer = self.layer
        if area is None or not layer.loaded:
            self.panel.show_stats(None)
            return
        pending = self._pending is not None
        unit_ids = layer.ids(self._pending) if pending else area.unit_ids
        others = [a for a in self.areas if a.id != area.id]
        try:
            started = time.perf_counter()
            stats = area_stats(layer.table, unit_ids, drawn=area.drawn, names=layer.borough_names, others=others,
                               index=layer.index, tree=layer.picker.tree, contiguity=layer.picker.parts_of)
            self._stats_ms = (time.perf_counter() - started) * 1000
        except Exception as e:  # a broken geometry must not take the tab down
            self.show_message(f"figures unavailable: {e}")
            return
        link = self.cat.partnerships.get(area.partnership_id).name if area.partnership_id else None
        self.panel.show_stats(stats, area.name, pending, link)
        self.panel.show_vintage(self.cat, area)
        self.panel.show_sources(self.document, area)
        if check and not pending:   # the kind and membership check, read from the catalogue
            when = str(self.year) if self.year else None
            found = consistency(self.cat, when, areas=[self.area_list.current()])
            self.panel.show_kind(area.kind, when, [p.line().split(": ", 1)[1] for p in found])

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    # -- finding one's way ---------------------------------------------------
    def _update_places(self) -> None:
        self.find_box.set_places(self.layer, self.areas)

    def focus_find(self) -> None:
        if not self.layer.loaded:
            self.show_message("There is nothing on the map to find yet: import ward boundaries first")
            return
        self.find_box.focus()

    def find(self, text: str) -> Place | None:
        """Fit the map to the ward, borough or area `text` names and outline it for a
        moment; text naming nothing (or several things) is said in the status line and
        the map stays where it is."""
        try:
            place = find(self.find_box.places, text)
        except NotFound as e:
            self.show_message(str(e))
            return None
        if place.kind == "area":
            area = self.cat.areas.get(place.area_id)
            shape = area.outline if area.outline is not None else area.drawn
            if shape is None or shape.is_empty:
                self.show_message(f"“{place.name}” has no wards or drawn shape to show yet")
                return None
            self.area_list.select_area(place.area_id)
        else:
            geoms = self.layer.table.geometries[list(place.rows)]
            shape = geoms[0] if len(geoms) == 1 else shapely.coverage_union_all(geoms)
        self.view.zoom_to_bounds(*shape.bounds, margin=0.25)
        self.view.flash(shape)
        self.show_message(f"{place.kind.capitalize()}: {place.name}" + (f" ({place.code})" if place.code else ""))
        return place

    def _select_area_at(self, unit: int) -> None:
        """A click with the pan tool on a ward selects an area holding it (the next one
        on each further click, where areas overlap)."""
        uid = int(self.layer.table.ids[unit])
        holding = [a.id for a in self.areas if uid in a.unit_ids]
        if not holding:
            return
        now = self.area_list.area_id
        nxt = holding[(holding.index(now) + 1) % len(holding)] if now in holding else holding[0]
        if nxt != now:
            self.area_list.select_area(nxt)

    def set_tool(self, name: str) -> None:
        self.tool_actions[name].setChecked(True)
        self.drawing.set_tool(name)

    def zoom_to_area(self) -> None:
        area = self.current_area()
        if area is None or area.outline is None:
            self.show_message("Select an area with wards to zoom to it")
            return
        self.view.zoom_to_bounds(*area.outline.bounds)

    def export(self, path: str | None = None):
        if path is None:
            filters = ";;".join(f"{v} (*{k})" for k, v in FORMATS.items())
            path, _ = QFileDialog.getSaveFileName(self, "Export map", "map.png", filters)
            if not path:
                return None
        try:
            out = export_view(self.view, path)
        except CatalogueError as e:
            self.show_message(str(e))
            return None
        self.show_message(f"Map exported to {out.name}")
        return out

    # -- selections from other views -------------------------------------
    def show_units(self, groups: list[tuple[str, str, list[int]]], message: str = "") -> None:
        """Paint groups of units (label, colour, unit ids) over the map, e.g. a pair's shared
        wards and each one's remainder; the next edit or area choice paints areas again."""
        if not self.layer.loaded:
            return
        ids = self.layer.table.ids
        fill = np.zeros(len(ids), dtype=np.int64)
        palette, sets = [QColor()], []
        for label, colour, units in groups:
            palette.append(QColor(colour))
            fill[self.layer.rows(units)] = len(palette) - 1
            sets.append((label, set(units)))
        self.legend.set_rows(message or "Selection", [LegendRow(label, blend(QColor(colour)), "fill")
                                                      for label, colour, _ in groups])
        self.legend.avoid = None
        self.legend.set_others([])
        self.shapes.set_visible(False)   # until the next area choice or edit paints areas again
        self.view.set_fills(fill, palette, lambda i: [label for label, s in sets if int(ids[i]) in s])
        self.view.set_highlight(None, None)
        self.show_message(message)

    def pin_layer(self, layer_id: int) -> None:
        """Show this boundary layer whatever the year, as choosing it in the combo does."""
        if layer_id != self.layer.id:
            self._pin_layer(layer_id)

    def zoom_to_units(self, unit_ids) -> None:
        """Fit the map to these units (those on the layer shown), e.g. a pair shown from another tab."""
        rows = self.layer.rows(unit_ids) if self.layer.loaded else []
        if rows:
            bounds = shapely.total_bounds(self.layer.table.geometries[rows])
            self.view.zoom_to_bounds(*bounds, margin=0.1)
            # A tab built just now is laid out a turn of the event loop later: fit again at its real size.
            QTimer.singleShot(0, self, lambda: self.view.zoom_to_bounds(*bounds, margin=0.1))

    def show_selection(self, name: str, partnership_ids, territory_units: list[int] | None = None) -> None:
        """Highlight the window's selection over the areas: these partnerships' areas filled and
        outlined, every other area still drawn but faint, the territory (an organisation's) outlined
        in black, and a chip naming it. It stays through edits, the year slider and area choices,
        until clear_selection."""
        territory = None
        if territory_units and self.layer.loaded:
            rows = self.layer.rows(territory_units)
            territory = shapely.union_all(self.layer.table.geometries[rows]) if rows else None
        self.selection = (name, frozenset(partnership_ids), territory)
        self.chip.show_name(name)
        self.view.set_chip_widget(self.chip)   # placed again: its width follows the name
        self._repaint_areas()
        chosen = self._selected_areas(self.area_list.shown_ids()) if self.layer.loaded else []
        self.show_message(f"Selected: {name}: {plural(len(chosen), 'area')} highlighted "
                          "(Esc or the ✕ on the map clears it)")

    def clear_selection(self) -> None:
        """Back to the plain map: every area as usual, no chip."""
        had = self.selection is not None
        self.selection = None
        self.chip.show_name(None)
        self._repaint_areas()
        if had:
            self.show_message("Selection cleared")

    def set_year(self, year: int | None, include_unknown: bool | None = None) -> None:
        """Show only areas whose partnership was active or attested in `year` (None: every area),
        and those of unknown state then if include_unknown."""
        self.year = year
        if include_unknown is not None:
            self.include_unknown = include_unknown
        self._layer_in_force()
        self.shapes.set_draft(True)
        self._draft_timer.start()
        self._apply_year()
        if year:
            unknown = self.unknown_areas
            self.show_message(f"Showing the areas of partnerships active or attested in {year}" + (
                "" if not unknown else f", and {unknown} of unknown state" if self.include_unknown
                else f" ({unknown} with no evidence for {year} left out)"))

    def shutdown(self) -> None:
        """Stop background work before the tab goes away."""
        self._stats_timer.stop()   # its figures read the catalogue, which is closing
        self._draft_timer.stop()
        self.view.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
