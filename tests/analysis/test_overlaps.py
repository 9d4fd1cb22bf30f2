"""Overlaps on the 4 x 3 grid of 1 km² wards, every expectation worked out by hand.

    row 2   W20  W21  W22  W23        A = W00 W01 W10 W11            (P1, waste)
    row 1   W10  W11  W12  W13        B = W01 W02 W11 W12 W21        (P2, housing)
    row 0   W00  W01  W02  W03        C = drawn box x 530250–532250, y 180000–181000 (P2)
            col0 col1 col2 col3           its representative-point wards: W00, W01

Population of ward (col, row) = 100 * (row * 4 + col + 1).
"""
from __future__ import annotations

import io

import pytest
import shapely

from models.analysis import overlaps, sets, timeline
from models.catalogue.records import Area
from models.errors import CatalogueError
from models.formats.boundary_import import import_boundaries
from tests.helpers.overlap_grid import X0, Y0


def by_names(pairs):
    return {(p.a, p.b): p for p in pairs}


def test_units_jaccard_and_containment(grid):
    cat, w, ids = grid
    pairs = by_names(overlaps.pairwise(cat, "units"))
    assert set(pairs) == {("A", "B"), ("A", "C"), ("B", "C")}
    ab = pairs["A", "B"]
    assert (ab.shared, ab.jaccard, ab.a_in_b, ab.b_in_a) == (2, pytest.approx(2 / 7), 0.5, 0.4)
    assert (ab.a_id, ab.b_id, ab.by) == (ids["A"], ids["B"], "units")
    ac = pairs["A", "C"]  # C's wards by representative point: W00, W01
    assert (ac.shared, ac.jaccard, ac.a_in_b, ac.b_in_a) == (2, 0.5, 0.5, 1.0)
    bc = pairs["B", "C"]
    assert (bc.shared, bc.jaccard, bc.a_in_b, bc.b_in_a) == (1, pytest.approx(1 / 6), 0.2, 0.5)


def test_population(grid):
    cat, _, _ = grid
    ab = by_names(overlaps.pairwise(cat, "population"))["A", "B"]
    # A = 100+200+500+600 = 1400, B = 200+300+600+700+1000 = 2800, both = 200+600
    assert ab.shared == 800
    assert ab.jaccard == pytest.approx(800 / 3400)
    assert (ab.a_in_b, ab.b_in_a) == (pytest.approx(4 / 7), pytest.approx(2 / 7))


def test_area_is_exact_where_drawn(grid):
    cat, _, _ = grid
    pairs = by_names(overlaps.pairwise(cat, "area"))
    assert pairs["A", "B"].shared == pytest.approx(2.0)
    ac = pairs["A", "C"]   # box ∩ A = x 530250–532000, one row: 1.75 km² of C's 2 km²
    assert ac.shared == pytest.approx(1.75)
    assert ac.jaccard == pytest.approx(1.75 / (4 + 2 - 1.75))
    assert (ac.a_in_b, ac.b_in_a) == (pytest.approx(1.75 / 4), pytest.approx(1.75 / 2))
    assert pairs["B", "C"].shared == pytest.approx(1.25)   # x 531000–532250
    m = overlaps.overlap_matrix(cat, "area")
    assert list(m.sizes) == pytest.approx([4.0, 5.0, 2.0])


def test_members_and_as_of(grid):
    cat, _, _ = grid
    (p,) = overlaps.pairwise(cat, "members")
    assert (p.a, p.b, p.shared, p.jaccard) == ("P1", "P2", 2, pytest.approx(2 / 3))
    assert (p.a_in_b, p.b_in_a) == (1.0, pytest.approx(2 / 3))
    (p,) = overlaps.pairwise(cat, "members", as_of=2007)   # O2 still in P1; O1 not yet in P2
    assert (p.shared, p.jaccard) == (1, pytest.approx(1 / 3))
    (p,) = overlaps.pairwise(cat, "members", as_of="2008-02")  # O2 left P1 in 2007
    assert (p.shared, p.jaccard) == (0, 0.0)
    assert overlaps.pairwise(cat, "members", as_of="2009") == []   # P1 ended March 2008


