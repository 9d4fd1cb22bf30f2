"""`publish` and `pull` from the command line, against the throwaway server."""
from __future__ import annotations

from models.catalogue import Catalogue
from tests.helpers.catalogues import file_digest
from tests.helpers.cli import run
from tests.server.content import content


def test_publish_then_pull_gives_the_same_catalogue(grid, server, tmp_path, capsys):
    cluster, db, owner, password = server
    cat, _, _ = grid
    path = cat.store.path
    expected = content(cat)
    cat.close()
    url = cluster.url(owner, password, db)
    code, out, err = run(capsys, "publish", path, url, "--schema", "team")
    assert (code, err) == (0, "")
    assert out.startswith(f"published {path} to schema team: ") and "deleted" in out
    assert password not in out
    code, out, _ = run(capsys, "publish", path, url, "--schema", "team")
    assert "0 rows added, 0 changed, 0 deleted" in out
    code, out, err = run(capsys, "pull", tmp_path / "back.gpkg", url, "--schema", "team")
    assert (code, err) == (0, "")
    with Catalogue.open(tmp_path / "back.gpkg") as back:
        assert content(back) == expected


def test_errors_are_one_line_and_write_nothing(grid, server, tmp_path, capsys):
    cluster, db, owner, password = server
    cat, _, _ = grid
    path = cat.store.path
    cat.close()
    digest = file_digest(path)
    code, out, err = run(capsys, "publish", path, cluster.url(owner, "nope-secret", db))
    assert code == 2 and err.count("\n") == 1 and "refused the password" in err and "nope-secret" not in err
    code, out, err = run(capsys, "pull", path, cluster.url(owner, password, db))
    assert code == 2 and "has no catalogue in schema 'atlas'" in err
    code, out, err = run(capsys, "pull", tmp_path / "new.gpkg", cluster.url(owner, password, db), "--schema", "nobody")
    assert code == 2 and "has no catalogue in schema 'nobody'" in err and password not in err
    assert not (tmp_path / "new.gpkg").exists()
    assert file_digest(path) == digest
