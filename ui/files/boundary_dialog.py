"""Before a boundary import: which fields hold codes, names and parents, the layer's
name and level, and an optional population CSV to join. Filled with the guesses the
import would make on its own, so Enter accepts a standard ONS file as it is."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from models.catalogue.records import LEVELS
from models.errors import CatalogueError, plural
from models.formats.boundary_import import SourceInfo, check_vintage, suggest_layer, vintage
from models.formats.numbers_csv import csv_columns
from ui.files.welcome import ONS_NOTE

_NONE = "(none)"


class BoundaryImportDialog(QDialog):
    def __init__(self, path: Path, info: SourceInfo, parent=None, folder: str = ""):
        super().__init__(parent)
        self.setWindowTitle(f"Import boundaries from {path.name}")
        self.setMinimumWidth(520)
        self._path, self._folder = path, folder
        form = QFormLayout(self)
        form.addRow(QLabel(f"{plural(info.count, 'feature')} · CRS {info.crs or 'unknown'}"))
        self.code = self._fields(info.fields, info.code_field, optional=False)
        self.name_field = self._fields(info.fields, info.name_field, optional=False)
        self.parent_field = self._fields(info.fields, info.parent_field, optional=True)
        self.code.setToolTip("The field with each unit's unique code (e.g. WD20CD)")
        self.parent_field.setToolTip("The code of the unit's borough or district (e.g. LAD20CD)")
        form.addRow("&Code field", self.code)
        form.addRow("N&ame field", self.name_field)
        form.addRow("&Parent field", self.parent_field)
        name, level = suggest_layer(info.code_field, path)
        self.layer_name = QLineEdit(name)
        self.level = QComboBox()
        self.level.addItems(LEVELS)
        self.level.setCurrentText(level)
        form.addRow("Layer &name", self.layer_name)
        form.addRow("&Level", self.level)
        # The year the boundaries are of: with two vintages of one level loaded, the map's
        # year and re-basing must know which is which.
        self.vintage = QLineEdit(vintage(info.code_field), placeholderText="the year, e.g. 2022")
        self.vintage.setObjectName("boundaryVintage")
        self.vintage.setToolTip("The boundaries' vintage: found in ONS field names (WD22CD is 2022)")
        form.addRow("&Vintage (year)", self.vintage)
        self.population = QLineEdit(placeholderText="optional: a CSV of values keyed by unit code")
        self.population.setReadOnly(True)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_population)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.population, 1)
        line.addWidget(browse)
        form.addRow("P&opulation CSV", row)
        self.population_field = QComboBox()
        self.population_field.setEnabled(False)
        form.addRow("Population &column", self.population_field)
        self.error = QLabel()
        self.error.setStyleSheet("color: #B00020")
        form.addRow(self.error)
        self.where = QLabel(ONS_NOTE)   # where the next file can come from
        self.where.setWordWrap(True)
        self.where.setEnabled(False)
        form.addRow(self.where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        for combo in (self.code, self.name_field):
            combo.currentTextChanged.connect(self._check)
        self.layer_name.textChanged.connect(self._check)
        self.vintage.textChanged.connect(self._check)
        self._check()

    @staticmethod
    def _fields(fields: list[str], chosen: str | None, optional: bool) -> QComboBox:
        combo = QComboBox()
        combo.addItems(([_NONE] if optional else []) + fields)
        combo.setCurrentText(chosen or (_NONE if optional else ""))
        if not chosen and not optional:
            combo.setCurrentIndex(-1)
        return combo

    def _check(self) -> None:
        problem = ("choose the field with the codes" if not self.code.currentText() else
                   "choose the field with the names" if not self.name_field.currentText() else
                   "the layer needs a name" if not self.layer_name.text().strip() else
                   "give the year of these boundaries (their vintage)" if not self.vintage.text().strip()
                   else _vintage_problem(self.vintage.text()))
        self.error.setText(problem)
        self._ok.setEnabled(not problem)

    def _choose_population(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Population CSV", self._folder,
                                                "CSV (*.csv);;All files (*)")
        if chosen:
            self.set_population(Path(chosen))

    def set_population(self, path: Path) -> None:
        try:
            columns = csv_columns(path)
        except CatalogueError as e:
            self.error.setText(str(e))
            return
        self.population.setText(str(path))
        self.population_field.clear()
        self.population_field.addItems(columns)
        self.population_field.setEnabled(True)
        if "population" in columns:
            self.population_field.setCurrentText("population")

    def options(self) -> dict:
        """Keyword arguments for models.formats.boundary_import.import_boundaries."""
        parent = self.parent_field.currentText()
        options = dict(code_field=self.code.currentText(), name_field=self.name_field.currentText(),
                       parent_field=None if parent == _NONE else parent,
                       name=self.layer_name.text().strip(), level=self.level.currentText(),
                       vintage=self.vintage.text().strip(), require_vintage=True)
        if self.population.text():
            options.update(population=Path(self.population.text()),
                           population_field=self.population_field.currentText())
        return options


def _vintage_problem(text: str) -> str:
    try:
        check_vintage(text)
    except CatalogueError as e:
        return str(e)
    return ""
