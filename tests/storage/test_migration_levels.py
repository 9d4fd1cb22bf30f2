"""A catalogue made before levels of detail were stored opens, migrates, keeps its layer,
and its map is drawn with levels computed as before; a new import stores them."""
from models.catalogue import Catalogue
from models.formats.boundary_import import import_boundaries, prepare_map_levels
from models.geo.detail import LEVELS
from models.storage import schema
from models.storage.check import problems
from tests.helpers.grid import write_grid_geojson


def test_a_catalogue_from_before_stored_levels_migrates_and_its_map_still_draws(tmp_path, monkeypatch):
    path = tmp_path / "old.gpkg"
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.migration_layer_levels)]
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", before)
        m.setattr(schema, "SCHEMA_VERSION", len(before))
        old = Catalogue.create(path)
        import_boundaries(old, write_grid_geojson(tmp_path / "grid.geojson"), name="Grid", level="ward")
        assert not old.store.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name='boundary_levels'").fetchone()
        old.close()
    with Catalogue.open(path) as cat:
        assert cat.store.conn.execute(
            "SELECT value FROM atlas_meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        layer_id = cat.layers.all()[0].id
        assert cat.layers.level_tolerances(layer_id) == [] and cat.layers.unit_count(layer_id) == 12
        from ui.map.layer import MapLayer  # the map's layer, as the tab loads it
        layer = MapLayer()
        layer.load(cat, layer_id)
        assert layer.geometry.parents(160.0)[0] == ["B1", "B2"]   # computed, as before
        prepare_map_levels(cat, layer_id)   # the step a new import runs, on the migrated file
        assert cat.layers.level_tolerances(layer_id) == sorted(t for t in LEVELS if t > 0)
        assert problems(cat) == []   # still a GeoPackage and a catalogue by every check
