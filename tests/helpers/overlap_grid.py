"""The `grid` fixture: the 4 x 3 grid of 1 km² wards with three areas of two partnerships.

    row 2   W20  W21  W22  W23        A = W00 W01 W10 W11            (P1, waste)
    row 1   W10  W11  W12  W13        B = W01 W02 W11 W12 W21        (P2, housing)
    row 0   W00  W01  W02  W03        C = drawn box x 530250–532250, y 180000–181000 (P2)
            col0 col1 col2 col3           its representative-point wards: W00, W01

Population of ward (col, row) = 100 * (row * 4 + col + 1).
"""
from __future__ import annotations

import pytest
import shapely

from models.catalogue.records import Area, Membership, Organisation, Partnership
from models.formats.boundary_import import import_boundaries
from tests.helpers.grid import GRID_COLS, GRID_ROWS, grid_code

X0, Y0 = 530000.0, 180000.0


@pytest.fixture
def grid(cat, grid_geojson, tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_text("WD20CD,population\n" + "".join(
        f"{grid_code(c, r)},{100 * (r * GRID_COLS + c + 1)}\n" for r in range(GRID_ROWS) for c in range(GRID_COLS)))
    import_boundaries(cat, grid_geojson, name="Grid wards", level="ward", population=pop)
    t = cat.layers.table(cat.layers.all()[0].id)
    w = {code: int(fid) for code, fid in zip(t.codes, t.ids)}
    o = {n: cat.organisations.add(Organisation(n)).id for n in ("O1", "O2", "O3")}
    p1 = cat.partnerships.add(Partnership("P1", kind="joint authority/committee", start="2005",
                                          end="2008-03-31", policy_areas=("waste",)),
                              [Membership(0, o["O1"]), Membership(0, o["O2"], left="2007")]).id
    p2 = cat.partnerships.add(Partnership("P2", kind="sub-regional partnership", start="2006",
                                          policy_areas=("housing",)),
                              [Membership(0, o["O2"]), Membership(0, o["O3"]),
                               Membership(0, o["O1"], joined="2010")]).id
    box = shapely.box(X0 + 250, Y0, X0 + 2250, Y0 + 1000)
    a = cat.areas.add(Area("A", partnership_id=p1, unit_ids=frozenset(w[c] for c in ("W00", "W01", "W10", "W11")))).id
    b = cat.areas.add(Area("B", partnership_id=p2,
                           unit_ids=frozenset(w[c] for c in ("W01", "W02", "W11", "W12", "W21")))).id
    c = cat.areas.add(Area("C", partnership_id=p2, drawn=box)).id
    return cat, w, {"A": a, "B": b, "C": c, "P1": p1, "P2": p2, **o}
