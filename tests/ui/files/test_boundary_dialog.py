"""The boundary import dialog: the import's own guesses shown, population joined when chosen."""
from PySide6.QtWidgets import QDialogButtonBox

from models.errors import CatalogueError
from models.formats.boundary_import import describe
from tests.helpers.grid import write_grid_geojson
from ui.files.boundary_dialog import BoundaryImportDialog


def test_dialog_shows_guesses_and_joins_population(qtbot, tmp_path, cat):
    grid = write_grid_geojson(tmp_path / "grid.geojson")
    dialog = BoundaryImportDialog(grid, describe(grid))
    qtbot.addWidget(dialog)
    assert (dialog.code.currentText(), dialog.name_field.currentText(),
            dialog.parent_field.currentText()) == ("WD20CD", "WD20NM", "LAD20CD")
    assert (dialog.layer_name.text(), dialog.level.currentText()) == ("Wards 2020", "ward")
    assert dialog.vintage.text() == "2020"   # from WD20CD
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.layer_name.setText("")
    assert not ok.isEnabled() and "needs a name" in dialog.error.text()
    dialog.layer_name.setText("Grid")
    csv = tmp_path / "pop.csv"
    csv.write_text("WD20CD,people\nW00,120\nW01,80\n")
    dialog.set_population(csv)
    assert dialog.population_field.currentText() == "WD20CD"  # no 'population' column: choose
    dialog.population_field.setCurrentText("people")

    from models.formats.boundary_import import import_boundaries
    revert, _ = import_boundaries(cat, grid, **dialog.options())
    pops = {u.code: u.population for u in cat.layers.units(revert.id)}
    assert cat.layers.get(revert.id).name == "Grid" and pops["W00"] == 120 and pops["W10"] is None
    assert cat.layers.get(revert.id).vintage == "2020"


def test_unrecognised_fields_must_be_chosen(qtbot, tmp_path):
    import json
    path = tmp_path / "plain.geojson"
    ring = [[530000, 180000], [530100, 180000], [530100, 180100], [530000, 180000]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "A", "label": "Alpha"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    dialog = BoundaryImportDialog(path, describe(path))
    qtbot.addWidget(dialog)
    assert dialog.code.currentText() == "" and "codes" in dialog.error.text()
    dialog.code.setCurrentText("id")
    dialog.name_field.setCurrentText("label")
    # No year in the field names: the vintage is asked for, typed as a person would.
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert "vintage" in dialog.error.text() and not ok.isEnabled()
    qtbot.keyClicks(dialog.vintage, "20x1")
    assert "is not a vintage" in dialog.error.text() and not ok.isEnabled()
    dialog.vintage.clear()
    qtbot.keyClicks(dialog.vintage, "2021")
    assert dialog.error.text() == "" and ok.isEnabled()
    assert dialog.options()["code_field"] == "id" and dialog.options()["vintage"] == "2021"


def test_describe_refuses_what_is_not_geodata(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("hello")
    try:
        describe(path)
    except CatalogueError as e:
        assert str(e).startswith("cannot read x.geojson")
    else:
        raise AssertionError("no error")
