"""The crosswalk's shared areas against plain shapely.intersection of the same pairs, on
the shipped London layers: two generalisations of different ward patterns, and wards
against the boroughs that hold them (edges shared exactly, units wholly inside)."""
import numpy as np
import pytest
import shapely

from models.formats import london
from models.formats.boundary_import import read_boundaries
from models.geo.crosswalk import _second_kind, _tasks, crosswalk


@pytest.fixture(scope="module")
def layers():
    return {name: read_boundaries(path).geometries for name, path in (
        ("wards_2020", london.WARDS_2020), ("wards_2022", london.WARDS_2022),
        ("boroughs", london.BOROUGHS_2020))}


def plain(old, new, rows_old, rows_new):
    return np.array([shapely.intersection(old[a], new[b]).area for a, b in zip(rows_old, rows_new)])


@pytest.mark.parametrize("pair", [("wards_2020", "wards_2022"), ("wards_2020", "boroughs"),
                                  ("boroughs", "wards_2020")])
@pytest.mark.parametrize("workers", [1, 2])
def test_shared_areas_match_plain_intersection(layers, pair, workers):
    old, new = (np.array(list(layers[p]), dtype=object) for p in pair)
    cw = crosswalk(old, new, workers=workers)
    # Every pair of the answer, on a sample, as plain shapely measures it.
    pick = np.random.default_rng(12).choice(len(cw), size=min(400, len(cw)), replace=False)
    expected = plain(old, new, cw.old[pick], cw.new[pick])
    np.testing.assert_allclose(cw.shared[pick], expected, rtol=1e-6)
    # And no pair left out: the box neighbours of a sample of old units, all of them.
    got = dict(zip(zip(cw.old.tolist(), cw.new.tolist()), cw.shared.tolist()))
    tree = shapely.STRtree(new)
    for a in np.random.default_rng(20).choice(len(old), size=min(40, len(old)), replace=False):
        for b in tree.query(old[a]):
            area = shapely.intersection(old[a], new[b]).area
            assert got.get((int(a), int(b)), 0.0) == pytest.approx(area, rel=1e-6, abs=1e-3)
    assert cw.covered().sum() == pytest.approx(shapely.area(old).sum(), rel=0.02)   # both cover London



@pytest.mark.parametrize("pair", [("wards_2020", "wards_2022"), ("wards_2020", "boroughs")])
def test_every_pair_on_the_london_layers_is_plain_shapelys(layers, pair):
    """All the shortcuts at once (surface points and corners, covers asked only where a box
    lies within the other, shares found by difference) against plain intersection of every
    pair of overlapping boxes: the same pairs, the same m²."""
    old, new = (np.array(list(layers[p]), dtype=object) for p in pair)
    got, want = every_pair(old, new, crosswalk(old, new))
    assert got.keys() == want.keys()
    for key, m2 in want.items():
        assert got[key] == pytest.approx(m2, rel=1e-9)

def test_units_inside_another_are_settled_exactly(layers):
    """Wards inside their borough (many along its outer edge): their area is the shared area."""
    wards, boroughs = layers["wards_2020"], layers["boroughs"]
    cw = crosswalk(wards, boroughs)
    inside = shapely.covers(boroughs[cw.new], wards[cw.old])
    assert inside.sum() > 100
    np.testing.assert_array_equal(cw.shared[inside], shapely.area(wards[cw.old[inside]]))


def test_no_pairs_and_one_pair():
    square = shapely.box(0, 0, 10, 10)
    far = shapely.box(100, 100, 110, 110)
    touching = shapely.box(10, 0, 20, 10)
    cw = crosswalk(np.array([square]), np.array([far, touching]))
    assert len(cw) == 0 and cw.covered().tolist() == [0.0]
    cw = crosswalk(np.array([square, far]), np.array([shapely.box(5, 5, 15, 15), touching]))
    assert cw.old.tolist() == [0] and cw.new.tolist() == [0] and cw.shared.tolist() == [25.0]


def test_threads_never_share_an_old_unit():
    """A prepared geometry is not safe across threads: each old unit's pairs go to one task."""
    old_rows = np.sort(np.random.default_rng(3).integers(0, 300, size=5000))
    tasks = _tasks(old_rows, 64)
    assert np.array_equal(np.concatenate(tasks), np.arange(len(old_rows)))
    owners = [set(old_rows[t].tolist()) for t in tasks]
    assert all(not (a & b) for a, b in zip(owners, owners[1:]))
    assert len(tasks) > 40 and max(len(t) for t in tasks) < 64 + 40
    assert _tasks(old_rows[:0], 64) == [] and len(_tasks(np.zeros(10, dtype=np.int64), 3)) == 1


