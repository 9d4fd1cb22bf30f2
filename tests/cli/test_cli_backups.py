"""CLI edits take the same daily backup as the GUI, in the user's data folder; reads take none."""
import sys
from pathlib import Path

import pytest

from models.catalogue import Catalogue
from models.storage import paths, schema
from models.storage.backups import Backups
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run
from tests.helpers.home import private_home

PARTNERSHIPS = "name,kind,start,members\nWest London Alliance,sub-regional partnership,1997,Brent; Ealing\n"
MORE = "name,kind,start,members\nNorth West London Alliance,sub-regional partnership,2001,Barnet\n"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """User data under tmp_path (paths reads the environment when called); returns the backups folder."""
    for name, value in private_home(tmp_path).items():
        monkeypatch.setenv(name, value)
    folder = paths.backups_folder()
    assert tmp_path in folder.parents
    if sys.platform.startswith("linux"):
        assert folder == tmp_path / "home" / "data" / "Partnership Atlas" / "Backups"
    return folder


def backup_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.gpkg")) if folder.exists() else []


@pytest.fixture
def catalogue(tmp_path, capsys) -> Path:
    path = tmp_path / "c.gpkg"
    assert run(capsys, "new", path)[0] == 0
    return path


def test_a_cli_edit_takes_the_daily_backup_once(home, catalogue, tmp_path, capsys):
    assert backup_files(home) == [], "creating a new file has nothing to back up"
    csv = tmp_path / "p.csv"
    csv.write_text(PARTNERSHIPS)
    code, _, err = run(capsys, "import-partnerships", catalogue, csv)
    assert code == 0 and err == ""
    taken = backup_files(home)
    assert len(taken) == 1 and taken[0].name.endswith(" daily.gpkg")
    assert [b.path for b in Backups(home).list(catalogue)] == taken
    with Catalogue.open(taken[0], read_only=True) as before:
        assert before.partnerships.all() == [], "the backup holds the file as it was before the edit"
    csv.write_text(MORE)
    assert run(capsys, "import-partnerships", catalogue, csv)[0] == 0
    assert backup_files(home) == taken, "a second edit the same day takes no second backup"


def test_example_backs_up_an_existing_file_not_a_new_one(home, tmp_path, capsys):
    path = tmp_path / "example.gpkg"
    assert run(capsys, "example", path)[0] == 0
    assert backup_files(home) == []
    path.unlink()
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "example", path)[0] == 0
    assert len(Backups(home).list(path)) == 1


def test_import_boundaries_is_backed_up(home, catalogue, grid_geojson, capsys):
    assert run(capsys, "import-boundaries", catalogue, grid_geojson, "--level", "ward")[0] == 0
    assert len(Backups(home).list(catalogue)) == 1


def test_read_only_commands_take_no_backup(home, tmp_path, capsys):
    path = tmp_path / "example.gpkg"
    run(capsys, "example", path)            # a new file: no backup either
    digest = file_digest(path)
    for argv in (["list", path], ["list", path, "--json"], ["overlaps", path], ["check", path],
                 ["export", path, tmp_path / "out.csv"]):
        assert run(capsys, *argv)[0] == 0, argv
    assert not home.exists() and file_digest(path) == digest


def test_a_schema_upgrade_from_the_cli_is_backed_up_first(home, catalogue, tmp_path, capsys, monkeypatch):
    def migration_next(conn):
        conn.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    following = len(schema.MIGRATIONS) + 1
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, migration_next))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", following)
    csv = tmp_path / "p.csv"
    csv.write_text(PARTNERSHIPS)
    assert run(capsys, "import-partnerships", catalogue, csv)[0] == 0
    assert [b.reason for b in Backups(home).list(catalogue)] == [f"before migration to schema {following}"]


def test_a_backup_that_cannot_be_taken_is_a_warning(home, catalogue, tmp_path, capsys):
    home.parent.mkdir(parents=True)
    home.write_text("a file where the backups folder should be")
    csv = tmp_path / "p.csv"
    csv.write_text(PARTNERSHIPS)
    code, out, err = run(capsys, "import-partnerships", catalogue, csv)
    assert code == 0 and out.splitlines()[-1] == "imported 1 partnership"
    assert err.startswith("warning: Could not back up c.gpkg into ") and err.count("\n") == 1
    with Catalogue.open(catalogue, read_only=True) as cat:
        assert len(cat.partnerships.all()) == 1
