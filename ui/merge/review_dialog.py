"""File ▸ Merge Another Catalogue…: review what merging the other copy would do, then apply it.

    dialog = MergeDialog(document, plan)     # plan = models.catalogue.merge.plan(...)

The tree lists the conflicts first (each field with both copies' values, who changed it
and when, and a choice: mine, theirs, or a value typed in), then the additions, changes
and deletions record by record and field by field, then the records matched between
copies and why. Selecting an area draws its two footprints (this copy's in blue, the
other's in orange). With a conflict selected, M, T and E choose mine, theirs or edit.
Apply is one undo step; it is enabled once every conflict has a choice.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from models.catalogue import merge
from models.errors import CatalogueError, plural
from ui.document import Document

_COLUMNS = ("Record", "Field", "Choice", "Mine", "Theirs", "Result")
_CHOICE, _MINE, _THEIRS, _RESULT = 2, 3, 4, 5
_CHOICES = (("Choose…", None), ("Mine", "mine"), ("Theirs", "theirs"), ("Edit", "edit"))
_KEYS = {Qt.Key.Key_M: "mine", Qt.Key.Key_T: "theirs", Qt.Key.Key_E: "edit"}
_TABLE_NAMES = {"boundary_layers": "boundary layer", "organisations": "organisation",
                "partnerships": "partnership", "sources": "source", "memberships": "membership",
                "areas": "area", "citations": "citation"}
_CONFLICT = Qt.ItemDataRole.UserRole        # a conflict row's Conflict
_AREA = Qt.ItemDataRole.UserRole + 1       # an area row's uuid, for the footprints


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} wards" if value and isinstance(value[0], str) else ", ".join(map(str, value))
    return str(value)


def _who(author, at) -> str:
    if not author and not at:
        return ""
    return f"  — {author or 'someone'}, {(at or '')[:16].replace('T', ' ')}"


class MergeDialog(QDialog):
    def __init__(self, document: Document, plan: merge.MergePlan, parent=None):
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle(f"Merge {plan.other_name}")
        self.resize(1200, 760)
        self.document = document
        self.plan = plan
        self.choices: dict[tuple, str | None] = {c.key: c.resolved for c in plan.conflicts}
        self.edits: dict[tuple, str] = {}
        self.revert = None

        report = plan.report()
        self.summary = QLabel(objectName="mergeSummary")
        self.summary.setWordWrap(True)
        self.summary.setText(
            f"Merging <b>{escape(plan.other_name)}</b> into <b>{escape(document.catalogue.path.name)}</b>: "
            f"adds {plural(sum(report['added'].values()), 'record')}, changes "
            f"{plural(sum(report['changed'].values()), 'record')}; "
            f"{plural(len(plan.conflicts), 'conflict')}; {plural(len(plan.matched), 'record')} made apart "
            "matched. Conflicts: choose with the Choice column, or M (mine), T (theirs), E (edit).")
        self.tree = QTreeWidget(objectName="mergeTree")
        self.tree.setColumnCount(len(_COLUMNS))
        self.tree.setHeaderLabels(_COLUMNS)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((250, 90, 100, 190, 190)):   # the Result column takes the rest
            self.tree.setColumnWidth(column, width)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(lambda item, _: self._show(item))
        self.tree.itemChanged.connect(self._typed)
        self.tree.keyPressEvent = self._key
        self.scene = QGraphicsScene(self)
        self.preview = QGraphicsView(self.scene, objectName="mergePreview")
        self.preview.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.preview.setMinimumWidth(300)
        self.preview.resizeEvent = lambda e: self._refit()
        self.legend = QLabel("Select an area: <span style='color:#0072B2'>■ mine</span> "
                             "<span style='color:#E69F00'>■ theirs</span>", objectName="mergeLegend")
        self.legend.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setObjectName("mergeApply")
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():   # Return commits a typed value; it must not apply the merge
            button.setAutoDefault(False)
            button.setDefault(False)
        self.error = QLabel(objectName="mergeError")
        self.error.setStyleSheet("color: #B00020")
        self.error.setWordWrap(True)

        side = QVBoxLayout()
        side.addWidget(self.preview, 1)
        side.addWidget(self.legend)
        middle = QHBoxLayout()
        middle.addWidget(self.tree, 3)
        middle.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(middle, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._fill()
        self._update_apply()

    # -- the tree ----------------------------------------------------------
    def _group(self, title: str, count: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [f"{title} ({count})"])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFirstColumnSpanned(True)
        item.setExpanded(True)
        return item

    def _record(self, parent, table: str, record: str, uuid: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [f"{_TABLE_NAMES.get(table, table)}: {record or uuid[:8]}"])
        if table == "areas":
            item.setData(0, _AREA, uuid)
        return item

    def _fill(self) -> None:
        plan = self.plan
        self.tree.blockSignals(True)
        if plan.conflicts:
            group = self._group("Conflicts", len(plan.conflicts))
            self.first_conflict = None
            for c in plan.conflicts:
                mine = f"{_text(plan.display(c.table, c.field, c.mine))}{_who(c.mine_author, c.mine_at)}"
                theirs = f"{_text(plan.display(c.table, c.field, c.theirs))}{_who(c.theirs_author, c.theirs_at)}"
                item = QTreeWidgetItem(group, [f"{_TABLE_NAMES.get(c.table, c.table)}: {c.record}", c.field,
                                               "", mine, theirs, ""])
                item.setData(0, _CONFLICT, c)
                if c.table == "areas":
                    item.setData(0, _AREA, c.id)
                for column in (_MINE, _THEIRS):
                    item.setToolTip(column, item.text(column))
                combo = QComboBox(objectName="mergeChoice")
                for text, value in _CHOICES:
                    if value == "edit" and c.field == merge.ROW:
                        continue
                    combo.addItem(text, value)
                combo.setCurrentIndex(max(combo.findData(c.resolved), 0))
                combo.currentIndexChanged.connect(lambda _, item=item, combo=combo: self._choose(item, combo.currentData()))
                self.tree.setItemWidget(item, _CHOICE, combo)
                for f in c.follows:   # what taking theirs also does to the records that hang on this one
                    verb = {"add": "brings back", "delete": "removes", "update": "changes"}[f.op]
                    QTreeWidgetItem(item, [f"theirs also {verb} {_TABLE_NAMES.get(f.table, f.table)}: {f.record}",
                                           ", ".join(f.values) if f.op == "update" else ""])
                self._show_result(item)
                self.first_conflict = self.first_conflict or item
        for title, op in (("Additions", "add"), ("Changes", "update"), ("Deletions", "delete")):
            changes = [c for c in plan.changes if c.op == op]
            if not changes:
                continue
            group = self._group(title, len(changes))
            group.setExpanded(op != "update" or len(changes) < 200)
            for c in changes:
                item = self._record(group, c.table, c.record, c.id)
                if op == "update":
                    for field, value in c.values.items():
                        theirs = _text(plan.display(c.table, field, value))
                        QTreeWidgetItem(item, ["", field, "theirs",
                                               _text(plan.display(c.table, field, c.old.get(field))), theirs, theirs])
                    item.setText(1, ", ".join(c.values))
        if plan.matched:
            group = self._group("Matched records made apart", len(plan.matched))
            group.setExpanded(False)
            for m in plan.matched:
                name = plan._names.get(min(m.mine, m.theirs), "")
                QTreeWidgetItem(group, [f"{_TABLE_NAMES.get(m.table, m.table)}: {name}", f"by {m.by}", "",
                                        m.mine, m.theirs, ""])
        self.tree.blockSignals(False)
        if plan.conflicts:
            self.tree.setCurrentItem(self.first_conflict)

    # -- choosing ----------------------------------------------------------
    def _key(self, event) -> None:
        item = self.tree.currentItem()
        choice = _KEYS.get(event.key())
        if item is not None and item.data(0, _CONFLICT) is not None and choice and not event.modifiers():
            combo = self.tree.itemWidget(item, _CHOICE)
            index = combo.findData(choice)
            if index >= 0:
                combo.setCurrentIndex(index)
                if choice == "edit":
                    self.tree.editItem(item, _RESULT)
            return
        QTreeWidget.keyPressEvent(self.tree, event)

    def _choose(self, item: QTreeWidgetItem, choice: str | None) -> None:
        c = item.data(0, _CONFLICT)
        self.choices[c.key] = choice
        editable = choice == "edit"
        flags = item.flags() | Qt.ItemFlag.ItemIsEditable if editable else item.flags() & ~Qt.ItemFlag.ItemIsEditable
        self.tree.blockSignals(True)
        item.setFlags(flags)
        if editable and c.key not in self.edits:
            self.edits[c.key] = _text(c.mine) if c.mine is not None else ""
        self.tree.blockSignals(False)
        self._show_result(item)
        if editable:
            self.tree.setCurrentItem(item, _RESULT)
        self._update_apply()

    def _typed(self, item: QTreeWidgetItem, column: int) -> None:
        c = item.data(0, _CONFLICT)
        if c is not None and column == _RESULT and self.choices.get(c.key) == "edit":
            self.edits[c.key] = item.text(_RESULT)

    def _show_result(self, item: QTreeWidgetItem) -> None:
        c = item.data(0, _CONFLICT)
        choice = self.choices.get(c.key)
        text = {"mine": _text(self.plan.display(c.table, c.field, c.mine)),
                "theirs": _text(self.plan.display(c.table, c.field, c.theirs)),
                "edit": self.edits.get(c.key, "")}.get(choice, "")
        self.tree.blockSignals(True)
        item.setText(_RESULT, text)
        self.tree.blockSignals(False)

    def _update_apply(self) -> None:
        open_ = sum(1 for v in self.choices.values() if v is None)
        self.apply_button.setEnabled(open_ == 0)
        self.apply_button.setToolTip("" if not open_ else f"{plural(open_, 'conflict')} still to choose")

    def resolutions(self) -> dict:
        return {key: ("edit", self.edits.get(key, "")) if choice == "edit" else choice
                for key, choice in self.choices.items()}

    def apply(self) -> None:
        cat = self.document.catalogue
        try:
            self.revert = self.document.edit(f"Merge {self.plan.other_name}",
                                             lambda: merge.apply(cat, self.plan, self.resolutions()))
        except CatalogueError as e:
            self.error.setText(str(e))
            return
        self.accept()

    # -- the footprints ----------------------------------------------------
    def _show(self, item: QTreeWidgetItem | None) -> None:
        self.scene.clear()
        uuid = item.data(0, _AREA) if item is not None else None
        if uuid is None:
            return
        mine, theirs = merge.footprints(self.document.catalogue, self.plan, uuid)
        for geom, colour in ((mine, "#0072B2"), (theirs, "#E69F00")):
            if geom is None or geom.is_empty:
                continue
            path = QPainterPath()
            for polygon in getattr(geom, "geoms", [geom]):
                if polygon.geom_type != "Polygon":
                    continue
                for ring in (polygon.exterior, *polygon.interiors):
                    coords = list(ring.coords)
                    path.moveTo(coords[0][0], -coords[0][1])
                    for x, y in coords[1:]:
                        path.lineTo(x, -y)
                    path.closeSubpath()
            fill = QColor(colour)
            fill.setAlpha(70)
            pen = QPen(QColor(colour), 0)
            pen.setCosmetic(True)
            pen.setWidthF(2)
            self.scene.addPath(path, pen, QBrush(fill))
        self._refit()

    def _refit(self) -> None:
        if self.scene.items():
            self.preview.fitInView(self.scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)
