"""`list --as-of` and `overlaps --as-of` on the example: states from dates and from evidence."""
import json

import pytest

import cli
from tests.helpers.cli import run


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = tmp_path_factory.mktemp("as_of") / "example.gpkg"
    assert cli.main(["example", str(path), "--no-boundaries"]) == 0
    return path


def _listed(capsys, *argv):
    code, out, err = run(capsys, "list", *argv, "--json")
    assert code == 0, err
    return {r["name"]: r for r in json.loads(out)}


def test_list_as_of_1990_shows_nothing_of_the_2000s_as_active_or_attested(capsys, example):
    everything = _listed(capsys, example)
    assert len(everything) == 32 and all("as_of" not in r for r in everything.values())
    assert _listed(capsys, example, "--as-of", "1990") == {}
    with_unknown = _listed(capsys, example, "--as-of", "1990", "--include-unknown")
    assert {r["as_of"] for r in with_unknown.values()} == {"unknown"}
    # Undated ones are unknown then, not active; those dated after 1990 are inactive and left out.
    dated = {n for n, r in everything.items() if r["start"] or r["end"]}
    assert set(with_unknown) == set(everything) - dated
    assert with_unknown["Wigan Deal"]["as_of"] == "unknown"


def test_list_as_of_gives_each_state(capsys, example):
    rows = _listed(capsys, example, "--as-of", "2018", "--include-unknown")
    assert rows["Wigan Deal"]["as_of"] == "attested"          # cited by a source of 2018, no dates
    assert rows["Warwickshire Direct Partnership"]["as_of"] == "active"   # since 2003, still running
    assert "Northumbria 101" not in rows                       # 2006–2008: inactive, never listed
    assert {r["as_of"] for r in rows.values()} <= {"active", "attested", "unknown"}
    code, out, _ = run(capsys, "list", example, "--as-of", "2018")
    assert code == 0
    wigan = next(line for line in out.splitlines() if line.startswith("Wigan Deal"))
    assert " attested " in wigan
    assert "as of 2018" in out.splitlines()[0]
    assert out.splitlines()[-1].endswith("active or attested in 2018")


def test_overlaps_as_of_1990_does_not_count_the_wigan_deal(capsys, example):
    def pairs(*extra):
        code, out, err = run(capsys, "overlaps", example, "--by", "members", "--format", "json", *extra)
        assert code == 0, err
        return json.loads(out)
    assert not any("Wigan Deal" in (p["a"], p["b"]) for p in pairs("--as-of", "1990"))
    assert any("Wigan Deal" in (p["a"], p["b"]) for p in pairs("--as-of", "1990", "--include-unknown"))
    assert any("Wigan Deal" in (p["a"], p["b"]) for p in pairs("--as-of", "2018"))


def test_bad_as_of_is_one_line(capsys, example):
    code, out, err = run(capsys, "list", example, "--as-of", "spring")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and "as of" in err
