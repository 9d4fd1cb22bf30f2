"""The CLI: every command documented, exit codes, one-line errors, the example end to end."""
import json
import subprocess
import sys

import pyogrio
import pytest

import cli
from models.catalogue import Catalogue
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS, ROOT
from tests.helpers.home import private_home


def test_every_command_has_help_and_is_in_the_readme(capsys):
    readme = (ROOT / "README.md").read_text()
    for command in cli.command_names():
        with pytest.raises(SystemExit) as info:
            cli.main([command, "--help"])
        assert info.value.code == 0
        assert f"main.py {command}" in readme, f"README does not document '{command}'"
    assert "usage" in capsys.readouterr().out


def test_the_commands_are_the_parsers_choices():
    assert cli.command_names() == ("new", "import-boundaries", "import-partnerships", "example", "list",
                                   "search", "where", "shared", "coverage", "area", "overlaps", "coterminosity",
                                   "import-references", "network", "export",
                                   "report", "import-sources", "rebase", "merge", "check", "consistency", "publish",
                                   "pull", "history")
    assert all(cli.is_command(c) for c in cli.command_names())
    assert not any(cli.is_command(w) for w in ("catalogue.gpkg", "--help", "-h", "", "List"))


def test_new_and_bad_input_exit_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "c.gpkg"
    assert run(capsys, "new", path)[0] == 0
    digest = file_digest(path)
    for argv in (["new", path], ["import-boundaries", path, tmp_path / "missing.geojson"],
                 ["list", tmp_path / "missing.gpkg"], ["list"], ["frobnicate"],
                 ["export", path, tmp_path / "out.txt"], ["overlaps", path, "--by", "colour"],
                 ["overlaps", path, "--as-of", "2008-13"]):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert err.startswith("error: ") and err.count("\n") == 1, (argv, err)
    assert file_digest(path) == digest


def test_check_finds_a_dangling_reference(capsys, tmp_path):
    import sqlite3
    path = tmp_path / "c.gpkg"
    run(capsys, "example", path)
    assert run(capsys, "check", path)[0] == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("UPDATE memberships SET organisation_id=9999 WHERE id=1")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "dangling reference: memberships" in out


def test_check_names_a_trigger_another_program_added(capsys, tmp_path):
    from bench.reliability.hostile import trigger_deleting_on_insert
    path = tmp_path / "h.gpkg"
    trigger_deleting_on_insert(path)
    digest = file_digest(path)
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "foreign: trigger 'tidy' was not created by Partnership Atlas" in out
    assert file_digest(path) == digest


def test_example_over_london_wards_end_to_end(capsys, tmp_path):
    path = tmp_path / "example.gpkg"
    code, out, _ = run(capsys, "example", path, "--boundaries", LONDON_WARDS, "--population", LONDON_POPULATION)
    assert code == 0 and "32 partnerships" in out
    code, out, _ = run(capsys, "list", path, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    wla = rows["West London Alliance"]
    assert set(wla) >= {"name", "kind", "status", "start", "end", "members", "areas"}
    assert len(wla["members"]) == 6 and wla["areas"] == ["West London Alliance"]
    assert rows["Northumbria 101"]["end"] == "2008-03-31"
    assert run(capsys, "check", path)[0] == 0

    out_gpkg = tmp_path / "wla.gpkg"
    assert run(capsys, "export", path, out_gpkg, "--partnership", "West London Alliance")[0] == 0
    layers = dict(pyogrio.list_layers(out_gpkg))
    assert layers["areas"] == "MultiPolygon"
    meta, _, geoms, fields = pyogrio.raw.read(out_gpkg, layer="partnerships")
    assert list(dict(zip(meta["fields"], fields))["name"]) == ["West London Alliance"]
    assert run(capsys, "check", out_gpkg)[0] == 0

    gj = tmp_path / "areas.geojson"
    assert run(capsys, "export", path, gj)[0] == 0
    features = json.loads(gj.read_text())["features"]
    west = next(f for f in features if f["properties"]["partnership"] == "West London Alliance")
    lon, lat = west["geometry"]["coordinates"][0][0][0]
    assert -0.6 < lon < 0 and 51.3 < lat < 51.7  # WGS84 lon/lat, west London

    csv_out = tmp_path / "p.csv"
    assert run(capsys, "export", path, csv_out)[0] == 0
    assert csv_out.read_text().count("\n") > 32


def test_main_py_runs_the_cli(tmp_path):
    import os
    env = dict(os.environ, **private_home(tmp_path))
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "new", str(tmp_path / "x.gpkg")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0 and (tmp_path / "x.gpkg").exists()
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "no-such-thing"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 2 and result.stderr.startswith("error:")


def test_import_partnerships_all_or_nothing(capsys, tmp_path):
    from models.catalogue import Catalogue
    from tests.helpers.catalogues import snapshot
    path = tmp_path / "c.gpkg"
    run(capsys, "new", path)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,start,members\nWest London Alliance,sub-regional partnership,1997,Brent; Ealing\n"
                   "Broken,no such kind,2008-13-40,Brent\n")
    with Catalogue.open(path) as cat:
        before = snapshot(cat)
    code, out, err = run(capsys, "import-partnerships", path, bad)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith("row 3:") and lines[-1].startswith("error: ") and "nothing was imported" in err
    with Catalogue.open(path) as cat:
        assert snapshot(cat) == before
    good = tmp_path / "good.csv"
    good.write_text("name,kind,start,members\nWest London Alliance,sub-regional partnership,1997,Brent; Ealing\n")
    code, out, _ = run(capsys, "import-partnerships", path, good)
    assert code == 0 and out.splitlines()[-1] == "imported 1 partnership"
    code, out, _ = run(capsys, "list", path, "--json")
    assert json.loads(out)[0]["members"] == ["Brent", "Ealing"]


