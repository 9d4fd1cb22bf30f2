"""`rebase` and `import-boundaries --vintage` from the command line."""
import json
import shutil

import pytest

from models.catalogue import Catalogue
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run


@pytest.fixture
def example(london_example_file, tmp_path):
    path = tmp_path / "example.gpkg"
    shutil.copy(london_example_file, path)
    return path


def test_dry_run_lists_every_area_and_writes_nothing(capsys, example):
    digest = file_digest(example)
    code, out, err = run(capsys, "rebase", example, "--to", "London wards 2022", "--format", "json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    with Catalogue.open(example, read_only=True) as cat:
        on_2020 = [a.name for a in cat.areas.all(outlines=False)
                   if a.layer_id == cat.layers.find("London wards 2020").id]
    assert [r["area"] for r in rows] == on_2020
    assert set(rows[0]) == {"area", "from_layer", "to_layer", "rule", "units_before", "units_after",
                            "km2_before", "km2_after", "covered_share", "review"}
    london = next(r for r in rows if r["area"] == "London Connects")
    # London Connects follows its members (all 33 boroughs): re-derived on every 2022 ward.
    assert (london["units_before"], london["units_after"], london["rule"]) == (657, 704, "derived")
    assert london["km2_after"] == pytest.approx(london["km2_before"], rel=0.01)
    assert file_digest(example) == digest
    code, out, _ = run(capsys, "rebase", example, "--to", "London wards 2022")
    assert code == 0 and "dry run" in out


def test_apply_one_area_then_list_says_its_vintage(capsys, example):
    code, out, _ = run(capsys, "rebase", example, "--to", "London wards 2022", "--area",
                       "West London Alliance", "--rule", "within", "--apply", "--format", "json")
    assert code == 0 and [r["area"] for r in json.loads(out)] == ["West London Alliance"]
    code, out, _ = run(capsys, "list", example, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["West London Alliance"]["area_vintages"] == [
        {"area": "West London Alliance", "layer": "London wards 2022", "vintage": "2022"}]
    assert rows["London Connects"]["area_vintages"][0]["vintage"] == "2020"


@pytest.mark.parametrize("argv, message", [
    (["--to", "London boroughs 2020"], "cannot re-base from a ward layer"),
    (["--to", "London wards 2022", "--area", "Nowhere"], "no area called 'Nowhere'"),
    (["--to", "Wards 1999"], "no boundary layer called 'Wards 1999'"),
    (["--to", "London wards 2022", "--rule", "nearest"], "invalid choice"),
])
def test_bad_input_exit_2_one_line_file_unchanged(capsys, example, argv, message):
    digest = file_digest(example)
    code, out, err = run(capsys, "rebase", example, *argv, "--apply")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert file_digest(example) == digest


def test_import_without_a_vintage_names_the_option(capsys, tmp_path, grid_geojson):
    path = tmp_path / "c.gpkg"
    run(capsys, "new", path)
    digest = file_digest(path)
    # Field names that say no year: the ONS ones renamed.
    source = tmp_path / "plain.geojson"
    source.write_text(grid_geojson.read_text().replace('"WD20CD"', '"code"').replace('"WD20NM"', '"name"')
                      .replace('"LAD20CD"', '"borough"'))
    fields = ["--code-field", "code", "--name-field", "name", "--level", "ward"]
    code, _, err = run(capsys, "import-boundaries", path, source, *fields)
    assert code == 2 and err.count("\n") == 1 and "--vintage YEAR" in err
    code, _, err = run(capsys, "import-boundaries", path, source, *fields, "--vintage", "20x2")
    assert code == 2 and "is not a vintage" in err
    assert file_digest(path) == digest
    code, out, _ = run(capsys, "import-boundaries", path, source, *fields, "--vintage", "2019")
    assert code == 0 and "ward 2019" in out
    with Catalogue.open(path, read_only=True) as cat:
        assert cat.layers.all()[0].vintage == "2019"
