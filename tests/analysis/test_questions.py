"""How the questions find what a researcher names, and where a ward of another vintage lies."""
import pytest

from models.analysis.naming import Named, resolve
from models.analysis.questions import Questions
from models.catalogue import Catalogue
from models.errors import CatalogueError
from tests.helpers import questions as facts


@pytest.fixture(scope="module")
def q(london_example_file):
    with Catalogue.open(london_example_file, read_only=True) as cat:
        yield Questions(cat)


def test_an_exact_name_wins_over_a_longer_one_containing_it(q):
    # "West London Alliance" is also part of the Adult Social Care programme's name.
    assert q.partnership("West London Alliance").name == "West London Alliance"
    assert q.partnership("west london alliance").name == "West London Alliance"
    assert q.partnership("adult social care eff").name.startswith("West London Alliance Adult")
    with pytest.raises(CatalogueError, match="could be 2 partnerships"):
        q.partnership("london alliance")


def test_places_by_name_code_or_part(q):
    assert q.place("Brent").level == "borough"
    assert q.place("e09000005").code == "E09000005"
    names = [f["properties"]["WD20NM"] for f in facts.WARDS]
    ward = next(f["properties"] for f in facts.WARDS if f["properties"]["LAD20NM"] == "Harrow"
                and names.count(f["properties"]["WD20NM"]) == 1)
    twice = next(n for n in names if names.count(n) > 1)   # e.g. a Belmont in two boroughs
    with pytest.raises(CatalogueError, match=f"'{twice}' could be 2 places: {twice} \\(E05"):
        q.place(twice)
    # A ward name both vintages have is the first vintage's ward, not an ambiguity.
    assert q.place(ward["WD20NM"]).code == ward["WD20CD"]
    assert q.place(ward["WD20NM"].upper()).code == ward["WD20CD"]   # in any case


def test_a_ward_of_the_2022_vintage_lies_in_the_2020_areas_around_it(q):
    u = q.universe
    layers = {l.name: l.id for l in q.layers}
    harrow = "E09000015"
    row = next(r for r in range(len(u)) if u.layer_ids[r] == layers["London wards 2022"]
               and u.parent_codes[r] == harrow)
    # By code only: the 2022 ward may share its name with a 2020 one.
    answer = q.where(u.codes[row])
    assert answer["level"] == "ward" and answer["code"] == u.codes[row]
    assert {p["name"] for p in answer["partnerships"]} == facts.covering_borough(harrow)


def test_unknown_names_offer_the_closest():
    names = [Named(n, None, n) for n in ("Barnet", "Brent", "Bromley")]
    with pytest.raises(CatalogueError, match=r"^no place 'Brnet'; closest: .*Brent"):
        resolve("place", "Brnet", names)
    with pytest.raises(CatalogueError, match="name a place"):
        resolve("place", "  ", names)
    assert resolve("place", "bro", names) == "Bromley"


def test_a_drawn_area_and_the_grid(grid):
    cat, _, _ = grid
    q = Questions(cat)
    c = q.area("C")
    assert c["km2"] == pytest.approx(2.0, rel=1e-6)   # the box: 2 km by 1 km
    # Per borough, as the area panel counts a drawn area: the wards it covers at least COVER_SHARE of.
    assert c["boroughs"] and sum(b["km2"] for b in c["boroughs"]) <= c["km2"] + 1e-9
    a = q.area("A")
    assert (a["wards"], a["population"]) == (4, 100 * (1 + 2 + 5 + 6))
    assert a["contiguous"] and {o["area"] for o in a["overlaps"]} >= {"B"}
