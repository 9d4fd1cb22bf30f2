"""Map ▸ Re-base Areas…: carry areas onto another vintage of their wards, after a review.

    dialog = RebaseDialog(document, source_layer_id, area_id=None)   # None: every area

For the chosen area the preview draws its old outline over the new wards, each shaded
by the share of it that lies in the area (dark: all of it); the table gives, per area,
wards, km² and people before and after and the share of the old area the new one
covers; the list holds the wards near the rule's cut point, ticked when they join, for
the researcher to decide. Accept writes every area in one undo step.
"""
from __future__ import annotations

from html import escape

import numpy as np
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from models.analysis.area_stats import format_population
from models.analysis.rebase import RULES, apply_rebase, plan_rebase
from models.errors import CatalogueError
from models.geo.detail import rings
from ui.document import Document
from ui.map.paths import unit_paths

_COLUMNS = ("Area", "Wards before", "Wards after", "km² before", "km² after", "People before",
            "People after", "Covered")


class RebaseDialog(QDialog):
    def __init__(self, document: Document, source_layer_id: int, area_id: int | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("rebaseDialog")
        self.setWindowTitle("Re-base areas")
        self.resize(1100, 720)
        self.document = document
        self.cat = cat = document.catalogue
        self.source = cat.layers.get(source_layer_id)
        self.area_id = area_id
        self.plans = []
        self._rebaser = None
        targets = [l for l in cat.layers.all() if l.level == self.source.level and l.id != self.source.id]

        self.target = QComboBox(objectName="rebaseTarget")
        # Newest vintage first: re-basing is usually onto today's wards.
        for layer in sorted(targets, key=lambda l: (l.vintage, l.id), reverse=True):
            self.target.addItem(f"{layer.name} ({layer.vintage or 'no vintage'})", layer.id)
        self.rule = QComboBox(objectName="rebaseRule")
        for rule, text in zip(RULES, ("most of the ward (majority, 50 %)", "any of the ward",
                                      "all of the ward (within)")):
            self.rule.addItem(text, rule)
        self.area = QComboBox(objectName="rebaseArea")
        self.error = QLabel(objectName="rebaseError")
        self.error.setStyleSheet("color: #B00020")
        self.error.setWordWrap(True)
        self.table = QTableWidget(0, len(_COLUMNS), objectName="rebaseTable")
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(200)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_plan(row))
        self.review = QListWidget(objectName="rebaseReview")
        self.review.itemChanged.connect(self._decide)
        self.scene = QGraphicsScene(self)
        self.preview = QGraphicsView(self.scene, objectName="rebasePreview")
        self.preview.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.preview.setMinimumSize(420, 320)
        for policy in (self.preview.setHorizontalScrollBarPolicy, self.preview.setVerticalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.resizeEvent = self._refit
        self.summary = QLabel(objectName="rebaseSummary")
        self.summary.setWordWrap(True)

        form = QFormLayout()
        form.addRow(QLabel(f"From <b>{escape(self.source.name)}</b> ({escape(self.source.vintage or 'no vintage')})"))
        form.addRow("&Onto", self.target)
        form.addRow("A new ward &joins when", self.rule)
        form.addRow("&Areas", self.area)
        right = QVBoxLayout()
        right.addWidget(QLabel("Wards near the cut — ticked ones join:"))
        right.addWidget(self.review, 1)
        right.addWidget(self.summary)
        middle = QHBoxLayout()
        middle.addWidget(self.preview, 3)
        middle.addLayout(right, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText("Accept")
        self.accept_button.setObjectName("rebaseAccept")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(middle, 3)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.buttons)

        areas = [a for a in cat.areas.all(outlines=False) if a.layer_id == self.source.id]
        self.area.addItem(f"All {len(areas)} areas on {self.source.name}", None)
        for a in areas:
            self.area.addItem(a.name, a.id)
        if area_id is not None:
            self.area.setCurrentIndex(max(self.area.findData(area_id), 0))
        for combo in (self.target, self.rule, self.area):
            combo.currentIndexChanged.connect(self._plan)
        self._plan()

    # -- planning ----------------------------------------------------------
    def _plan(self) -> None:
        self.plans = []
        self.table.setRowCount(0)
        self.review.clear()
        self.scene.clear()
        target_id = self.target.currentData()
        if target_id is None:
            self._fail(f"no other {self.source.level} layer to re-base onto: import one first")
            return
        area_id = self.area.currentData()
        names = [self.cat.areas.get(area_id).name] if area_id is not None else None
        try:
            self.plans, self._rebaser = plan_rebase(
                self.cat, self.cat.layers.get(target_id).name, self.source.name, names,
                self.rule.currentData(), rebaser=self._rebaser)
        except CatalogueError as e:
            self._fail(str(e))
            return
        self.error.setText("")
        self.accept_button.setEnabled(bool(self.plans))
        self.table.setRowCount(len(self.plans))
        for row in range(len(self.plans)):
            self._fill_row(row)
        if self.plans:
            self.table.setCurrentCell(0, 0)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.accept_button.setEnabled(False)

    def _fill_row(self, row: int) -> None:
        p = self.plans[row]
        values = (p.area, f"{len(p.codes_before):,}", f"{len(p.codes_after):,}", f"{p.km2_before:,.2f}",
                  f"{p.km2_after:,.2f}", format_population(p.people_before),
                  format_population(p.people_after), f"{p.covered_share:.1%}")
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            if col:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)

    # -- the chosen area ---------------------------------------------------
    def _show_plan(self, row: int) -> None:
        self.review.blockSignals(True)
        self.review.clear()
        self.scene.clear()
        if not 0 <= row < len(self.plans):
            self.review.blockSignals(False)
            return
        p, rb = self.plans[row], self._rebaser
        after = set(p.codes_after)
        for code in p.review:
            k = rb.new.codes.index(code)
            share = p.shares.get(k, 0.0)
            item = QListWidgetItem(f"{code} {rb.new.names[k]} — {share:.0%} in the area")
            item.setData(Qt.ItemDataRole.UserRole, k)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in after else Qt.CheckState.Unchecked)
            self.review.addItem(item)
        self.review.blockSignals(False)
        self._draw(p)
        self._summarise(p)

    def _draw(self, p) -> None:
        rb = self._rebaser
        rows = np.array(sorted(p.shares), dtype=np.int64)
        if not len(rows):
            return
        after = {rb.new.codes[k] for k in rows} & set(p.codes_after)
        paths = unit_paths(rings(rb.new.geometries[rows]))
        edge = QPen(QColor("#606060"), 0)
        for k, path in zip(rows, paths):
            share = p.shares[int(k)]
            colour = QColor("#0072B2")
            colour.setAlphaF(0.1 + 0.75 * share)
            item = self.scene.addPath(path, edge, QBrush(colour))
            joins = rb.new.codes[k] in after
            item.setToolTip(f"{rb.new.codes[k]} {rb.new.names[k]}: {share:.0%} in the area"
                            + (" — joins" if joins else ""))
        old_rows = [rb.old.index_of()[u] for u in self.cat.areas.get(p.area_id).unit_ids
                    if u in rb.old.index_of()]
        if old_rows:
            outline = shapely.coverage_union_all(rb.old.geometries[np.array(old_rows)])
            pen = QPen(QColor("#D55E00"), 0)
            pen.setCosmetic(True)
            pen.setWidthF(2.5)
            for path in unit_paths(rings(np.array([outline], dtype=object))):
                self.scene.addPath(path, pen)
        self.preview.fitInView(self.scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _refit(self, event=None) -> None:
        """The preview keeps the whole area in view as the dialog is resized."""
        if event is not None:
            QGraphicsView.resizeEvent(self.preview, event)
        if self.scene.items():
            self.preview.fitInView(self.scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _summarise(self, p) -> None:
        rb = self._rebaser
        layer = self.cat.layers.get(rb.new.layer_id)
        self.summary.setText(
            f"<b>{escape(p.area)}</b>: {len(p.codes_before):,} wards of {escape(self.source.vintage)} → "
            f"{len(p.codes_after):,} of {escape(layer.vintage)} ({p.carried:,} kept by code); "
            f"{p.km2_before:,.2f} → {p.km2_after:,.2f} km²; the new area covers "
            f"{p.covered_share:.1%} of the old")

    def _decide(self, item: QListWidgetItem) -> None:
        """A ward near the cut ticked or unticked: it joins the area or leaves it."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.plans):
            return
        p, rb = self.plans[row], self._rebaser
        k = int(item.data(Qt.ItemDataRole.UserRole))
        code, uid = rb.new.codes[k], int(rb.new.ids[k])
        if item.checkState() == Qt.CheckState.Checked and code not in p.codes_after:
            p.codes_after.append(code)
            p.units_after.append(uid)
        elif item.checkState() != Qt.CheckState.Checked and code in p.codes_after:
            p.codes_after.remove(code)
            p.units_after.remove(uid)
        rows = [rb.new.codes.index(c) for c in p.codes_after]
        p.km2_after = float(rb.cw.new_area[rows].sum()) / 1e6 if rows else 0.0
        p.provenance["decided"] = sorted(set(p.provenance.get("decided", [])) | {code})
        self._fill_row(row)
        self._draw(p)
        self._summarise(p)

    # -- accepting -------------------------------------------------------------
    def accept(self) -> None:
        if not self.plans:
            return
        empty = [p.area for p in self.plans if not p.units_after and p.codes_before]
        if empty:
            self._fail(f"'{empty[0]}' would have no wards left: tick a ward for it")
            return
        n = len(self.plans)
        text = f"Re-base {self.plans[0].area!r}" if n == 1 else f"Re-base {n} areas"
        try:
            self.document.edit(text, lambda: apply_rebase(self.cat, self.plans))
        except CatalogueError as e:
            self._fail(str(e))
            return
        super().accept()
