"""The map's find box: a line edit over the map's top right corner that completes ward,
borough and area names and GSS codes, and says which one the user chose (the tab shows it)."""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from ui.map.find import Place, area_places, unit_places


class FindBox(QLineEdit):
    chosen = Signal(str)   # the text of a completion picked, or of Enter

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("mapFind")
        self.setPlaceholderText("Find a ward, borough, area or code")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(260)
        self.setToolTip("Type a ward, borough or area name, or a GSS code; Enter shows it on the map (Ctrl+F)")
        self._places: list[Place] = []   # what it completes, once listed (see places)
        self._source = None              # the layer and areas to list them from
        self._listed = False             # whether the box has been used (listed since)
        self._unit_places: tuple[tuple | None, list[Place]] = (None, [])   # per layer: wards, boroughs
        self._places_of = None   # the ward places and (id, name) of the areas listed from them
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setObjectName("mapFindCompleter")
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        completer.activated[str].connect(self.chosen)
        self.setCompleter(completer)
        self.returnPressed.connect(lambda: self.chosen.emit(self.text()))

    def set_places(self, layer, areas) -> None:
        """What the box finds: listed when the box is first used (listing 161k units took
        most of a second of opening the map), and kept current from then on."""
        self._source = (layer, areas)
        if self._listed:
            self._list()

    @property
    def places(self) -> list[Place]:
        """The places the box completes and finds (listed now if it was not used yet)."""
        self._list()
        return self._places

    def focusInEvent(self, event) -> None:
        self._list()   # completions ready before the first key
        super().focusInEvent(event)

    def keyPressEvent(self, event) -> None:
        self._list()   # focus given without a focus event (a window not active yet)
        super().keyPressEvent(event)

    def _list(self) -> None:
        self._listed = True
        if self._source is None:
            return
        layer, areas = self._source
        # Every edit reloads the areas; the 8,071 wards of England and Wales cost ~0.1 s to
        # list, so they are listed once per layer and only the areas each time.
        table, names = layer.table, tuple(layer.borough_names.items())
        key = self._unit_places[0]
        if key is None or key[0] is not table or key[1] != names:
            self._unit_places = ((table, names), unit_places(layer))
        # A move of the year slider keeps most areas' names: nothing to list again if all are kept.
        named = tuple((a.id, a.name) for a in areas)
        if self._places_of is not None and self._places_of[0] is self._unit_places[1] \
                and self._places_of[1] == named:
            return
        self._places_of = (self._unit_places[1], named)
        places = self._unit_places[1] + area_places(areas)
        if [p.label for p in places] != [p.label for p in self._places]:
            self._model.setStringList([p.label for p in places])
        self._places = places

    def focus(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
