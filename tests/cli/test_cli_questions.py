"""The research questions from the command line, on the London example: each answer's figures
and sources against the ONS files and the facts from the seed reports (tests/helpers/questions)."""
import json

import pytest

from tests.helpers import questions as facts
from tests.helpers.cli import run
from tests.helpers.data import SEEDS

pytestmark = pytest.mark.skipif(not (SEEDS / "README.md").exists(), reason="the seed reports are not beside this checkout")

WLA = "West London Alliance"
TCES = "Transforming Community Equipment Services in London"


def _json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def _table(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def _sources_block(out: str) -> str:
    return out[out.index("\nSources:\n"):]


def test_where_a_borough_lists_its_partnerships_with_their_sources(capsys, london_example_file):
    code = next(c for c, n in facts.BOROUGHS.items() if n == "Brent")
    answer = _json(capsys, "where", london_example_file, "Brent")
    assert (answer["place"], answer["code"], answer["level"]) == ("Brent", code, "borough")
    expected = facts.covering_borough(code)
    assert {p["name"] for p in answer["partnerships"]} == expected
    for p in answer["partnerships"]:
        role = next(m["role"] for m in facts.members(p["name"]) if facts.CODES[m["organisation"]] == code)
        assert (p["via"], p["role"]) == ("member", role)
        assert facts.as_tuples(p["sources"]) == facts.cited(p["name"])
    assert facts.as_tuples(answer["sources"]) == facts.cited(*expected)
    assert {s["title"] for s in answer["sources"]} <= facts.seed_titles()
    # The same by GSS code and by a unique part of the name, and as a table with its sources.
    assert _json(capsys, "where", london_example_file, code) == answer
    out = _table(capsys, "where", london_example_file, code)
    assert out.startswith(f"Brent ({code}), a borough: {len(expected)} partnerships cover it")
    assert all(n in out for n in expected)
    block = _sources_block(out)
    assert all(title in block for title, _, _ in facts.cited(*expected))


def test_where_a_ward_goes_through_its_borough_and_areas(capsys, london_example_file):
    ward = next(f["properties"] for f in facts.WARDS if f["properties"]["LAD20NM"] == "Barnet")
    answer = _json(capsys, "where", london_example_file, ward["WD20CD"])
    assert (answer["place"], answer["code"], answer["level"]) == (ward["WD20NM"], ward["WD20CD"], "ward")
    assert {p["name"] for p in answer["partnerships"]} == facts.covering_borough(ward["LAD20CD"])
    assert "North London Waste Authority" in {p["name"] for p in answer["partnerships"]}


def test_shared_two_alliances(capsys, london_example_file):
    answer = _json(capsys, "shared", london_example_file, WLA, "transforming community")
    assert (answer["a"], answer["b"]) == (WLA, TCES)
    both = {m["organisation"] for m in facts.members(WLA)} & {m["organisation"] for m in facts.members(TCES)}
    assert set(answer["organisations"]) == both == {"Brent", "Harrow"}
    wards = facts.wards_of(facts.member_codes(WLA) & facts.member_codes(TCES))
    assert answer["wards"] == len(wards) and answer["people"] == facts.people(wards)
    for org, others in answer["also_in"].items():
        code = facts.CODES[org]
        assert set(others) == facts.covering_borough(code) - {WLA, TCES}
    assert facts.as_tuples(answer["sources"]) == facts.cited(WLA, TCES)
    out = _table(capsys, "shared", london_example_file, WLA, TCES)
    assert f"shared wards: {len(wards):,}   people in them: {facts.people(wards):,}" in out
    assert "Transforming London's Public Services" in _sources_block(out)


def test_coverage_names_the_boroughs_no_waste_partnership_covers(capsys, london_example_file):
    answer = _json(capsys, "coverage", london_example_file, "--policy-area", "waste")
    waste = [n for n, p in facts.PARTNERSHIPS.items() if "waste" in p["policy_areas"]]
    covered = set().union(*(facts.member_codes(n) for n in waste))
    assert covered   # the North London Waste Authority's seven boroughs
    assert sorted(answer["uncovered_boroughs"]) == sorted(n for c, n in facts.BOROUGHS.items() if c not in covered)
    by_code = {b["code"]: b for b in answer["boroughs"]}
    assert set(by_code) == set(facts.BOROUGHS)
    for code, b in by_code.items():
        assert b["wards"] == facts.WARDS_PER_BOROUGH[code]
        assert (b["count"], b["wards_covered"]) == ((1, b["wards"]) if code in covered else (0, 0))
    assert len(answer["wards"]) == len(facts.WARDS)
    assert sum(w["count"] for w in answer["wards"]) == len(facts.wards_of(covered))
    assert facts.as_tuples(answer["sources"]) == facts.cited("North London Waste Authority")
    out = _table(capsys, "coverage", london_example_file, "--policy-area", "waste")
    assert f"not covered ({len(facts.BOROUGHS) - len(covered)}): " in out
    assert "Chapter 3: Collaborative working - waste minimisation" in _sources_block(out)


def test_list_as_of_2008_against_2010(capsys, london_example_file):
    def listed(year):
        return {r["name"]: r for r in _json(capsys, "list", london_example_file, "--as-of", year)}
    then, later = listed("2008"), listed("2010")
    assert set(then) == {n for n in facts.PARTNERSHIPS if facts.active_in(n, 2008)}
    assert set(later) == {n for n in facts.PARTNERSHIPS if facts.active_in(n, 2010)}
    assert "Northumbria 101" in set(then) - set(later)   # ended 31 March 2008
    for name, row in later.items():
        assert facts.as_tuples(row["sources"]) == facts.cited(name)
        assert row["policy_areas"] == facts.PARTNERSHIPS[name]["policy_areas"]
        assert row["governance"] == facts.PARTNERSHIPS[name]["governance"]
        assert row["savings"]["text"] == facts.PARTNERSHIPS[name]["savings_text"]
    out = _table(capsys, "list", london_example_file, "--as-of", "2008")
    assert "Partnering and multi-agency working (FOSS series) (2008)" in _sources_block(out)


def test_area_of_a_virtual_borough_crossing_borough_lines(capsys, london_example_file):
    answer = _json(capsys, "area", london_example_file, WLA)
    codes = facts.member_codes(WLA)
    wards = facts.wards_of(codes)
    assert answer["wards"] == len(wards) and answer["population"] == facts.people(wards)
    assert answer["km2"] == pytest.approx(facts.km2(wards), rel=1e-4)
    assert answer["virtual_borough"] and answer["contiguous"] and answer["parts"] == 1
    assert {b["code"] for b in answer["boroughs"]} == codes
    for b in answer["boroughs"]:
        mine = facts.wards_of({b["code"]})
        assert (b["name"], b["wards"], b["population"]) == (facts.BOROUGHS[b["code"]], len(mine), facts.people(mine))
        assert b["km2"] == pytest.approx(facts.km2(mine), rel=1e-4)
    overlaps = {o["area"]: o["wards"] for o in answer["overlaps"]}
    assert overlaps[TCES] == len(facts.wards_of(codes & facts.member_codes(TCES)))
    assert facts.as_tuples(answer["sources"]) == facts.cited(WLA)
    out = _table(capsys, "area", london_example_file, WLA)
    assert "a virtual borough: it crosses borough lines" in out
    assert "A collaborative city?" in _sources_block(out)


def test_search_is_the_lists_search(capsys, london_example_file):
    found = _json(capsys, "search", london_example_file, "wast")
    assert {r["name"] for r in found} == {n for n, p in facts.PARTNERSHIPS.items() if "waste" in p["policy_areas"]}
    assert all("[" in r["snippet"] and "]" in r["snippet"] for r in found)
    assert _json(capsys, "search", london_example_file, "zzzz nothing") == []


def test_list_filters(capsys, london_example_file):
    def names(*argv):
        return {r["name"] for r in _json(capsys, "list", london_example_file, *argv)}
    assert names("--member", "E09000005") == facts.covering_borough("E09000005")
    assert names("--policy-area", "Waste") == {n for n, p in facts.PARTNERSHIPS.items() if "waste" in p["policy_areas"]}
    assert names("--kind", "shared service", "--status", "ended") == {
        n for n, p in facts.PARTNERSHIPS.items() if p["kind"] == "shared service" and p["status"] == "ended"}


@pytest.mark.parametrize("argv, named", [
    (["where", "{f}", "Brnet"], "Barnet"),
    (["where", "{f}", "Westminster Abbey"], "Westminster"),
    (["shared", "{f}", "West London", "Wigan"], "West London Alliance"),      # ambiguous: both named
    (["area", "{f}", "Nowhere Alliance"], "Alliance"),
    (["coverage", "{f}", "--policy-area", "wsate"], "waste"),
    (["list", "{f}", "--policy-area", "wsate"], "waste"),
    (["list", "{f}", "--member", "Barnett"], "Barnet"),
])
def test_unknown_or_ambiguous_names_exit_2_naming_the_closest(capsys, london_example_file, argv, named):
    code, out, err = run(capsys, *[a.format(f=london_example_file) for a in argv])
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert named in err and ("closest: " in err or " could be " in err), err
