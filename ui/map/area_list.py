"""The list of areas beside the map, its buttons, and the edits they make.

    areas = AreaList(document, layer)   # layer: the MapLayer new areas are drawn on
    areas.show_areas(listed)            # the map tab lists what it paints
    areas.selected.connect(repaint)     # the user (or select_area) chose another area
    areas.shown_changed.connect(repaint)  # areas were checked (shown) or unchecked
    areas.message.connect(status)       # an edit was refused, in words

The list owns the selection (area_id, current()) and the choice of areas shown
on the map (each item's check box; shown_ids()); it reads the catalogue but
does not follow document.changed itself: the map tab reloads it, after
filtering the areas by year. The choice is kept per catalogue file for the
session, and in QSettings when the tab is given them, so reopening a catalogue
shows what was shown; it is kept as the areas *hidden*, so an area made later
(here or in another copy of the file) is shown. Each edit is one undo step
through document.edit(); methods that would ask the user something take the
answer as an optional argument, so tests and scripts can drive them without
dialogs. A new area's colour is the palette's least used, far from the colours
of the areas it meets (models.catalogue.colours).
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.catalogue.colours import nearby_colours, pick_colour, touching
from models.catalogue.records import Area
from models.errors import CatalogueError, plural
from ui.document import Document
from ui.map.layer import MapLayer

# Buttons that act on the selected area, disabled while none is.
NEEDS_SELECTION = ("Rename", "Colour", "Duplicate", "Delete", "Link to partnership…")

# A catalogue opened with more areas than this, and no choice remembered, shows none:
# hundreds of outlines over each other read as nothing, and each costs drawing time.
SHOW_AT_FIRST = 20

# The areas hidden in each catalogue (by file) this session.
_hidden_by_file: dict[str, set[int]] = {}


def _settings_key(path) -> str:
    # A hash of the path: QSettings keys cannot hold every character a path can.
    return "map/hidden_areas/" + hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:20]


class AreaList(QWidget):
    """The areas listed, the selected one, and the buttons that edit it."""
    selected = Signal()       # another area is selected (area_id), or none
    shown_changed = Signal()  # the areas shown on the map (checked) changed
    message = Signal(str)     # an edit could not be made, in words

    def __init__(self, document: Document, layer: MapLayer, parent=None, settings: QSettings | None = None):
        super().__init__(parent)
        self.setObjectName("area_list")
        self.document = document
        self.cat = document.catalogue
        self.layer = layer
        self.settings = settings
        self.areas: list[Area] = []     # the areas listed (without outlines)
        self._rows: list[tuple] = []    # what each list row shows: id, colour, text, tip, checked
        self.area_id: int | None = None
        self.nearby = lambda: []        # colours of the areas in view (the tab answers)
        self._current: Area | None = None
        self._file = str(self.cat.path.resolve()) if self.cat.path else ""
        self.hidden: set[int] | None = self._remembered()   # None: nothing chosen yet
        self.list = QListWidget()
        self.list.setObjectName("area_items")
        self.list.currentItemChanged.connect(self._on_area_selected)
        self.list.itemChanged.connect(self._on_item_checked)
        self.show_buttons: dict[str, QToolButton] = {}
        shows = QHBoxLayout()
        shows.setContentsMargins(0, 0, 0, 0)
        # The same choices as buttons under the heading and in the list's context menu.
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.show_actions: dict[str, QAction] = {}
        for key, text, tip, slot in (
                ("all", "Show all", "Show every area on the map", self.show_all),
                ("none", "Hide all", "Hide every area from the map", self.hide_all),
                ("selected", "Show only selected", "Show only the selected area", self.show_only_selected)):
            act = QAction(text, self, toolTip=tip, objectName=f"show_{key}_action")
            act.triggered.connect(lambda _=False, f=slot: f())
            self.list.addAction(act)
            self.show_actions[key] = act
            b = QToolButton(objectName=f"show_{key}")
            b.setDefaultAction(act)
            shows.addWidget(b)
            self.show_buttons[key] = b
        shows.addStretch(1)
        # Converting between a drawn area and one that follows its members: explicit, one undo step each.
        self.kind_actions: dict[str, QAction] = {}
        for key, text, tip, slot in (
                ("follow", "Follow members", "The area becomes its partnership's member boroughs' wards "
                 "and follows them as members join and leave", self.follow_members),
                ("keep", "Keep as drawn", "The area keeps the wards it has now (as of the map's year) "
                 "and no longer follows its members", self.keep_as_drawn)):
            act = QAction(text, self, toolTip=tip, objectName=f"area_{key}_action")
            act.triggered.connect(lambda _=False, f=slot: f())
            self.list.addAction(act)
            self.kind_actions[key] = act
        self.shown_label = QLabel(objectName="areas_shown")
        buttons = QWidget()
        grid = QVBoxLayout(buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        rows = ((("New", self.new_area), ("Rename", self.rename_area), ("Colour", self.recolour_area)),
                (("Duplicate", self.duplicate_area), ("Delete", self.delete_area)),
                (("Link to partnership…", self.link_area), ("From partnership…", self.area_from_partnership)))
        self.buttons: dict[str, QPushButton] = {}
        for row in rows:
            line = QHBoxLayout()
            for text, slot in row:
                b = QPushButton(text, objectName="area_" + text.rstrip("…").lower().replace(" ", "_"))
                b.clicked.connect(lambda _=False, s=slot: s())
                line.addWidget(b)
                self.buttons[text] = b
            grid.addLayout(line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        heading.addWidget(QLabel("Areas (checked: shown on the map):"))
        heading.addStretch(1)
        heading.addWidget(self.shown_label)
        layout.addLayout(heading)
        layout.addLayout(shows)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._enable_buttons()

    def count(self) -> int:
        """How many areas are listed."""
        return self.list.count()

    def current(self) -> Area | None:
        """The selected area, with its outline (the list holds areas without)."""
        if self._current is None or self._current.id != self.area_id:
            self._current = self.cat.areas.get(self.area_id) if self.area_id is not None else None
        return self._current

    def show_areas(self, areas: list[Area]) -> None:
        """List these areas, keeping the selection if it is among them (without signalling it)."""
        self.areas = areas
        self._current = None
        if self.area_id not in {a.id for a in areas}:
            self.area_id = None
        if self.hidden is None and len(areas) > SHOW_AT_FIRST:
            self.hidden = {a.id for a in areas}   # chosen for the user once, then theirs
            self._remember()
        hidden = self.hidden or set()
        names = self.cat.partnerships.names()
        rows = [(a.id, a.colour, self._text(a), self._tip(a, names), a.id not in hidden) for a in areas]
        if [r[0] for r in rows] == [r[0] for r in self._rows]:
            # The same areas (a move of the year slider): only the rows that changed, say a
            # derived area's ward count, are rewritten; refilling 500 rows costs ~15 ms a move.
            self.list.blockSignals(True)
            for k, (row, before) in enumerate(zip(rows, self._rows)):
                if row != before:
                    item = self.list.item(k)
                    if row[1] != before[1]:
                        item.setIcon(self._icon(row[1], {}))
                    item.setText(row[2])
                    item.setToolTip(row[3])
                    item.setCheckState(Qt.CheckState.Checked if row[4] else Qt.CheckState.Unchecked)
            current = self.list.currentItem()
            if current is not None and current.data(Qt.ItemDataRole.UserRole) != self.area_id:
                self.list.setCurrentItem(None)
            self.list.blockSignals(False)
            self._rows = rows
            self._enable_buttons()
            self._count_shown()
            return
        self._rows = rows
        self.list.blockSignals(True)
        self.list.clear()
        icons: dict[str, QIcon] = {}
        for a in self.areas:
            icon = self._icon(a.colour, icons)
            text = self._text(a)
            item = QListWidgetItem(icon, text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if a.id in hidden else Qt.CheckState.Checked)
            item.setToolTip(self._tip(a, names))
            self.list.addItem(item)
            if a.id == self.area_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._enable_buttons()
        self._count_shown()

    @staticmethod
    def _icon(colour: str, icons: dict[str, QIcon]) -> QIcon:
        if colour not in icons:
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(colour))
            icons[colour] = QIcon(swatch)
        return icons[colour]

    @staticmethod
    def _text(a: Area) -> str:
        return a.name + (f"  ({plural(len(a.unit_ids), 'ward')})" if a.unit_ids else "") \
            + ("  · follows members" if a.kind == "derived" else "")

    @staticmethod
    def _tip(a: Area, names: dict) -> str:
        link = names.get(a.partnership_id) if a.partnership_id else None
        return ((f"Linked to {link}" if link else "Not linked to a partnership")
                + (" · follows its members" if a.kind == "derived" else ""))

    def _enable_buttons(self) -> None:
        for name in NEEDS_SELECTION:
            self.buttons[name].setEnabled(self.area_id is not None)
        self.show_actions["selected"].setEnabled(self.area_id is not None)
        kind = next((a.kind for a in self.areas if a.id == self.area_id), None)
        self.kind_actions["follow"].setEnabled(kind == "drawn")
        self.kind_actions["keep"].setEnabled(kind == "derived")

    # -- which areas the map shows -------------------------------------------
    def shown_ids(self) -> set[int]:
        """The listed areas checked to be shown on the map."""
        hidden = self.hidden or set()
        return {a.id for a in self.areas if a.id not in hidden}

    def set_shown(self, ids) -> None:
        """Show exactly these of the listed areas (one repaint)."""
        ids = set(ids)
        self.hidden = (self.hidden or set()) | {a.id for a in self.areas}
        self.hidden -= ids
        self._remember()
        self.list.blockSignals(True)
        for k in range(self.list.count()):
            item = self.list.item(k)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in ids
                               else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._count_shown()
        self.shown_changed.emit()

    def show_all(self) -> None:
        self.set_shown(a.id for a in self.areas)

    def hide_all(self) -> None:
        self.set_shown(())

    def show_only_selected(self) -> None:
        if self.area_id is None:
            self.message.emit("Select an area to show it alone")
            return
        self.set_shown({self.area_id})

    def _on_item_checked(self, item: QListWidgetItem) -> None:
        area_id = item.data(Qt.ItemDataRole.UserRole)
        hidden = self.hidden or set()
        if item.checkState() == Qt.CheckState.Checked:
            hidden.discard(area_id)
        else:
            hidden.add(area_id)
        self.hidden = hidden
        self._remember()
        self._count_shown()
        self.shown_changed.emit()

    def _reveal(self, area_id: int) -> None:
        """An area the user has just made is shown, whatever was hidden before."""
        if self.hidden:
            self.hidden.discard(area_id)
            self._remember()

    def _count_shown(self) -> None:
        self.shown_label.setText(f"{len(self.shown_ids())} of {len(self.areas)} shown")

    def _remembered(self) -> set[int] | None:
        if self._file in _hidden_by_file:
            return set(_hidden_by_file[self._file])
        if self.settings is not None and self._file:
            value = self.settings.value(_settings_key(self._file))
            if isinstance(value, str):
                try:
                    return {int(v) for v in value.split(",") if v}
                except ValueError:   # a damaged setting is only a lost choice
                    return None
        return None

    def _remember(self) -> None:
        if not self._file or self.hidden is None:
            return
        _hidden_by_file[self._file] = set(self.hidden)
        if self.settings is not None:
            self.settings.setValue(_settings_key(self._file), ",".join(map(str, sorted(self.hidden))))

    def select_area(self, area_id: int | None) -> None:
        self.area_id = area_id
        for k in range(self.list.count()):
            item = self.list.item(k)
            if item.data(Qt.ItemDataRole.UserRole) == area_id:
                self.list.setCurrentItem(item)
                return
        self._selection_changed()

    def _on_area_selected(self, item, _previous=None) -> None:
        self.area_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._selection_changed()

    def _selection_changed(self) -> None:
        self._enable_buttons()
        self.selected.emit()

    # -- editing areas (each one undo step) --------------------------------
    def _edit(self, text, apply):
        try:
            return self.document.edit(text, apply)
        except CatalogueError as e:
            self.message.emit(str(e))
            return None

    def new_area(self, name: str | None = None, colour: str | None = None) -> int | None:
        if name is None:
            name, ok = QInputDialog.getText(self, "New area", "Name:", text=f"Area {len(self.areas) + 1}")
            if not ok:
                return None
        # A new area has no wards yet: it will be drawn where the map is looking.
        colour = colour or pick_colour([a.colour for a in self.areas], self.nearby())
        area = Area(name=name, colour=colour, layer_id=self.layer.id)
        revert = self._edit("New area", lambda: self.cat.areas.add(area))
        if revert is not None:
            self._reveal(revert.id)
            self.select_area(revert.id)
            return revert.id
        return None

    def _update(self, text, **changes) -> None:
        area = self.current()
        if area is not None:
            self._edit(text, lambda: self.cat.areas.update(replace(area, **changes)))

    def rename_area(self, name: str | None = None) -> None:
        area = self.current()
        if area is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename area", "Name:", text=area.name)
            if not ok:
                return
        self._update("Rename area", name=name)

    def recolour_area(self, colour: str | None = None) -> None:
        area = self.current()
        if area is None:
            return
        if colour is None:
            picked = QColorDialog.getColor(QColor(area.colour), self, "Area colour")
            if not picked.isValid():
                return
            colour = picked.name()
        self._update("Recolour area", colour=colour)

    def follow_members(self) -> None:
        area = self.current()
        if area is not None:
            self._edit("Follow members", lambda: self.cat.areas.follow_members(area.id))

    def keep_as_drawn(self) -> None:
        """Keep the wards the map shows now (the year's, if the map has one)."""
        area = self.current()
        if area is None:
            return
        shown = next((a for a in self.areas if a.id == area.id), area)
        self._edit("Keep as drawn", lambda: self.cat.areas.keep_as_drawn(area.id, shown.unit_ids, shown.layer_id))

    def link_area(self, partnership_id: int | None | bool = False) -> None:
        """Link the selected area to a partnership (None unlinks); asks when not given."""
        if self.current() is None:
            return
        if partnership_id is False:
            partnership_id = self._ask_partnership("Link to partnership", allow_none=True)
            if partnership_id is False:
                return
        self._update("Link area to partnership", partnership_id=partnership_id)

    def duplicate_area(self) -> None:
        area = self.current()
        if area is not None:
            # The copy lies exactly on the original: it needs a colour that tells them apart.
            colour = self.colour_for(area.unit_ids) if area.unit_ids else pick_colour(
                [a.colour for a in self.areas], [area.colour])
            revert = self._edit("Duplicate area", lambda: self.cat.areas.duplicate(area.id, colour=colour))
            if revert is not None:
                self._reveal(revert.id)
                self.select_area(revert.id)

    def delete_area(self, confirm: bool = True) -> None:
        area = self.current()
        if area is None:
            return
        if confirm and QMessageBox.question(self, "Delete area", f"Delete '{area.name}'? (Undo brings it back)") \
                != QMessageBox.StandardButton.Yes:
            return
        self._edit("Delete area", lambda: self.cat.areas.delete(area.id))

    def area_from_partnership(self, partnership_id: int | None = None) -> int | None:
        if self.layer.id is None:
            self.message.emit("Import a ward layer first")
            return None
        if partnership_id is None:
            partnership_id = self._ask_partnership("Area from partnership", allow_none=False)
            if partnership_id in (None, False):
                return None
        layer_id = self.layer.id
        try:
            colour = self.colour_for(self.cat.areas.member_units(partnership_id, layer_id))
        except CatalogueError as e:
            self.message.emit(str(e))
            return None
        revert = self._edit("Area from partnership",
                            lambda: self.cat.areas.from_partnership(partnership_id, layer_id, colour=colour))
        if revert is not None:
            self._reveal(revert.id)
            self.select_area(revert.id)
            return revert.id
        return None

    def colour_for(self, unit_ids) -> str:
        """The palette colour least used, farthest from the areas sharing or bordering these units."""
        rows = self.layer.rows(unit_ids)
        near = self.layer.ids(touching(self.layer.table.geometries, rows, self.layer.picker.tree)) if rows else []
        return pick_colour([a.colour for a in self.areas], nearby_colours(unit_ids, self.areas, near))

    def _ask_partnership(self, title: str, allow_none: bool):
        partnerships = self.cat.partnerships.all()
        names = (["(no partnership)"] if allow_none else []) + [p.name for p in partnerships]
        if not partnerships:
            self.message.emit("The catalogue has no partnerships yet")
            return False
        name, ok = QInputDialog.getItem(self, title, "Partnership:", names, 0, False)
        if not ok:
            return False
        return next((p.id for p in partnerships if p.name == name), None)
