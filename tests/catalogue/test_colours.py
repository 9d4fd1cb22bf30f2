"""The colour a new area gets: least used in the palette, then farthest from its neighbours'."""
import pytest
import shapely

from models.catalogue.colours import AREA_PALETTE, distance, lab, nearby_colours, pick_colour, touching
from models.catalogue.records import Area

BLUE, ORANGE, GREEN, PINK, VERMILLION, SKY, YELLOW, BLACK = AREA_PALETTE


def test_lab_of_white_black_and_a_primary():
    assert lab("#FFFFFF") == near((100.0, 0.0, 0.0))
    assert lab("#000000") == near((0.0, 0.0, 0.0))
    # sRGB red in CIELAB (D65), as published: L 53.24, a 80.09, b 67.20.
    assert lab("#FF0000") == near((53.24, 80.09, 67.20), abs=0.05)


def near(values, abs=1e-3):
    return pytest.approx(values, abs=abs)


def test_distance_is_symmetric_and_zero_for_the_same_colour():
    assert distance(BLUE, BLUE) == 0
    assert distance(BLUE, YELLOW) == distance(YELLOW, BLUE) > distance(BLUE, SKY)


def test_an_empty_map_starts_with_the_first_palette_colour():
    assert pick_colour([]) == BLUE


def test_the_least_used_colour_wins_over_palette_order():
    # Count mod 8 would give the ninth area blue again, with orange used once less.
    used = list(AREA_PALETTE) + [BLUE, GREEN, PINK]
    assert pick_colour(used) == ORANGE


def test_colour_case_and_colours_outside_the_palette_do_not_confuse_the_count():
    used = [BLUE.lower(), "#123456", ORANGE]
    assert pick_colour(used) == GREEN


def test_ties_go_to_the_colour_farthest_from_the_neighbours():
    used = [BLUE, ORANGE, GREEN, PINK, VERMILLION, SKY]   # yellow and black unused
    # Next to yellow-ish orange, black is farther than yellow; next to black, yellow is.
    assert pick_colour(used, nearby=[ORANGE]) == BLACK
    assert pick_colour(used, nearby=[BLACK]) == YELLOW
    # The nearest neighbour decides: yellow is only 35 from orange, black 62 from blue.
    assert pick_colour(used, nearby=[ORANGE, BLUE]) == BLACK
    assert pick_colour(used, nearby=[ORANGE, BLACK]) == YELLOW


def test_unreadable_neighbour_colours_are_ignored():
    assert pick_colour([BLUE], nearby=["grey", None, "#12"]) == ORANGE


def test_a_custom_palette_and_an_empty_one():
    assert pick_colour(["#FF0000"], palette=("#FF0000", "#00FF00")) == "#00FF00"
    with pytest.raises(ValueError, match="empty"):
        pick_colour([], palette=())


def test_touching_finds_the_units_that_share_an_edge_or_corner():
    # A row of three squares and one apart.
    squares = [shapely.box(k, 0, k + 1, 1) for k in range(3)] + [shapely.box(10, 0, 11, 1)]
    assert touching(squares, [0]) == {0, 1}
    assert touching(squares, [1]) == {0, 1, 2}
    assert touching(squares, [3]) == {3}
    assert touching(squares, []) == set()


def test_nearby_colours_are_those_of_areas_sharing_or_bordering_the_units():
    areas = [Area("a", colour=BLUE, unit_ids=frozenset({1, 2})), Area("b", colour=ORANGE, unit_ids=frozenset({5})),
             Area("c", colour=GREEN, unit_ids=frozenset({9}))]
    assert nearby_colours({2}, areas) == [BLUE]
    assert nearby_colours({3}, areas, near_ids={5}) == [ORANGE]
    assert nearby_colours({7}, areas) == []