def test_overlaps_command_formats(capsys, tmp_path):
    path = tmp_path / "example.gpkg"
    run(capsys, "example", path, "--boundaries", LONDON_WARDS, "--population", LONDON_POPULATION)
    code, out, _ = run(capsys, "overlaps", path, "--format", "json")
    pairs = json.loads(out)
    n = 17  # areas in the example over London wards
    assert code == 0 and len(pairs) == n * (n - 1) // 2
    assert set(pairs[0]) == {"a", "b", "by", "shared", "jaccard", "a_in_b", "b_in_a"}
    olympic_nlwa = [p for p in pairs if {p["a"], p["b"]} == {"North London Waste Authority",
                                                              "Olympic host boroughs Joint Borough Central Unit"}]
    assert olympic_nlwa[0]["shared"] == 41  # Hackney (21) and Waltham Forest (20) wards
    code, out, _ = run(capsys, "overlaps", path, "--by", "members", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "a,b,by,shared,jaccard,a_in_b,b_in_a"
    code, out, _ = run(capsys, "overlaps", path, "--by", "population")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "shared people between 17 areas (the diagonal is each one's own size)"
    assert len(lines[1].split()) == 17 and "pairs overlap" in lines[-1]
    nlwa = next(line for line in lines if line.endswith("North London Waste Authority"))
    row = lines[1 + int(nlwa.split()[0])].split()
    assert row[0] == nlwa.split()[0] and "2,084,463" in row  # its own population on the diagonal


def test_example_without_boundaries_uses_londons_shipped_layers(capsys, tmp_path):
    path = tmp_path / "example.gpkg"
    code, out, err = run(capsys, "example", path)
    assert code == 0 and err == ""
    assert out.strip().endswith("32 partnerships, 51 organisations, 17 areas")
    with Catalogue.open(path) as cat:
        layers = {layer.name: layer for layer in cat.layers.all()}
        assert {n: (layers[n].level, layers[n].vintage) for n in layers} == {
            "London wards 2020": ("ward", "2020"), "London wards 2022": ("ward", "2022"),
            "London boroughs 2020": ("borough", "2020")}
        assert "Contains OS data © Crown copyright and database right 2022" in layers["London wards 2022"].licence
        assert {a.layer_id for a in cat.areas.all(outlines=False)} == {layers["London wards 2020"].id}
    code, out, _ = run(capsys, "check", path)
    assert code == 0


def test_example_population_without_boundaries_is_refused(capsys, tmp_path):
    path = tmp_path / "example.gpkg"
    code, _, err = run(capsys, "example", path, "--population", LONDON_POPULATION)
    assert code == 2 and err == "error: --population needs --boundaries (the shipped London wards have theirs)\n"
    assert not path.exists()
    code, out, _ = run(capsys, "example", path, "--no-boundaries")
    assert code == 0 and out.strip().endswith(", 0 areas")
    with Catalogue.open(path) as cat:
        assert cat.layers.all() == []
