"""Membership against footprint, in the model and the CLI (`consistency`, `check`)."""
from __future__ import annotations

import json

import pytest

from models.analysis.consistency import consistency, vintage_problems
from models.catalogue import Catalogue
from models.catalogue.records import Area, Membership, Organisation, Partnership
from tests.helpers.cli import run


@pytest.fixture
def mismatched(grid_cat):
    """A partnership of Borough One (left 2014) and Borough Two, with a drawn area of
    Borough One's wards plus one of Borough Three's (a borough that is no member)."""
    cat = grid_cat
    layer_id = cat.layers.all()[0].id
    t = cat.layers.table(layer_id)
    wards = {}
    for fid, parent in zip(t.ids, t.parent_codes):
        wards.setdefault(parent, []).append(int(fid))
    b1 = cat.organisations.add(Organisation("Borough One", kind="local authority", gss_code="B1")).id
    b2 = cat.organisations.add(Organisation("Borough Two", kind="local authority", gss_code="B2")).id
    pid = cat.partnerships.add(Partnership("Pair", start="2005"),
                               [Membership(0, b1, left="2014"), Membership(0, b2, joined="2010")]).id
    area = cat.areas.add(Area("Drawn pair", partnership_id=pid, layer_id=layer_id,
                              unit_ids=frozenset(wards["B2"][:1]))).id
    return cat, pid, area, wards, layer_id


def test_members_outside_and_boroughs_without_members_as_of_a_date(mismatched):
    cat, pid, area, wards, layer_id = mismatched
    found = consistency(cat)
    assert [(p.problem, p.organisation) for p in found] == [("member outside area", "Borough One")]
    assert found[0].detail == f"none of its {len(wards['B1'])} wards is in the area"
    # 2008: Borough Two had not joined, so its ward in the area has no member then.
    assert [(p.problem, p.organisation) for p in consistency(cat, "2008")] == [
        ("member outside area", "Borough One"), ("borough without member", "Borough Two")]
    # 2016: Borough One has left: the area agrees with its one member.
    assert consistency(cat, "2016") == []
    # A derived area agrees with its members at every date.
    cat.areas.follow_members(area)
    assert all(consistency(cat, y) == [] for y in (None, "2008", "2012", "2016"))


def test_vintage_not_in_force_once_layers_have_dates(mismatched):
    cat, pid, area_id, _, layer_id = mismatched
    p, area = cat.partnerships.get(pid), cat.areas.get(area_id)
    assert vintage_problems(cat, p, area) == []    # layers record no dates in force yet
    (found,) = vintage_problems(cat, p, area, in_force={layer_id: ("2000", "2004-05")})
    assert found.problem == "vintage not in force" and "2000 to 2004-05" in found.detail
    assert vintage_problems(cat, p, area, in_force={layer_id: ("2000", "2006")}) == []
    assert vintage_problems(cat, p, area, in_force={layer_id: ("2022-05", None)}) == []


def test_the_consistency_command_lists_problems_as_json_and_exits_1(mismatched, capsys):
    cat, *_ = mismatched
    path = str(cat.store.path)
    cat.close()
    code, out, _ = run(capsys, "consistency", path, "--as-of", "2008", "--format", "json")
    assert code == 1
    rows = json.loads(out)
    assert [set(r) for r in rows] == [{"partnership", "area", "problem", "organisation", "detail"}] * 2
    assert {r["problem"] for r in rows} == {"member outside area", "borough without member"}
    code, out, _ = run(capsys, "consistency", path, "--as-of", "2016")
    assert code == 0 and out.startswith("ok:")
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "consistency: Pair / Drawn pair: member outside area — Borough One" in out
    code, _, err = run(capsys, "consistency", path, "--as-of", "soon")
    assert code == 2 and err.count("\n") == 1


def test_the_example_agrees_with_itself(tmp_path, capsys):
    path = tmp_path / "example.gpkg"
    code, _, _ = run(capsys, "example", str(path))
    assert code == 0
    with Catalogue.open(path, read_only=True) as cat:
        derived = [a for a in cat.areas.all(outlines=False) if a.kind == "derived"]
        assert derived and all(a.partnership_id for a in derived)
    code, out, _ = run(capsys, "consistency", str(path), "--format", "json")
    assert (code, json.loads(out)) == (0, [])
