"""The example catalogue: facts from the reports, each quote verbatim in its report."""
import re

import pytest

from models.formats import example
from models.formats.example import build_example
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS, SEEDS


def _squash(text):
    return re.sub(r"\s+", " ", text).strip()


def test_example_builds_and_undoes(cat):
    revert = build_example(cat)
    names = {p.name for p in cat.partnerships.all()}
    for required in ("West London Alliance", "North London Waste Authority", "Northumbria 101",
                     "London Connects", "Warwickshire Direct Partnership", "Tower Hamlets LinkAge Plus"):
        assert required in names
    boroughs = [o for o in cat.organisations.all() if (o.gss_code or "").startswith("E090000")]
    assert sorted(o.gss_code for o in boroughs) == [f"E09{n:06d}" for n in range(1, 34)]
    wla = cat.partnerships.find("West London Alliance")
    members = {cat.organisations.get(m.organisation_id).name for m in cat.partnerships.memberships(wla.id)}
    assert members == {"Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow"}
    assert len(cat.partnerships.memberships(cat.partnerships.find("North London Waste Authority").id)) == 7
    n101 = cat.partnerships.find("Northumbria 101")
    assert (n101.status, n101.end) == ("ended", "2008-03-31")
    for p in cat.partnerships.all():
        assert cat.sources.citations(partnership_id=p.id), f"{p.name} has no source"
    revert()
    assert cat.is_empty()


@pytest.mark.skipif(not SEEDS.exists(), reason="source reports ../shared/seeds not beside this checkout")
def test_every_quote_is_verbatim_in_its_report():
    data = example.load()
    titles = {s["key"]: s["title"] for s in data["sources"]}
    texts = {p.name: _squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("0*.txt")}
    for p in data["partnerships"]:
        for s in p["sources"]:
            assert any(_squash(s["quote"]) in t for t in texts.values()), (p["name"], titles[s["source"]])


def test_borough_partnerships_get_their_wards(cat):
    build_example(cat, wards=LONDON_WARDS, population=LONDON_POPULATION)
    wla = cat.partnerships.find("West London Alliance")
    (area,) = cat.areas.of_partnership(wla.id)
    table = cat.layers.table(area.layer_id)
    six = {"E09000005", "E09000009", "E09000013", "E09000015", "E09000017", "E09000018"}
    expected = {int(i) for i, parent in zip(table.ids, table.parent_codes) if parent in six}
    assert area.unit_ids == expected and len(expected) == 21 + 23 + 16 + 21 + 22 + 20
    virtual = [p for p in cat.partnerships.all() if "virtual borough" in p.name.lower()]
    assert virtual and all(not cat.areas.of_partnership(p.id) for p in virtual)
    assert all("ward" in p.notes.lower() for p in virtual)
