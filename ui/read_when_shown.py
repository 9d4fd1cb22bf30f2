"""Views that read the catalogue again only when someone can see them.

    class NetworkTab(ReadWhenShown, QWidget):
        def refresh(self): ...          # reads and draws; sets self.stale = False when it has read

        document.changed.connect(lambda changes: self.out_of_date() if changes.touch(...) else None)

An edit made in another tab marks the view out of date; a hidden view reads when it is next
shown, not after every keystroke's edit elsewhere, and a visible one reads at once. The
mixin goes before the Qt class, so its showEvent runs first and passes the event on.
"""
from __future__ import annotations


class ReadWhenShown:
    stale = True   # nothing read yet: the first show reads

    def out_of_date(self) -> None:
        """What the view shows may no longer be the catalogue: read now if seen, else when next shown."""
        self.stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:   # pragma: no cover - each view reads its own way
        raise NotImplementedError
