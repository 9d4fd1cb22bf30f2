"""A boundary layer whose edges meet without shared vertices imports and draws: the map
tab opens on it, zooms in and out, and outlines its boroughs."""
import numpy as np
import shapely
from PySide6.QtCore import QPoint

from models.catalogue.records import BoundaryLayer
from models.formats.boundary_import import import_boundaries
from tests.helpers.map_gui import open_map_tab
from tests.helpers.unnoded import unnoded_features, write_unnoded_geojson
from tests.ui.map.test_navigation import wheel


def assert_draws(qtbot, cat):
    tab = open_map_tab(qtbot, cat)
    view = tab.view
    vp = view.viewport()
    centre = QPoint(vp.width() // 2, vp.height() // 2)
    for notches in (3, -6, 3):   # in to single units, out to the overview, back
        wheel(view, centre, notches)
        vp.grab()
    codes, outlines = view.geometry_lod.parents(view.geometry_lod.level_for(view.metres_per_pixel()))
    assert codes == ["B1", "B2"]
    assert [o.area for o in outlines] == [6e6, 6e6]
    return tab


def test_an_unnoded_layer_imports_noded_and_the_map_draws_it(cat, qtbot, tmp_path):
    _, data = import_boundaries(cat, write_unnoded_geojson(tmp_path / "cut.geojson"))
    assert data.noded   # the cut squares and their neighbours gained the missing vertices
    assert shapely.coverage_is_valid(cat.layers.table(cat.layers.all()[0].id).geometries)
    assert_draws(qtbot, cat)


def test_an_unnoded_layer_stored_before_imports_noded_still_draws(cat, qtbot):
    feats = unnoded_features()
    geoms = np.array([shapely.Polygon(ring) for _, _, ring in feats], dtype=object)
    cat.layers.add(BoundaryLayer(name="Cut wards", level="ward"), [c for c, _, _ in feats],
                   [c for c, _, _ in feats], [b for _, b, _ in feats], [None] * len(feats),
                   [{} for _ in feats], geoms)
    assert not shapely.coverage_is_valid(cat.layers.table(cat.layers.all()[0].id).geometries)
    assert_draws(qtbot, cat)