def test_as_of_drops_areas_of_inactive_partnerships(grid):
    cat, _, _ = grid
    assert [(p.a, p.b) for p in overlaps.pairwise(cat, "units", as_of="2010")] == [("B", "C")]
    assert [(p.a, p.b) for p in overlaps.pairwise(cat, "units", as_of="2004")] == []
    assert len(overlaps.pairwise(cat, "units", as_of="2007-06-30")) == 3


def test_choosing_areas_and_partnerships(grid):
    cat, _, ids = grid
    assert [(p.a, p.b) for p in overlaps.pairwise(cat, "units", area_ids=[ids["C"], ids["A"]])] == [("A", "C")]
    assert [(p.a, p.b) for p in overlaps.pairwise(cat, "units", partnership_ids=[ids["P2"]])] == [("B", "C")]


def test_bad_requests_are_one_line_errors(grid):
    cat, _, _ = grid
    with pytest.raises(CatalogueError, match="overlap by 'wards'"):
        overlaps.pairwise(cat, "wards")
    with pytest.raises(CatalogueError, match="as of"):
        overlaps.pairwise(cat, "units", as_of="last year")


def test_exclusive_and_inclusive_intersections(grid):
    cat, w, ids = grid
    s = overlaps.area_set(cat)
    exclusive = {x.names: x for x in sets.intersections(s)}
    # W10 → A; W02 W12 W21 → B; W11 → AB; W00 → AC; W01 → ABC
    assert {k: v.units for k, v in exclusive.items()} == {
        ("B",): 3, ("A",): 1, ("A", "B"): 1, ("A", "C"): 1, ("A", "B", "C"): 1}
    assert exclusive["B",].unit_ids == tuple(sorted(w[c] for c in ("W02", "W12", "W21")))
    assert exclusive["B",].population == 300 + 700 + 1000
    assert exclusive["A", "C"].km2 == pytest.approx(1.0)
    assert sum(x.units for x in exclusive.values()) == 7   # the union, each ward once
    assert list(exclusive)[0] == ("B",)   # largest first
    inclusive = {x.names: x.units for x in sets.intersections(s, inclusive=True)}
    assert inclusive == {("A",): 4, ("B",): 5, ("C",): 2, ("A", "B"): 2, ("A", "C"): 2, ("A", "B", "C"): 1}
    two = {x.names: x.units for x in sets.intersections(s, area_ids=[ids["A"], ids["B"]])}
    assert two == {("A",): 2, ("B",): 3, ("A", "B"): 2}


def test_pair_parts_for_the_map(grid):
    cat, w, ids = grid
    both, only_a, only_b = overlaps.area_set(cat).pair_parts(ids["A"], ids["B"])
    assert both == sorted([w["W01"], w["W11"]])
    assert only_a == sorted([w["W00"], w["W10"]])
    assert only_b == sorted([w["W02"], w["W12"], w["W21"]])


def test_coverage_counts_partnerships_once(grid):
    cat, w, _ = grid
    cov = sets.coverage(cat)
    got = {code: n for code, n in zip(cov.codes, cov.counts)}
    # P1 via A; P2 via B or C (counted once where both cover a ward)
    assert got == {"W00": 2, "W01": 2, "W02": 1, "W03": 0, "W10": 1, "W11": 2, "W12": 1, "W13": 0,
                   "W20": 0, "W21": 1, "W22": 0, "W23": 0}
    assert sorted(cov.uncovered()) == sorted(w[c] for c in ("W03", "W13", "W20", "W22", "W23"))
    assert cov.covering(w["W01"]) == ["P1", "P2"]
    klass, legend = cov.classes()
    assert [(c.label, c.units) for c in legend] == [("none", 5), ("1", 4), ("2", 3)]
    assert klass[cov.codes.index("W00")] == 2


def test_coverage_filters(grid):
    cat, _, _ = grid
    housing = sets.coverage(cat, policy_area="housing")
    assert {c for c, n in zip(housing.codes, housing.counts) if n} == {"W00", "W01", "W02", "W11", "W12", "W21"}
    assert set(housing.counts) == {0, 1}
    waste = sets.coverage(cat, kind="joint authority/committee")
    assert {c for c, n in zip(waste.codes, waste.counts) if n} == {"W00", "W01", "W10", "W11"}
    assert sets.coverage(cat, as_of=2004).counts.sum() == 0


