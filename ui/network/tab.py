"""The Network tab: organisations and partnerships as a graph beside the map.

The graph, its measures and its layout are models.analysis.network's; this tab chooses what
to show (the two-mode graph or a projection, as of a year, laid out on the map's geography
or by forces alone, nodes sized by degree or people), draws it (ui/network/plot.py), lists
the measures in a sortable table and exports pictures and GraphML/GEXF.

A click on a node (or a row of the table) is `picked`, for the window's one selection
(ui/selection.py, wired in ui/links.py); `show_selection` draws the selection it is given:
a partnership with its members, an organisation with its partnerships.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.analysis import network as nw
from models.errors import CatalogueError, plural
from ui.document import Changes, Document
from ui.network.plot import Drawing, NetworkPlot
from ui.read_when_shown import ReadWhenShown

SEED = 1
PROJECTIONS = (("Organisations and partnerships", None), ("Organisations (shared partnerships)", "organisations"),
               ("Partnerships (shared members)", "partnerships"))
LAYOUTS = (("On the map", True), ("Forces only", False))
SIZES = (("Size by links", "degree"), ("Size by people", "population"))
PARTNERSHIP_COLOUR = "#E69F00"   # Okabe–Ito orange
# Organisations by their kind (Okabe–Ito); any other kind grey.
ORGANISATION_COLOURS = {"local authority": "#0072B2", "health body": "#009E73", "police": "#56B4E9",
                        "central government and agencies": "#CC79A7", "voluntary/community": "#D55E00",
                        "fire and rescue": "#F0E442"}
OTHER_COLOUR = "#8C8C8C"
WATCHED = ("partnerships", "organisations", "memberships", "citations", "sources")
LAYER_TABLES = ("boundary_layers", "boundary_units")
COLUMNS = ("Name", "Kind", "Links", "Betweenness", "Piece")   # piece: which connected component


class NetworkTab(ReadWhenShown, QWidget):
    picked = Signal(str, int)   # a node chosen here: ("partnership" | "organisation", id); ("", 0) for none

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.net: nw.Network | None = None
        self.measures: nw.Measures | None = None
        self.positions = np.zeros((0, 2))
        self._members: dict[int, set[int]] = {}       # partnership -> organisations, as of the year
        self._places: dict[str, nw.Territory] | None = None
        self._selection: tuple[str, int] | None = None

        self.projection = QComboBox()
        for text, value in PROJECTIONS:
            self.projection.addItem(text, value)
        self.layout_choice = QComboBox()
        for text, value in LAYOUTS:
            self.layout_choice.addItem(text, value)
        self.layout_choice.setToolTip("On the map: organisations with a territory sit at their borough's "
                                      "centre and the rest settle around them")
        self.size_choice = QComboBox()
        for text, value in SIZES:
            self.size_choice.addItem(text, value)
        self.as_of = QCheckBox("As of")
        self.year = QSpinBox()
        self.year.setRange(1900, 2100)
        self.year.setValue(2010)
        self.year.setEnabled(False)
        self.include_unknown = QCheckBox("include undated")
        self.include_unknown.setToolTip("As of a year, also count partnerships and memberships with no "
                                        "evidence either way")
        self.include_unknown.setEnabled(False)
        self.export_button = QToolButton(text="Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for text, suffix in (("Picture (PNG)…", ".png"), ("Picture (SVG)…", ".svg"),
                             ("GraphML (Gephi, Cytoscape)…", ".graphml"), ("GEXF (Gephi)…", ".gexf")):
            menu.addAction(text, lambda suffix=suffix: self._export_dialog(suffix))
        self.export_button.setMenu(menu)
        controls = QHBoxLayout()
        for w in (self.projection, self.layout_choice, self.size_choice, self.as_of, self.year,
                  self.include_unknown):
            controls.addWidget(w)
        controls.addStretch(1)
        controls.addWidget(self.export_button)

        self.plot = NetworkPlot()
        self.plot.setObjectName("network-plot")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.table_model = QStandardItemModel(0, len(COLUMNS), self)
        self.table_model.setHorizontalHeaderLabels(COLUMNS)
        self.table = QTableView()
        self.table.setObjectName("network-measures")
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)   # the name first: kinds can be long
        for column, width in ((1, 100), (2, 46), (3, 96), (4, 44)):
            header.resizeSection(column, width)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.pairs = QTableWidget(0, 4)
        self.pairs.setObjectName("network-pairs")
        self.pairs.setHorizontalHeaderLabels(("A", "B", "Shared", "Jaccard"))
        self.pairs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs.verticalHeader().hide()
        self.pairs.setWordWrap(False)
        self.pairs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pairs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.pairs.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.summary)
        side_layout.addWidget(self.legend)
        side_layout.addWidget(QLabel("Measures (click a heading to sort):"))
        side_layout.addWidget(self.table, 3)
        side_layout.addWidget(QLabel("Most connected pairs:"))
        side_layout.addWidget(self.pairs, 1)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.plot)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1000, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        for box in (self.projection, self.layout_choice, self.size_choice):
            box.currentIndexChanged.connect(lambda _: self.refresh())
        self.as_of.toggled.connect(self._as_of_toggled)
        self.year.valueChanged.connect(lambda _: self.refresh() if self.as_of.isChecked() else None)
        self.include_unknown.toggled.connect(lambda _: self.refresh() if self.as_of.isChecked() else None)
        self.plot.node_clicked.connect(self._node_clicked)
        self.table.clicked.connect(lambda index: self._node_clicked(
            int(self.table_model.item(index.row(), 0).data(Qt.ItemDataRole.UserRole))))
        document.changed.connect(self._catalogue_changed)

    # -- state ------------------------------------------------------------------------
    @property
    def when(self) -> str | None:
        return str(self.year.value()) if self.as_of.isChecked() else None

    def set_year(self, year: int | None) -> None:
        """As of `year` (None: every record), as the Overlaps tab's slider sets it."""
        self.as_of.blockSignals(True)
        self.year.blockSignals(True)
        self.as_of.setChecked(year is not None)
        if year is not None:
            self.year.setValue(year)
        self.year.setEnabled(year is not None)
        self.include_unknown.setEnabled(year is not None)
        self.as_of.blockSignals(False)
        self.year.blockSignals(False)
        self.refresh()

    def _as_of_toggled(self, on: bool) -> None:
        self.year.setEnabled(on)
        self.include_unknown.setEnabled(on)
        self.refresh()

    def _catalogue_changed(self, changes: Changes) -> None:
        if changes.touch(*LAYER_TABLES):
            self._places = None
        if changes.touch(*WATCHED, *LAYER_TABLES):
            self.out_of_date()

    # -- building -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the graph again and draw it (the selection stays drawn if its node still is)."""
        cat = self.document.catalogue
        projection = self.projection.currentData()
        try:
            net = nw.build_network(cat, projection, self.when, self.include_unknown.isChecked())
            two_mode = net if projection is None else \
                nw.build_network(cat, None, self.when, self.include_unknown.isChecked())
        except CatalogueError as e:
            self.summary.setText(str(e))
            return
        if self._places is None:
            self._places = nw.territories(cat)
        self.stale = False
        self.net, self.measures = net, nw.measures(net)
        self._members = {}
        for a, b in two_mode.edges.tolist():
            self._members.setdefault(int(two_mode.record_ids[b]), set()).add(int(two_mode.record_ids[a]))
        anchors = nw.territory_anchors(net, self._places)
        self.positions = nw.layout(net, anchors, seed=SEED, geographic=self.layout_choice.currentData())
        self.plot.set_graph(self._drawing())
        self._fill_tables()
        self._write_summary(len(anchors))
        if self._selection is not None:
            self.show_selection(*self._selection)

    def _drawing(self) -> Drawing:
        net, m = self.net, self.measures
        organisation = np.array([k == nw.ORGANISATION for k in net.kinds], dtype=bool)
        degree = m.degree.astype(np.float64)
        scale = np.sqrt(degree / degree.max()) if len(degree) and degree.max() > 0 else np.zeros(len(net))
        sizes = 6 + 16 * scale
        if self.size_choice.currentData() == "population":
            people = nw.populations(net, self._places or {})
            top = people.max(initial=0)
            share = np.sqrt(people / top) if top > 0 else np.zeros(len(net))
            sizes = np.where(organisation, 5 + 20 * share, sizes)
        colours = [ORGANISATION_COLOURS.get(t, OTHER_COLOUR) if organisation[k] else PARTNERSHIP_COLOUR
                   for k, t in enumerate(net.types)]
        if net.projection is None:
            styles = list(net.roles)
        else:
            styles = [int(min(w, 3)) for w in net.weight.tolist()]
        return Drawing(self.positions, net.labels, colours, ["o" if o else "s" for o in organisation],
                       sizes, degree + m.betweenness, net.edges, styles)

    def _fill_tables(self) -> None:
        net, m = self.net, self.measures
        self.table.setSortingEnabled(False)
        self.table_model.removeRows(0, self.table_model.rowCount())
        for k in range(len(net)):
            name = QStandardItem(net.labels[k])
            name.setData(k, Qt.ItemDataRole.UserRole)
            cells = [name, QStandardItem(net.types[k] if net.kinds[k] == nw.ORGANISATION else "partnership")]
            for value in (int(m.degree[k]), round(float(m.betweenness[k]), 4), int(m.component[k]) + 1):
                item = QStandardItem()
                item.setData(value, Qt.ItemDataRole.DisplayRole)   # numbers sort as numbers
                cells.append(item)
            self.table_model.appendRow(cells)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        pairs = nw.most_connected_pairs(net, 20)
        self.pairs.setRowCount(len(pairs))
        for r, p in enumerate(pairs):
            for c, text in enumerate((p.a, p.b, f"{p.shared:g}", f"{p.jaccard:.2f}")):
                self.pairs.setItem(r, c, QTableWidgetItem(text))

    def _write_summary(self, anchored: int) -> None:
        net, m = self.net, self.measures
        when = f" as of {self.when}" if self.when else ""
        text = (f"{plural(len(net), 'node')}, {plural(len(net.edges), 'link')}{when}; "
                f"{plural(m.components, 'piece')}")
        if len(net) and self.layout_choice.currentData():
            text += f"; {anchored} placed at their borough's centre" if anchored else \
                "; no node has a territory here: placed by forces alone"
        if not len(net):
            text = "Nothing to show: add organisations and partnerships in the Catalogue tab" + (
                f" (or none was active{when})" if when else "")
        self.summary.setText(text)
        kinds = sorted({t for t, k in zip(net.types, net.kinds) if k == nw.ORGANISATION})
        rows = [(PARTNERSHIP_COLOUR, "■", "partnership")] if nw.PARTNERSHIP in net.kinds else []
        rows += [(ORGANISATION_COLOURS.get(t, OTHER_COLOUR), "●", t) for t in kinds]
        self.legend.setText(" &nbsp; ".join(f"<span style='color:{c}'>{s}</span>&nbsp;{t}" for c, s, t in rows))

    # -- selection ------------------------------------------------------------------------
    def _node_clicked(self, row: int) -> None:
        if self.net is None or row < 0 or row >= len(self.net):
            self._selection = None
            self.plot.set_highlight([])
            self.picked.emit("", 0)
            return
        kind, record = self.net.kinds[row], int(self.net.record_ids[row])
        self.show_selection(kind, record)
        self.picked.emit(kind, record)

    def show_selection(self, kind: str | None, record_id: int | None) -> None:
        """Draw a partnership with its members, or an organisation with its partnerships
        (in a projection: the nodes standing for them); None clears."""
        self._selection = (kind, int(record_id)) if kind and record_id else None
        if self.net is None:
            return
        self.plot.set_highlight(self.rows_for(kind, record_id) if self._selection else [])

    def rows_for(self, kind: str, record_id: int) -> list[int]:
        net = self.net
        own = net.rows_of(kind, [record_id])
        if own:
            return own + net.neighbours(own[0])
        if kind == nw.PARTNERSHIP:      # organisations' projection: its members
            return net.rows_of(nw.ORGANISATION, self._members.get(record_id, ()))
        if kind == nw.ORGANISATION:     # partnerships' projection: the partnerships it is in
            return net.rows_of(nw.PARTNERSHIP, [p for p, ms in self._members.items() if record_id in ms])
        return []

    # -- export ------------------------------------------------------------------------------
    def export(self, path: str | Path) -> Path:
        path = Path(path)
        suffix = path.suffix.lower()
        if self.net is None:
            self.refresh()
        try:
            if suffix == ".graphml":
                nw.write_graphml(self.net, self.measures, path, self.positions)
            elif suffix == ".gexf":
                nw.write_gexf(self.net, self.measures, path, self.positions)
            elif suffix in (".png", ".svg"):
                self.plot.export(path)
            else:
                raise CatalogueError(f"export as .png, .svg, .graphml or .gexf, not '{suffix or path.name}'")
        except OSError as e:
            raise CatalogueError(f"could not write {path.name}: {e.strerror or e}") from None
        return path

    def _export_dialog(self, suffix: str) -> None:
        names = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)", ".graphml": "GraphML (*.graphml)",
                 ".gexf": "GEXF (*.gexf)"}
        path, _ = QFileDialog.getSaveFileName(self, "Export the network", f"network{suffix}", names[suffix])
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            out = self.export(path)
        except CatalogueError as e:
            self.summary.setText(str(e))
            return
        self.summary.setText(f"Exported to {out.name}")
