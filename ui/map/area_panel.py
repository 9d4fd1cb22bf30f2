"""The area panel: what the area being drawn spans, updated live while painting."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from models.analysis.area_stats import AreaStats, format_population
from ui.catalogue.citations_panel import CiteMark, cite_or_remove


class AreaPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("mapAreaPanel")
        self.box = QGroupBox("Area")
        self.box.setObjectName("mapAreaBox")
        form = QFormLayout(self.box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("partnership", "Partnership"), ("kind", "Kind"), ("check", "Members"),
                           ("vintage", "Vintage"), ("wards", "Wards"), ("boroughs", "Boroughs"),
                           ("virtual", "Virtual borough"),
                           ("km2", "Area"), ("population", "Population"), ("parts", "Contiguity"),
                           ("overlaps", "Overlaps")):
            value = QLabel()
            # Multi-line fields break lines themselves (<br>); wrapped labels inside a
            # form inside a group box get too little height and lose their last lines.
            value.setWordWrap(key in ("virtual", "check"))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName(key)
            form.addRow(label + ":", value)
            self.fields[key] = value
        # The area's sources: a book when one is cited (hover: which, page, quote); a click cites one.
        self.sources = CiteMark("Area")
        self.sources.setObjectName("area-sources")
        self.sources.clicked.connect(self._cite)
        self._cited = (None, None)   # (document, area id) the mark stands for
        form.addRow("Sources:", self.sources)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        self.show_stats(None)

    def show_sources(self, document, area) -> None:
        if document is not self._cited[0]:   # once per document: an undo anywhere re-reads the mark
            document.changed.connect(self._sources_changed)
        self._cited = (document, area.id if area is not None else None)
        self.sources.setEnabled(area is not None and area.id is not None)
        self.sources.show_rows(document.catalogue.sources.cited(area_id=area.id) if self.sources.isEnabled()
                               else [], self.sources.isEnabled())

    def _sources_changed(self, changes) -> None:
        document, area_id = self._cited
        if area_id is not None and changes.touch("citations", "sources"):
            self.sources.show_rows(document.catalogue.sources.cited(area_id=area_id), True)

    def _cite(self) -> None:
        document, area_id = self._cited
        if area_id is not None and cite_or_remove(self, document, "area_id", area_id, None, self.sources.rows,
                                                  self.sources.menu_point()):
            self.sources.show_rows(document.catalogue.sources.cited(area_id=area_id), True)

    def text(self, key: str) -> str:
        return self.fields[key].text()

    def show_vintage(self, cat, area) -> None:
        """Which layer and year the area is drawn on, and where a re-based one came from."""
        layer = next((l for l in cat.layers.all() if l.id == area.layer_id), None)
        text = f"{escape(layer.name)} ({escape(layer.vintage or 'no vintage')})" if layer else "drawn only"
        came = cat.areas.rebased_from(area.id) if area.id is not None else None
        if came:
            text += (f"<br>re-based from {escape(str(came.get('layer')))} ({escape(str(came.get('vintage')))})"
                     f"<br>{escape(str(came.get('rule')))} rule, {float(came.get('covered_share') or 0):.1%} "
                     "of it covered")
        self.fields["vintage"].setText(text)

    def show_stats(self, stats: AreaStats | None, title: str = "", pending: bool = False,
                   partnership: str | None = None) -> None:
        f = self.fields
        self.box.setTitle(("Area: " + title if title else "No area selected") + (" (drawing…)" if pending else ""))
        if stats is None:
            for label in f.values():
                label.setText("—")
            return
        f["partnership"].setText(escape(partnership) if partnership else "not linked")
        if stats.apportioned:
            # A drawn polygon covers parts of wards: say how much land lies in each borough.
            f["wards"].setText(f"{stats.units:,} whole; the drawn shape covers {stats.drawn_over:,}")
            f["boroughs"].setText("<br>".join(
                f"{escape(b.name)}: {b.km2:,.2f} km² in {b.units:,} ward{'s' * (b.units != 1)}"
                for b in stats.boroughs) or "none")
        else:
            f["wards"].setText(f"{stats.units:,}")
            f["boroughs"].setText("<br>".join(f"{escape(b.name)}: {b.units:,} ward{'s' * (b.units != 1)}"
                                              for b in stats.boroughs) or "none")
        f["virtual"].setText(f"<b>yes</b> — spans {len(stats.boroughs)} boroughs" if stats.cross_boundary
                             else "no")
        f["km2"].setText(f"{stats.km2:,.2f} km²")
        pop = format_population(stats.population)
        if stats.population is not None and stats.population_missing:
            pop += f" ({stats.population_missing} ward{'s' * (stats.population_missing != 1)} without a figure)"
        if stats.population is not None and stats.apportioned:
            pop += " (by share of each ward's area)"
        f["population"].setText(pop)
        if stats.parts <= 1:
            f["parts"].setText("one piece" if stats.parts == 1 else "empty")
        else:
            text = f"{stats.parts} separate parts"
            if stats.isolated:
                text += "<br>isolated: " + escape(", ".join(stats.isolated))
            f["parts"].setText(text)
        f["overlaps"].setText("<br>".join(f"{escape(n)} ({k} ward{'s' * (k != 1)})" for n, k in stats.overlaps)
                              or "none")

    def show_kind(self, kind: str, when: str | None, warnings: list[str]) -> None:
        """Whether the area follows its members (as of the map's year), and where its members
        and its wards disagree: a warning beside the area."""
        self.fields["kind"].setText(("follows its members" + (f" (as of {escape(when)})" if when else ""))
                                    if kind == "derived" else "drawn")
        label = self.fields["check"]
        label.setText("<br>".join("⚠ " + escape(w) for w in warnings) if warnings else "agree with its wards")
        label.setStyleSheet("color: #B34700;" if warnings else "")
