"""One selection for the whole window: the partnership or organisation a person last picked,
in the Catalogue, the Organisations tab, the Network or the Overlaps list.

    selection = Selection()              # the main window owns one
    selection.select(PARTNERSHIP, 12)    # any view may set it
    selection.changed.connect(...)       # every view shows it its own way (link_selection below)

It holds ids, not records: a view reads what it needs from the catalogue. Setting the value
it already holds emits nothing, so views that both set and follow it do not echo.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

PARTNERSHIP, ORGANISATION = "partnership", "organisation"


class Selection(QObject):
    changed = Signal(str, int)   # kind ("" when cleared), id (0 when cleared)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.kind: str | None = None
        self.id: int | None = None

    def select(self, kind: str | None, record_id: int | None) -> None:
        if kind is None or record_id is None:
            kind, record_id = None, None
        elif kind not in (PARTNERSHIP, ORGANISATION):
            raise ValueError(f"select a partnership or an organisation, not '{kind}'")
        if (kind, record_id) == (self.kind, self.id):
            return
        self.kind, self.id = kind, record_id
        self.changed.emit(kind or "", int(record_id or 0))

    def clear(self) -> None:
        self.select(None, None)


def link_selection(window) -> None:
    """The window's one selection, set by the Catalogue list, the Organisations tab, the Overlaps
    list and the Network; each built view shows it: the list and the Organisations tab select
    the record, the map paints a partnership's areas (an organisation's partnerships' areas and
    its territory), the network and the Overlaps list mark the nodes and rows involved."""
    selection = window.selection
    partnership_list = window.catalogue_view.list
    organisations = window.organisations_view

    partnership_list.current.connect(lambda pid: selection.select(PARTNERSHIP, pid) if pid is not None
                                     else selection.clear() if selection.kind == PARTNERSHIP else None)

    def organisation_chosen(*_) -> None:
        if organisations.current is not None:
            selection.select(ORGANISATION, organisations.current.id)
    organisations.table.selectionModel().selectionChanged.connect(organisation_chosen)

    def follow(kind: str, record_id: int) -> None:
        if not kind:   # cleared (the map's ✕ or Esc, a click on the network's empty space): no record either
            if partnership_list.selected_ids():
                partnership_list.select(None)
            if organisations.current is not None:
                organisations.select(None)
                organisations.table.clearSelection()
        elif kind == PARTNERSHIP and partnership_list.selected_ids() != [record_id]:
            partnership_list.select(record_id)
        elif kind == ORGANISATION and (organisations.current is None or organisations.current.id != record_id):
            organisations.select(record_id)
        # Only the tabs built already: the selection is no reason to build (and import) one.
        if window.built("map") or window.built("overlaps"):
            from ui.links import mark_in_overlaps, show_selection_on_map
            if window.built("map"):
                show_selection_on_map(window, kind, record_id)
            if window.built("overlaps"):
                mark_in_overlaps(window, kind, record_id)
        if window.built("network"):
            window.network_tab.show_selection(kind, record_id)

    selection.changed.connect(follow)
