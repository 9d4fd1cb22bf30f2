"""One selection for the whole window: the partnership or organisation a person last picked,
in the Catalogue, the Organisations tab, the Network or the Overlaps list.

    selection = Selection()              # the main window owns one
    selection.select(PARTNERSHIP, 12)    # any view may set it
    selection.changed.connect(...)       # every view shows it its own way (ui/links.py wires them)

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
