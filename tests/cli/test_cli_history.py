"""`history` and `--author`: who did what, from the command line."""
import json

from models.catalogue import Catalogue
from tests.helpers.catalogues import file_digest, small_catalogue
from tests.helpers.cli import run

CSV = "name,kind,members\nHarrow Waste Partnership,other,Barnet; Brent\n"


def _small(tmp_path):
    path = tmp_path / "small.gpkg"
    with Catalogue.create(path) as cat:
        cat.store.author = "Builder"
        small_catalogue(cat)
    return path


def test_an_import_is_one_entry_by_the_author_given(tmp_path, capsys, monkeypatch):
    path = _small(tmp_path)
    (tmp_path / "more.csv").write_text(CSV)
    monkeypatch.setenv("ATLAS_AUTHOR", "From the environment")
    assert run(capsys, "import-partnerships", path, tmp_path / "more.csv", "--author", "Ada")[0] == 0
    code, out, _ = run(capsys, "history", path, "--format", "json", "--limit", "1")
    (entry,) = json.loads(out)
    assert (entry["author"], entry["kind"], entry["name"]) == ("Ada", "import", "import-partnerships more.csv")
    tables = sorted(c["table"] for c in entry["changes"])
    assert tables == ["memberships", "memberships", "partnerships"]
    added = next(c for c in entry["changes"] if c["table"] == "partnerships")
    assert added["op"] == "I" and added["new"]["name"] == "Harrow Waste Partnership"
    assert added["new"]["changed_by"] == "Ada"
    # Without --author: $ATLAS_AUTHOR.
    (tmp_path / "again.csv").write_text(CSV.replace("Harrow Waste", "Hillingdon"))
    run(capsys, "import-partnerships", path, tmp_path / "again.csv")
    code, out, _ = run(capsys, "history", path, "--limit", "1")
    assert "From the environment" in out and "import-partnerships again.csv" in out


def test_history_of_one_record_by_name_or_uuid(tmp_path, capsys):
    path = _small(tmp_path)
    with Catalogue.open(path) as cat:
        cat.partnerships.delete(cat.partnerships.find("North Waste Board").id)
    code, out, _ = run(capsys, "history", path, "--record", "north waste board", "--format", "json")
    assert code == 0
    removed, added = json.loads(out)
    assert [c["op"] for c in added["changes"]][0] == "I" and removed["changes"][0]["op"] == "D"
    uuid = added["changes"][0]["uuid"]
    code, out, _ = run(capsys, "history", path, "--record", uuid)
    assert code == 0 and out.splitlines()[-1] == "2 entries"
    assert "removed partnership 'North Waste Board'" in out


def test_history_refuses_an_unknown_record_and_a_bad_limit_and_writes_nothing(tmp_path, capsys):
    path = _small(tmp_path)
    before = file_digest(path)
    code, _, err = run(capsys, "history", path, "--record", "Nowhere Partnership")
    assert code == 2 and err == "error: no record called 'Nowhere Partnership' now or in the history\n"
    code, _, err = run(capsys, "history", path, "--limit", "0")
    assert code == 2 and err.count("\n") == 1
    assert file_digest(path) == before
