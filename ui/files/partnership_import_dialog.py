"""Importing partnerships from a spreadsheet: map the columns, preview, see every row's errors.

Nothing is written until the plan is clean and the researcher presses Import;
the whole import is then one edit (one undo step).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from models.errors import Cancelled, CatalogueError, plural
from models.formats.partnership_import import FIELDS, ImportPlan, plan_import, read_table, write_plan
from ui.catalogue.fields import ERROR_COLOUR, FieldMessage
from ui.document import Document
from ui.progress import run_with_progress

NOT_IMPORTED = "— not imported —"
PREVIEW_ROWS = 20
_BAD_ROW = QColor("#FBE3D6")   # a pale vermillion wash; the row also says what is wrong


class PartnershipImportDialog(QDialog):
    def __init__(self, document: Document, path: str | Path, parent=None):
        super().__init__(parent)
        self.document = document
        self.path = Path(path)
        self.plan: ImportPlan | None = None
        self.imported = 0
        self.setWindowTitle(f"Import partnerships from {self.path.name}")
        self.boxes: dict[str, QComboBox] = {}
        mapping_box = QGroupBox("Which column holds what")
        grid = QGridLayout(mapping_box)
        for i, (key, (label, _)) in enumerate(FIELDS.items()):
            box = QComboBox()
            box.setAccessibleName(label)
            box.activated.connect(lambda _: self.replan())
            self.boxes[key] = box
            grid.addWidget(QLabel(label), i // 3, (i % 3) * 2)
            grid.addWidget(box, i // 3, (i % 3) * 2 + 1)
        for c in (1, 3, 5):
            grid.setColumnStretch(c, 1)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.preview.setAccessibleName("Preview")
        self.errors = QListWidget()
        self.errors.setAccessibleName("Errors")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = FieldMessage()
        preview_box = QGroupBox(f"Preview (first {PREVIEW_ROWS} rows)")
        QVBoxLayout(preview_box).addWidget(self.preview)
        errors_box = QGroupBox("Rows with errors")
        QVBoxLayout(errors_box).addWidget(self.errors)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(preview_box)
        split.addWidget(errors_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reload_button = QPushButton("Read the file again")
        self.reload_button.setToolTip("After fixing the spreadsheet, read it again")
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.reload_button.clicked.connect(lambda: self.replan())
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(mapping_box)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("x")
        self.resize(em * 130, self.fontMetrics().height() * 40)
        self.replan(first=True)

    def mapping(self) -> dict[str, str]:
        return {k: b.currentText() for k, b in self.boxes.items() if b.currentIndex() > 0}

    def replan(self, first: bool = False) -> None:
        try:
            self.plan = plan_import(self.document.catalogue, self.path, None if first else self.mapping())
        except CatalogueError as e:
            self.plan = None
            self.message.show_error(str(e))
            self.summary.setText("Nothing will be imported.")
            self.import_button.setEnabled(False)
            if first:
                self._fill_boxes([], {})
            return
        self.message.clear_message()
        if first:
            self._fill_boxes(self.plan.headers, self.plan.mapping)
        self._show_plan(self.plan)

    def _fill_boxes(self, headers: list[str], mapping: dict[str, str]) -> None:
        for key, box in self.boxes.items():
            box.clear()
            box.addItem(NOT_IMPORTED)
            box.addItems(headers)
            box.setCurrentText(mapping.get(key, NOT_IMPORTED))
        if not headers:
            try:  # show the columns even when the first guess found no name column
                headers, _ = read_table(self.path)
            except CatalogueError:
                return
            for box in self.boxes.values():
                box.addItems(headers)

    def _show_plan(self, plan: ImportPlan) -> None:
        fields = [k for k in FIELDS if k in plan.mapping]
        bad = {}
        for row, text in plan.row_errors:
            bad.setdefault(row, []).append(text)
        self.preview.clear()
        self.preview.setColumnCount(len(fields) + 2)
        self.preview.setHorizontalHeaderLabels(
            ["Row", *[FIELDS[k][0].split(" (")[0] for k in fields], "Problem"])
        numbered = [(n, raw) for n, raw in enumerate(plan.table, start=2) if any(raw)][:PREVIEW_ROWS]
        self.preview.setRowCount(len(numbered))
        index = {k: plan.headers.index(plan.mapping[k]) for k in fields}
        for i, (n, raw) in enumerate(numbered):
            cells = [str(n), *[raw[index[k]] for k in fields], "; ".join(bad.get(n, []))]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if n in bad:
                    item.setBackground(QBrush(_BAD_ROW))
                    if j == len(cells) - 1:
                        item.setForeground(QBrush(QColor(ERROR_COLOUR)))
                self.preview.setItem(i, j, item)
        self.preview.resizeColumnsToContents()
        self.preview.horizontalHeader().setSectionResizeMode(len(fields) + 1, QHeaderView.ResizeMode.Stretch)
        self.errors.clear()
        self.errors.addItems([f"row {row}: {text}" for row, text in plan.row_errors])
        if plan.row_errors:
            n = len(bad)
            self.summary.setText(f"✗ {n} row{'s have' if n != 1 else ' has'} errors. Fix them in the "
                                 "spreadsheet (then “Read the file again”) or change the columns above. "
                                 "Nothing has been written.")
        else:
            parts = [f"{len(plan.rows):,} partnership{'s' if len(plan.rows) != 1 else ''} will be imported"]
            if plan.new_organisations:
                shown = ", ".join(plan.new_organisations[:5]) + (", …" if len(plan.new_organisations) > 5 else "")
                parts.append(f"{len(plan.new_organisations)} new organisation"
                             f"{'s' if len(plan.new_organisations) != 1 else ''} created ({shown})")
            if plan.new_sources:
                parts.append(f"{len(plan.new_sources)} new source{'s' if len(plan.new_sources) != 1 else ''}")
            if plan.recognised:
                n = len(plan.recognised)
                parts.append(f"{n} already in this catalogue (same identifier), left as {'they are' if n != 1 else 'it is'}")
            self.summary.setText("; ".join(parts) + ". One Undo takes it all back.")
        self.import_button.setEnabled(plan.ok)

    def run_import(self) -> None:
        plan = self.plan
        if plan is None or not plan.ok:
            return
        cat = self.document.catalogue
        n = len(plan.rows)
        try:
            revert = self.document.edit(
                f"Import {n} partnership{'s' if n != 1 else ''}",
                lambda: run_with_progress(self, f"Importing {plural(n, 'partnership')}…",
                                          lambda progress: write_plan(cat, plan, progress)))
        except Cancelled:
            self.message.show_error("import cancelled; nothing was written")
            return
        except CatalogueError as e:
            self.message.show_error(str(e))
            return
        self.imported = len(revert.inserted("partnerships"))
        self.accept()
