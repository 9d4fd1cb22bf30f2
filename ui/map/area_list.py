"""The list of areas beside the map, its buttons, and the edits they make.

    areas = AreaList(document, layer)   # layer: the MapLayer new areas are drawn on
    areas.show_areas(listed)            # the map tab lists what it paints
    areas.selected.connect(repaint)     # the user (or select_area) chose another area
    areas.message.connect(status)       # an edit was refused, in words

The list owns the selection (area_id, current()); it reads the catalogue but
does not follow document.changed itself: the map tab reloads it, after
filtering the areas by year. Each edit is one undo step through
document.edit(); methods that would ask the user something take the answer as
an optional argument, so tests and scripts can drive them without dialogs.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.catalogue.records import Area
from models.errors import CatalogueError, plural
from ui.document import Document
from ui.map.layer import MapLayer
from ui.map.style import AREA_COLOURS

# Buttons that act on the selected area, disabled while none is.
NEEDS_SELECTION = ("Rename", "Colour", "Duplicate", "Delete", "Link to partnership…")


class AreaList(QWidget):
    """The areas listed, the selected one, and the buttons that edit it."""
    selected = Signal()       # another area is selected (area_id), or none
    message = Signal(str)     # an edit could not be made, in words

    def __init__(self, document: Document, layer: MapLayer, parent=None):
        super().__init__(parent)
        self.document = document
        self.cat = document.catalogue
        self.layer = layer
        self.areas: list[Area] = []     # the areas listed (without outlines)
        self.area_id: int | None = None
        self._current: Area | None = None
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_area_selected)
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
                b = QPushButton(text)
                b.clicked.connect(lambda _=False, s=slot: s())
                line.addWidget(b)
                self.buttons[text] = b
            grid.addLayout(line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Areas:"))
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
        self.list.blockSignals(True)
        self.list.clear()
        icons: dict[str, QIcon] = {}
        for a in self.areas:
            if a.colour not in icons:
                swatch = QPixmap(14, 14)
                swatch.fill(QColor(a.colour))
                icons[a.colour] = QIcon(swatch)
            icon = icons[a.colour]
            text = a.name + (f"  ({plural(len(a.unit_ids), 'ward')})" if a.unit_ids else "")
            item = QListWidgetItem(icon, text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            link = self.cat.partnerships.get(a.partnership_id).name if a.partnership_id else None
            item.setToolTip(f"Linked to {link}" if link else "Not linked to a partnership")
            self.list.addItem(item)
            if a.id == self.area_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        for name in NEEDS_SELECTION:
            self.buttons[name].setEnabled(self.area_id is not None)

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
        colour = colour or AREA_COLOURS[len(self.areas) % len(AREA_COLOURS)]
        area = Area(name=name, colour=colour, layer_id=self.layer.id)
        revert = self._edit("New area", lambda: self.cat.areas.add(area))
        if revert is not None:
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
            revert = self._edit("Duplicate area", lambda: self.cat.areas.duplicate(area.id))
            if revert is not None:
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
        colour = AREA_COLOURS[len(self.areas) % len(AREA_COLOURS)]
        layer_id = self.layer.id
        revert = self._edit("Area from partnership",
                            lambda: self.cat.areas.from_partnership(partnership_id, layer_id, colour=colour))
        if revert is not None:
            self.select_area(revert.id)
            return revert.id
        return None

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
