"""Undated partnerships added to the overlap grid (tests/helpers/overlap_grid.py): one with
evidence, one without."""
from __future__ import annotations

import shapely

from models.catalogue.records import Area, Citation, Partnership, Source
from tests.helpers.overlap_grid import X0, Y0


def add_undated(cat) -> tuple[int, int]:
    """P3: no dates, cited by a report of 2009 (area D); P4: no dates, no evidence (area E)."""
    source = cat.sources.add(Source("Annual report", year=2009)).id
    p3 = cat.partnerships.add(Partnership("P3")).id
    cat.sources.cite(Citation(source, partnership_id=p3))
    cat.areas.add(Area("D", partnership_id=p3, drawn=shapely.box(X0, Y0, X0 + 900, Y0 + 900)))
    p4 = cat.partnerships.add(Partnership("P4")).id
    cat.areas.add(Area("E", partnership_id=p4, drawn=shapely.box(X0, Y0, X0 + 900, Y0 + 900)))
    return p3, p4
