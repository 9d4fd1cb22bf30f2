"""What every map tool answers to: the view forwards mouse and key events here.

A tool gets scene positions; `press` returns True when it took the event.
Alt+click fills a whole borough in any drawing tool.

A tool reaches everything through its Drawing `d`: units, their names and the
spatial index from `d.layer` (a MapLayer), edits through `d.commit`, and of the
view only screen things: `scene()` for its feedback items, `metres_per_pixel()`,
`clear_preview()` (and `d.metres(pos)`, `d.preview(...)` wrapping the view's).
"""
from __future__ import annotations

from PySide6.QtCore import Qt


class Tool:
    def __init__(self, drawing):
        self.d = drawing

    def activate(self) -> None: ...
    def cancel(self) -> None: ...
    def area_changed(self) -> None: ...
    def hover(self, event, pos) -> None: ...
    def leave(self) -> None: ...     # the pointer left the map
    def key(self, event) -> bool: return False
    def double_click(self, event, pos) -> bool: return False

    def press(self, event, pos) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or not self.d.ready():
            return True
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self._fill_borough(pos)
            return True
        self.begin(event, pos)
        return True

    def _fill_borough(self, pos) -> None:
        layer = self.d.layer
        hit = layer.picker.at(*self.d.metres(pos))
        if hit is None:
            self.d.message.emit("Alt+click on a ward to add its whole borough")
            return
        name = layer.borough_name(hit) or "borough"
        self.d.commit(f"Add {name}", layer.same_borough(hit), set())

    def begin(self, event, pos) -> None: ...
    def move(self, event, pos) -> None: ...
    def release(self, event, pos) -> None: ...
