"""What a report says (models.analysis.report): names resolved, references formatted, and the
West London Alliance's figures as the ONS files give them."""
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from models.analysis.report import find_partnership, format_reference, report_content
from models.catalogue import Catalogue
from models.catalogue.records import Partnership, Source
from models.errors import CatalogueError
from tests.helpers.catalogues import small_catalogue
from tests.helpers.data import london_population_rows, london_ward_features

# "The West London Alliance (WLA) boroughs – which provide services to over 1.4m residents in
# Brent, Ealing, Hammersmith & Fulham, Harrow, Hillingdon and Hounslow" (Transforming London's
# Public Services, 2010): the members the example gives it.
WLA = ("Brent", "Ealing", "Hammersmith and Fulham", "Harrow", "Hillingdon", "Hounslow")

NAMES = [Partnership(n) for n in ("West London Alliance", "West London Zone", "North London Waste Authority",
                                  "South London Waste Partnership", "Waste")]


def test_a_partnership_is_found_by_full_name_case_or_unique_part():
    assert find_partnership(NAMES, "Waste").name == "Waste"          # an exact name always wins
    assert find_partnership(NAMES, "west london alliance").name == "West London Alliance"
    assert find_partnership(NAMES, "zone").name == "West London Zone"


def test_an_unknown_or_ambiguous_name_is_one_line_naming_the_closest():
    with pytest.raises(CatalogueError) as e:
        find_partnership(NAMES, "West Londn Aliance")
    assert str(e.value).startswith("no partnership 'West Londn Aliance'; closest: West London Alliance")
    with pytest.raises(CatalogueError) as e:
        find_partnership(NAMES, "London W")
    assert str(e.value) == ("'London W' could be 2 partnerships: North London Waste Authority, "
                            "South London Waste Partnership; give more of the name")
    assert "\n" not in str(e.value)


@dataclass(frozen=True)
class _FullSource(Source):   # the fields a reference manager adds (authors, DOI, accessed)
    authors: tuple[str, ...] = ()
    doi: str = ""
    accessed: str = ""


def test_references_are_formatted_like_a_reference_list():
    body = Source("Transforming London's Public Services", publisher="Government Office for London", year=2010)
    assert format_reference(body) == "Government Office for London (2010). Transforming London's Public Services."
    question = Source("A collaborative city?", publisher="Young Foundation", year=2008)
    assert format_reference(question) == "Young Foundation (2008). A collaborative city?"
    web = Source("Embracing wider partnerships.", publisher="Localis", year=None, url="https://example.org/mj")
    assert format_reference(web) == "Localis (n.d.). Embracing wider partnerships. https://example.org/mj"
    article = _FullSource("Shared services", publisher="LGC", year=2011, authors=("Smith, J.", "Jones, K."),
                          doi="10.1000/xyz", accessed="2026-11-30")
    assert format_reference(article) == ("Smith, J.; Jones, K. (2011). Shared services. LGC. "
                                         "https://doi.org/10.1000/xyz (accessed 2026-11-30)")


def test_the_west_london_alliance_figures_are_those_of_its_boroughs_wards(london_example):
    rows = [r for r in london_population_rows() if r["LAD20NM"] in WLA]
    wards = {f["properties"]["WD20CD"]: f for f in london_ward_features() if f["properties"]["LAD20NM"] in WLA}
    assert len(rows) == len(wards)
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)   # the shipped GeoJSON is in degrees
    km2 = sum(shapely.transform(shapely.geometry.shape(f["geometry"]), lambda xy: np.column_stack(
        to_bng.transform(xy[:, 0], xy[:, 1]))).area for f in wards.values()) / 1e6

    with Catalogue.open(london_example, read_only=True) as cat:
        content = report_content(cat, ["west london alliance"])
    (section,) = content.sections
    assert content.overlaps is None and content.coverage is None     # one partnership: no overview
    assert sorted(m.name for m in section.members) == sorted(WLA)
    (area,) = section.areas
    assert area.stats.units == len(wards)
    assert area.stats.population == sum(int(r["population"]) for r in rows)
    assert area.stats.km2 == pytest.approx(km2, rel=1e-6)
    assert sorted(b.name for b in area.stats.boroughs) == sorted(WLA) and area.stats.cross_boundary
    assert area.stats.parts == 1
    assert [(r.number, r.source.year) for r in section.references] == [(1, 2008), (2, 2010)]
    assert section.references[1].text == ("Government Office for London (2010). "
                                          "Transforming London's Public Services.")


def test_the_catalogue_report_counts_the_partnerships_over_each_ward(london_example):
    with Catalogue.open(london_example, read_only=True) as cat:
        content = report_content(cat)
        layer = content.coverage.layer
        # Independently of the areas' stored wards: each partnership with an area on this layer
        # covers the wards of the boroughs among its members (the example's areas follow members).
        orgs = {o.id: o.gss_code for o in cat.organisations.all()}
        boroughs_of = {}
        for a in cat.areas.all(outlines=False):
            if a.layer_id == layer.id and a.partnership_id is not None:
                boroughs_of[a.partnership_id] = {orgs[m.organisation_id] for m in
                                                 cat.partnerships.memberships(a.partnership_id)}
        expected = {}
        for u in cat.layers.units(layer.id):
            expected[u.name, u.code] = sum(u.parent_code in codes for codes in boroughs_of.values())
        names = cat.layers.table(layer.id).codes
        assert len(content.sections) == len(cat.partnerships.all())
    assert dict(zip(zip(content.coverage.names, names), content.coverage.counts.tolist())) == expected
    assert content.coverage.most == max(expected.values()) > 1
    assert len(content.overlaps) == 17 and content.overlaps.by == "units"


def test_a_catalogue_without_boundaries_still_has_members_and_references(cat):
    small_catalogue(cat)
    content = report_content(cat)
    assert not content.has_boundaries and content.coverage is None
    assert content.overlaps.by == "members"
    wla = next(s for s in content.sections if s.partnership.name == "West London Alliance")
    assert [m.name for m in wla.members] == ["Brent", "Barnet"]        # the lead first
    assert wla.areas == [] and wla.references[0].pages == ("12",)


def test_an_unknown_name_stops_before_any_work(cat):
    small_catalogue(cat)
    steps = []
    with pytest.raises(CatalogueError, match="closest: West London Alliance"):
        report_content(cat, ["West London Alliance", "West Londn"], progress=lambda f, t: steps.append(t))
    assert steps == []