def test_coverage_of_the_chosen_partnerships_and_areas(grid):
    cat, w, ids = grid
    lone = cat.areas.add(Area("Lone", unit_ids=frozenset([w["W23"]]))).id
    only_p2 = sets.coverage(cat, partnership_ids=[ids["P2"]], area_ids=[])
    assert only_p2.coverers == ["P2"]
    assert {c for c, n in zip(only_p2.codes, only_p2.counts) if n} == {"W00", "W01", "W02", "W11", "W12", "W21"}
    lone_only = sets.coverage(cat, partnership_ids=[], area_ids=[lone])
    assert lone_only.coverers == ["Lone"] and lone_only.covering(w["W23"]) == ["Lone"]
    assert sets.coverage(cat, partnership_ids=[], area_ids=[]).counts.sum() == 0
    assert sets.coverage(cat).coverers == ["P1", "P2", "Lone"]   # no choice given: all of them


def test_cluster_order_puts_alike_areas_together(cat, grid_geojson):
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward")
    t = cat.layers.table(cat.layers.all()[0].id)
    w = {code: int(fid) for code, fid in zip(t.codes, t.ids)}
    for name, codes in (("a", "W00 W01"), ("b", "W22 W23"), ("c", "W00 W01 W10"), ("d", "W22 W23 W13")):
        cat.areas.add(Area(name, unit_ids=frozenset(w[c] for c in codes.split())))
    m = overlaps.overlap_matrix(cat, "units")
    assert [m.names[k] for k in m.order("name")] == ["a", "b", "c", "d"]
    order = [m.names[k] for k in m.order("cluster")]
    assert abs(order.index("a") - order.index("c")) == 1
    assert abs(order.index("b") - order.index("d")) == 1


def test_csv_gives_the_pairs(grid):
    cat, _, _ = grid
    out = io.StringIO()
    overlaps.write_pairs_csv(overlaps.pairwise(cat, "units"), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "a,b,by,shared,jaccard,a_in_b,b_in_a,a_id,b_id"
    assert lines[1].startswith("A,B,units,2.0,0.2857")


def test_timeline_rows_and_events(grid):
    cat, _, _ = grid
    rows = {r.name: r for r in timeline.timeline(cat)}
    assert rows["P1"].start == 2005.0
    assert rows["P1"].end == pytest.approx(2008 + 91 / 366)   # to the end of 31 March 2008
    assert rows["P2"].end is None                              # open end
    assert [(e.organisation, e.change, e.year) for e in rows["P1"].events] == [("O2", "left", 2008.0)]
    assert [(e.organisation, e.change, e.year) for e in rows["P2"].events] == [("O1", "joined", 2010.0)]
    assert [r.name for r in timeline.timeline(cat, as_of=2009, only_active=True)] == ["P2"]
    assert timeline.year_span(cat) == (2005, 2010)


def test_members_grid_keeps_dates(grid):
    cat, _, ids = grid
    g = overlaps.member_grid(cat)
    assert [o.name for o in g.organisations] == ["O1", "O2", "O3"]
    assert [p.name for p in g.partnerships] == ["P1", "P2"]
    assert g.cells[0, 1].joined == "2010" and g.cells[1, 0].left == "2007"
    assert (2, 0) not in g.cells


def test_a_ward_in_both_the_units_and_the_drawing_counts_once(grid):
    cat, w, ids = grid
    box = shapely.box(X0 + 250, Y0, X0 + 2250, Y0 + 1000)   # centres of W00 and W01
    d = cat.areas.add(Area("D", unit_ids=frozenset([w["W00"]]), drawn=box)).id
    m = overlaps.overlap_matrix(cat, "units")
    assert m.sizes[list(m.ids).index(d)] == 2
    (dc,) = [p for p in overlaps.pairwise(cat, "area") if {p.a, p.b} == {"C", "D"}]
    assert dc.shared == pytest.approx(2.0) and dc.jaccard == pytest.approx(2.0 / 2.25)
