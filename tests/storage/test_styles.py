"""Default QGIS styles stored in the file (GeoPackage layer_styles), kept in step with the areas."""
import sqlite3
import xml.etree.ElementTree as ET

from models.catalogue import Catalogue
from models.catalogue.records import Area, Partnership
from models.formats.export import export
from models.storage import styles
from models.storage.check import problems

# The columns and types of layer_styles as QGIS 3.22 creates it in a GeoPackage (through GDAL).
QGIS_COLUMNS = [
    ("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"), ("f_geometry_column", "TEXT(256)"), ("styleName", "TEXT(30)"),
    ("styleQML", "TEXT"), ("styleSLD", "TEXT"), ("useAsDefault", "BOOLEAN"), ("description", "TEXT"),
    ("owner", "TEXT(30)"), ("ui", "TEXT(30)"), ("update_time", "DATETIME")]


def style(cat, table):
    return cat.store.conn.execute(
        "SELECT styleQML, styleSLD, useAsDefault FROM layer_styles WHERE f_table_name=? AND styleName=?",
        (table, styles.STYLE_NAME)).fetchone()


def categories(cat):
    """(fid, label, fill colour) of each category of the areas' default style."""
    root = ET.fromstring(style(cat, "areas")[0].split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "fid")
    fills = {s.get("name"): s.find("layer/prop[@k='color']").get("v") for s in renderer.iter("symbol")}
    return [(int(c.get("value")), c.get("label"), fills[c.get("symbol")]) for c in renderer.iter("category")]


def test_a_new_catalogue_is_a_geopackage_1_2_with_qgis_styles(cat):
    conn = cat.store.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 10200
    assert [(r[1], r[2]) for r in conn.execute("PRAGMA table_info(layer_styles)")] == QGIS_COLUMNS
    assert conn.execute("SELECT data_type, identifier FROM gpkg_contents WHERE table_name='layer_styles'"
                        ).fetchone() == ("attributes", "layer_styles")
    units_qml, units_sld, default = style(cat, "boundary_units")
    assert default == 1
    root = ET.fromstring(units_qml.split("\n", 1)[1])
    assert root.find("labeling/settings/text-style").get("fieldName") == "name"
    rendering = root.find("labeling/settings/rendering")
    assert (rendering.get("scaleVisibility"), rendering.get("scaleMax")) == ("1", str(styles.LABEL_SCALE))
    assert root.find("renderer-v2/symbols/symbol/layer/prop[@k='style']").get("v") == "no"   # outlines only
    ET.fromstring(units_sld)
    assert categories(cat) == [] and problems(cat) == []


def test_areas_added_recoloured_renamed_and_undone_keep_the_style_in_step(grid_cat):
    cat = grid_cat
    layer = cat.layers.all()[0]
    north = cat.areas.add(Area("North", colour="#0072B2", layer_id=layer.id)).id
    assert categories(cat) == [(north, "North", "0,114,178,76")]
    south = cat.areas.add(Area("South & Co <1>", colour="#E69F00", layer_id=layer.id)).id
    assert categories(cat) == [(north, "North", "0,114,178,76"), (south, "South & Co <1>", "230,159,0,76")]
    undo = cat.areas.update(Area("Nord", colour="#D55E00", layer_id=layer.id, id=north))
    assert categories(cat)[0] == (north, "Nord", "213,94,0,76")
    redo = undo()
    assert categories(cat)[0] == (north, "North", "0,114,178,76")
    redo()
    assert categories(cat)[0] == (north, "Nord", "213,94,0,76")
    cat.areas.delete(south)
    assert categories(cat) == [(north, "Nord", "213,94,0,76")]
    ET.fromstring(style(cat, "areas")[1])   # the SLD is well formed, names escaped


def test_a_style_the_user_made_default_in_qgis_stays_default(cat):
    conn = cat.store.conn
    with conn:
        conn.execute("UPDATE layer_styles SET useAsDefault=0 WHERE f_table_name='areas'")
        conn.execute("INSERT INTO layer_styles(f_table_name, f_geometry_column, styleName, styleQML, "
                     "useAsDefault) VALUES ('areas', 'geom', 'mine', '<qgis/>', 1)")
    cat.areas.add(Area("Drawn", colour="#009E73"))
    assert style(cat, "areas")[2] == 0 and len(categories(cat)) == 1
    assert conn.execute("SELECT styleQML, useAsDefault FROM layer_styles WHERE styleName='mine'"
                        ).fetchone() == ("<qgis/>", 1)


def test_a_file_of_the_first_schema_gets_the_styles_and_version_when_opened(tmp_path):
    path = tmp_path / "old.gpkg"
    cat = Catalogue.create(path)
    cat.areas.add(Area("Kept", colour="#CC79A7"))
    cat.close()
    conn = sqlite3.connect(path)
    with conn:   # as the first schema wrote it
        conn.execute("DROP TABLE layer_styles")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name='layer_styles'")
        conn.execute("UPDATE atlas_meta SET value='1' WHERE key='schema_version'")
    conn.execute("PRAGMA user_version=10400")
    conn.close()
    with Catalogue.open(path) as cat:
        assert cat.store.conn.execute("PRAGMA user_version").fetchone()[0] == 10200
        assert [label for _, label, _ in categories(cat)] == ["Kept"]
        assert problems(cat) == []


def test_an_export_of_some_partnerships_styles_only_their_areas(cat, tmp_path):
    keep = cat.partnerships.add(Partnership("Kept")).id
    drop = cat.partnerships.add(Partnership("Dropped")).id
    cat.areas.add(Area("Kept area", partnership_id=keep))
    cat.areas.add(Area("Dropped area", partnership_id=drop))
    export(cat, tmp_path / "some.gpkg", ["Kept"])
    with Catalogue.open(tmp_path / "some.gpkg") as some:
        assert [label for _, label, _ in categories(some)] == ["Kept area"]


def test_a_layer_styles_table_of_another_shape_is_left_alone(tmp_path):
    path = tmp_path / "odd.gpkg"
    cat = Catalogue.create(path)
    cat.close()
    conn = sqlite3.connect(path)
    with conn:   # a first-schema file where some other program made its own layer_styles
        conn.execute("DROP TABLE layer_styles")
        conn.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_name TEXT, styleQML TEXT)")
        conn.execute("INSERT INTO layer_styles VALUES (1, 'areas', '<theirs/>')")
        conn.execute("UPDATE atlas_meta SET value='1' WHERE key='schema_version'")
    conn.close()
    with Catalogue.open(path) as cat:
        cat.areas.add(Area("Still editable"))
        assert cat.store.conn.execute("SELECT * FROM layer_styles").fetchall() == [(1, "areas", "<theirs/>")]
        assert problems(cat) == []
