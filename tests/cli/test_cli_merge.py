"""`merge FILE OTHER [--dry-run] [--prefer mine|theirs] [--format json]`."""
import json

from models.catalogue import Catalogue
from tests.catalogue.test_merge import copies, edit_a, edit_b
from tests.helpers.catalogues import file_digest, snapshot
from tests.helpers.cli import run


def _edited(tmp_path):
    a, b = copies(tmp_path)
    with Catalogue.open(a) as cat:
        edit_a(cat)
    with Catalogue.open(b) as cat:
        edit_b(cat)
    return a, b


def test_dry_run_writes_nothing_and_reports_as_the_issue_says(capsys, tmp_path):
    a, b = _edited(tmp_path)
    digests = file_digest(a), file_digest(b)
    code, out, err = run(capsys, "merge", a, b, "--dry-run", "--format", "json")
    assert code == 0, err
    assert (file_digest(a), file_digest(b)) == digests
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg", "b.gpkg", "base.gpkg"]
    report = json.loads(out)
    assert set(report) == {"added", "changed", "conflicts", "matched"}
    assert report["added"]["partnerships"] == 1
    for c in report["conflicts"]:
        assert set(c) == {"table", "id", "field", "mine", "theirs", "resolved"} and c["resolved"] is None
    assert {c["field"] for c in report["conflicts"]} == {"governance", "(record)"}


def test_conflicts_without_prefer_write_nothing(capsys, tmp_path):
    a, b = _edited(tmp_path)
    digest = file_digest(a)
    code, out, err = run(capsys, "merge", a, b)
    assert code == 2 and err.startswith("error: 2 conflicts") and err.count("\n") == 1
    with Catalogue.open(a, read_only=True) as cat:
        assert cat.partnerships.find("B's new alliance") is None
    assert file_digest(a) == digest


def test_prefer_theirs_merges_and_again_changes_nothing(capsys, tmp_path):
    a, b = _edited(tmp_path)
    code, out, err = run(capsys, "merge", a, b, "--prefer", "theirs", "--author", "Ada Researcher")
    assert code == 0, err
    assert "merged b.gpkg into a.gpkg" in out and "conflict: partnerships" in out
    with Catalogue.open(a) as cat:
        entry = cat.history.entries(limit=1)[0]
        assert (entry.kind, entry.name, entry.author) == ("merge", "Merge b.gpkg", "Ada Researcher")
        assert cat.partnerships.find("B's new alliance") is not None
        assert cat.partnerships.find("South London Waste Partnership").governance == "Joint waste committee (B)"
        before = snapshot(cat)
    code, out, _ = run(capsys, "merge", a, b, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"added": {}, "changed": {}, "conflicts": [], "matched": []}
    with Catalogue.open(a) as cat:
        assert snapshot(cat) == before
    assert run(capsys, "check", a)[0] == 0


def test_merging_a_file_into_itself_is_one_line(capsys, tmp_path):
    a, _ = _edited(tmp_path)
    code, _, err = run(capsys, "merge", a, a)
    assert code == 2 and "itself" in err and err.count("\n") == 1
