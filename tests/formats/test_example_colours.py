"""The example's areas on London's wards: colours spread over the palette, and areas with the
same wards (two West London Alliance programmes, two Olympic host borough projects) apart."""
from collections import Counter

from models.catalogue.colours import AREA_PALETTE
from models.formats.example import build_example
from tests.helpers.data import LONDON_POPULATION, LONDON_WARDS


def test_example_areas_spread_their_colours(cat):
    build_example(cat, LONDON_WARDS, LONDON_POPULATION)
    areas = cat.areas.all(outlines=False)
    assert len(areas) == 17
    uses = Counter(a.colour for a in areas)
    assert set(uses) == set(AREA_PALETTE)
    # 17 areas over 8 colours: none used more than three times (it was yellow, three times).
    assert max(uses.values()) == 3 and sorted(uses.values()).count(3) == 1
    same_wards = Counter(a.unit_ids for a in areas)
    for units, n in same_wards.items():
        if n > 1:
            twins = [a.colour for a in areas if a.unit_ids == units]
            assert len(set(twins)) == len(twins), twins