def voronoi_tiling(region, n: int, seed: int) -> np.ndarray:
    """The region cut into the Voronoi cells of n random points inside it."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = region.bounds
    xy = rng.uniform((x0, y0), (x1, y1), size=(4 * n, 2))
    xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])][:n]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=region))
    parts = shapely.intersection(cells, region)
    return parts[shapely.area(parts) > 0]


def every_pair(old, new, cw):
    """The crosswalk as {(old, new): m²} and plain shapely's answer for every box neighbour."""
    got = dict(zip(zip(cw.old.tolist(), cw.new.tolist()), cw.shared.tolist()))
    i, j = shapely.STRtree(new).query(old)
    plain_m2 = shapely.area(shapely.intersection(old[i], new[j]))
    want = {(int(a), int(b)): m2 for a, b, m2 in zip(i, j, plain_m2) if m2 > 0}
    return got, want


REGION = shapely.Polygon([(0, 0), (5000, 0), (6000, 3000), (2500, 4500), (-500, 2500)])


@pytest.mark.parametrize("workers", [1, 2])
def test_same_land_cut_twice_finds_shares_by_difference(monkeypatch, workers):
    """Two tilings of one region: a third of the intersections are left out (each found as a
    unit's area less its other shares), and every share is still plain shapely's."""
    old, new = voronoi_tiling(REGION, 60, 1), voronoi_tiling(REGION, 80, 2)
    measured = []
    intersection = shapely.intersection

    def counting(a, b, **kw):
        measured.append(np.size(a))
        return intersection(a, b, **kw)

    monkeypatch.setattr(shapely, "intersection", counting)
    cw = crosswalk(old, new, workers=workers)
    monkeypatch.undo()
    got, want = every_pair(old, new, cw)
    assert got.keys() == want.keys()
    for key, m2 in want.items():
        assert got[key] == pytest.approx(m2, rel=1e-9)
    assert sum(measured) < 0.85 * len(want)


@pytest.mark.parametrize("change", ["gap", "overlap", "less land", "equal squares"])
def test_layers_that_do_not_tile_the_same_land_are_measured(change):
    """Where the new units leave a gap, overlap, cover less, or merely have the same areas,
    no share found by difference survives: all agree with plain intersection."""
    old, new = voronoi_tiling(REGION, 60, 1), voronoi_tiling(REGION, 80, 2)
    if change == "gap":
        new = shapely.difference(new, shapely.Point(2500, 2000).buffer(400))
    elif change == "overlap":
        new = np.append(new, shapely.Point(2600, 1800).buffer(350))
    elif change == "less land":
        new = new[shapely.get_x(shapely.centroid(new)) < 3000]
    else:   # squares of one size, shifted: each old square's only pair has the same area as it
        old = shapely.box(np.arange(5) * 100.0, 0, np.arange(5) * 100.0 + 100, 100)
        new = shapely.box(np.arange(5) * 100.0 + 750, 0, np.arange(5) * 100.0 + 850, 100)
        new[0] = shapely.box(50, 0, 150, 100)
    cw = crosswalk(old, new)
    got, want = every_pair(old, new, cw)
    assert got.keys() == want.keys()
    for key, m2 in want.items():
        assert got[key] == pytest.approx(m2, rel=1e-9)


def test_few_old_units_of_the_second_kind_reach_every_new_unit():
    """Every new unit has a partner of the second kind (so one of its shares can be found),
    and they are few (each one of the first kind leaves one share to be found)."""
    old, new = voronoi_tiling(REGION, 300, 3), voronoi_tiling(REGION, 320, 4)
    i, j = shapely.STRtree(new).query(old)
    meet = shapely.area(shapely.intersection(old[i], new[j])) > 0
    i, j = i[meet], j[meet]
    second = _second_kind(i, j, len(old))
    assert set(j[second[i]].tolist()) == set(j.tolist())

    def found(second):   # one share per old unit of the first kind, one per new unit reached
        return len(set(i[~second[i]].tolist())) + len(set(j[second[i]].tolist()))

    every_third = np.arange(len(old)) % 3 == 0
    assert second.sum() < every_third.sum() and found(second) > 1.1 * found(every_third)
    assert not _second_kind(i[:0], j[:0], len(old)).any()
