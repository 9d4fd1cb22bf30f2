"""`import-references` and `coterminosity` from the command line: the pack, --list, the three
formats, and bad input (one line per problem, the file unchanged)."""
import json

from models.analysis.coterminosity import measure
from models.catalogue import Catalogue
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run


def test_pack_then_list_then_measure_agrees_with_the_model(capsys, london_example):
    code, out, err = run(capsys, "import-references", london_example, "--pack", "london")
    assert code == 0 and "added 'London ICBs 2022': 5 areas" in out
    code, out, _ = run(capsys, "coterminosity", london_example, "--list", "--format", "json")
    listed = json.loads(out)
    assert {"name": "London ICBs 2022", "areas": 5, "from": "2022-07-01", "to": None} in listed
    assert len(listed) == 3
    code, out, err = run(capsys, "coterminosity", london_example, "--layer", "icb", "--format", "json")
    assert code == 0 and err == ""
    got = json.loads(out)
    assert (got["layer"], got["by"]) == ("London ICBs 2022", "units")
    with Catalogue.open(london_example, read_only=True) as cat:
        model = measure(cat, "London ICBs 2022")
    assert [(s["area"], s["category"]) for s in got["summary"]] == [(s.area, s.category) for s in model.summary]
    wla = next(s for s in got["summary"] if s["area"] == "West London Alliance")
    assert (wla["category"], wla["best"]) == ("nested", "NHS North West London")
    code, out, _ = run(capsys, "coterminosity", london_example, "--layer", "icb")
    assert code == 0 and "relative nesting index" in out and "West London Alliance" in out
    code, out, _ = run(capsys, "coterminosity", london_example, "--layer", "police", "--format", "csv")
    assert out.splitlines()[0] == "area,reference,a_in_b,b_in_a,jaccard,category,split_into"
    code, out, _ = run(capsys, "coterminosity", london_example, "--layer", "sub-regional", "--by", "population",
                       "--as-of", "2021", "--format", "json")
    assert code == 0 and json.loads(out)["wards"] == "London wards 2020"   # the vintage in force in 2021
    code, out, err = run(capsys, "coterminosity", london_example, "--layer", "icb", "--as-of", "2015")
    assert code == 0 and err == "warning: 'London ICBs 2022' was not yet in force in 2015 (from 2022-07-01)\n"


def test_unknown_and_ambiguous_layer_and_estimated_populations(capsys, london_example):
    run(capsys, "import-references", london_example, "--pack", "london")
    code, _, err = run(capsys, "coterminosity", london_example, "--layer", "london")
    assert code == 2 and err.startswith("error: 'london' is ambiguous: London ICBs 2022")
    code, _, err = run(capsys, "coterminosity", london_example, "--layer", "fire")
    assert code == 2 and "unknown reference geography 'fire'" in err
    # The 2022 wards ship without people: they are estimated from the 2020 wards', and it is said.
    code, out, err = run(capsys, "coterminosity", london_example, "--layer", "icb", "--by", "population",
                         "--format", "json")
    assert code == 0 and err.startswith("warning: people on 'London wards 2022' are estimated from "
                                        "'London wards 2020'")
    assert json.loads(out)["warnings"][0].startswith("people on 'London wards 2022'")


def test_bad_csv_one_line_per_problem_and_file_unchanged(capsys, london_example, tmp_path):
    bad = tmp_path / "fire.csv"
    bad.write_text("area,code,authorities\nNorth,,E09000003;E09000099\nNorth,,E09000007\nEast,,\n")
    digest = file_digest(london_example)
    code, out, err = run(capsys, "import-references", london_example, bad)
    assert code == 2 and out == ""
    assert err.splitlines() == ["error: area 'North': unknown authority code 'E09000099'",
                                "error: area 'North' appears more than once",
                                "error: area 'East' has no authorities",
                                "error: nothing was written"]
    assert file_digest(london_example) == digest


def test_outside_the_loaded_wards_is_a_message(capsys, london_example, tmp_path):
    with Catalogue.open(london_example) as cat:   # a body known by its code whose wards are not loaded
        from models.catalogue.records import Organisation
        cat.organisations.add(Organisation("Surrey County Council", kind="local authority", gss_code="E10000030"))
    csv = tmp_path / "surrey.csv"
    csv.write_text("area,code,authorities\nSurrey Police,E23000035,E10000030\n")
    code, out, _ = run(capsys, "import-references", london_example, csv, "--name", "Surrey police")
    assert code == 0
    code, out, err = run(capsys, "coterminosity", london_example, "--layer", "surrey")
    assert code == 2 and out == "" and "'Surrey police' lies outside the loaded wards" in err


def test_boundary_file_overlaps_refused_then_declared(capsys, london_example, tmp_path):
    x, y = 525000, 175000   # central London, British National Grid
    features = [{"type": "Feature", "properties": {"code": f"Z{k}", "name": f"Zone {k}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[x0, y], [x0 + 6000, y], [x0 + 6000, y + 6000],
                                                                  [x0, y + 6000], [x0, y]]]}}
                for k, x0 in enumerate((x, x + 3000))]
    zones = tmp_path / "zones.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}}))
    digest = file_digest(london_example)
    code, out, err = run(capsys, "import-references", london_example, zones, "--code-field", "code",
                         "--name-field", "name")
    assert code == 2 and err.splitlines()[0].startswith("error: areas 'Zone 0' and 'Zone 1' overlap")
    assert file_digest(london_example) == digest
    code, out, err = run(capsys, "import-references", london_example, zones, "--code-field", "code",
                         "--name-field", "name", "--not-partitioning", "--name", "Zones")
    assert code == 0 and out == "added 'Zones': 2 areas\n"
    code, out, err = run(capsys, "coterminosity", london_example, "--layer", "zones", "--format", "json")
    assert code == 0 and {p["reference"] for p in json.loads(out)["pairs"]} == {"Zone 0", "Zone 1"}
