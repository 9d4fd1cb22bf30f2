"""Default styles for QGIS, kept in the file the way QGIS keeps them: the GeoPackage
`layer_styles` table, whose default row QGIS applies when it opens a layer.

Without them QGIS draws every area in one opaque random colour, so the overlapping
areas of a catalogue look like one blob. Areas get a categorised style: one category per
area (by fid, labelled with its name) in the area's own colour, filled translucently so
overlaps show, with an outline in the same colour. Boundary units get thin grey outlines,
labelled by name once zoomed in far enough to read them.

Only rows named STYLE_NAME are ours: styles a user saved from QGIS are left alone, and if
the user made another style the default, ours stays in the table without taking it back.
"""
from __future__ import annotations

import sqlite3
from xml.sax.saxutils import quoteattr

STYLE_NAME = "Partnership Atlas"
FILL_ALPHA = 0.3          # translucent: where areas overlap, both stay visible
LABEL_SCALE = 60_000      # unit names are drawn from 1:60,000 inwards (a borough or so on screen)
UNIT_EDGE = "120,120,120,255"

# The table exactly as QGIS 3 (through GDAL) creates it in a GeoPackage.
CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")
DESCRIPTION = "Default QGIS styles of the areas and boundary units (written by Partnership Atlas)"


def _rgb(colour: str) -> tuple[int, int, int]:
    text = (colour or "").lstrip("#")
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return 0, 114, 178   # an unreadable colour draws in the palette's first


def _props(values: dict[str, str]) -> str:
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())


def _fill_symbol(name: str, fill: str | None, outline: str, width: str) -> str:
    """A simple fill (none when `fill` is None) with an outline `width` mm wide."""
    return (f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleFill" enabled="1" pass="0" locked="0">'
            + _props({"color": fill or "255,255,255,0", "style": "solid" if fill else "no",
                      "outline_color": outline, "outline_style": "solid", "outline_width": width,
                      "outline_width_unit": "MM", "joinstyle": "round", "offset": "0,0",
                      "offset_unit": "MM"})
            + "</layer></symbol>")


def _qml(renderer: str, labeling: str = "") -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="3.22.0" styleCategories="Symbology|Labeling" '
            f'labelsEnabled="{1 if labeling else 0}">'
            f"{renderer}{labeling}<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
            "<layerOpacity>1</layerOpacity></qgis>\n")


def areas_qml(areas: list[tuple[int, str, str]]) -> str:
    """One category per (fid, name, colour), in the area's colour."""
    categories, symbols = [], []
    for i, (fid, name, colour) in enumerate(areas):
        r, g, b = _rgb(colour)
        categories.append(f'<category value="{int(fid)}" label={quoteattr(name)} symbol="{i}" render="true"/>')
        symbols.append(_fill_symbol(str(i), f"{r},{g},{b},{round(FILL_ALPHA * 255)}", f"{r},{g},{b},255", "0.6"))
    renderer = ('<renderer-v2 type="categorizedSymbol" attr="fid" symbollevels="0" forceraster="0" '
                'enableorderby="0">'
                f"<categories>{''.join(categories)}</categories><symbols>{''.join(symbols)}</symbols>"
                "</renderer-v2>")
    return _qml(renderer)


def units_qml() -> str:
    renderer = ('<renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0">'
                f"<symbols>{_fill_symbol('0', None, UNIT_EDGE, '0.2')}</symbols></renderer-v2>")
    labeling = (
        '<labeling type="simple"><settings calloutType="simple">'
        '<text-style fieldName="name" isExpression="0" fontSize="8" fontSizeUnit="Point" '
        'textColor="60,60,60,255" textOpacity="1" fontWeight="50" fontItalic="0" namedStyle="Regular">'
        '<text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" '
        'bufferOpacity="0.8" bufferNoFill="1" bufferJoinStyle="128"/></text-style>'
        '<text-format wrapChar="" autoWrapLength="12" useMaxLineLengthForAutoWrap="1" multilineAlign="3"/>'
        '<placement placement="1" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" priority="5"/>'
        # QGIS's names run backwards: scaleMax is the most zoomed-out scale that shows labels.
        f'<rendering scaleVisibility="1" scaleMin="0" scaleMax="{LABEL_SCALE}" obstacle="1" '
        'displayAll="0" upsidedownLabels="0" limitNumLabels="0" mergeLines="0" drawLabels="1"/>'
        "</settings></labeling>")
    return _qml(renderer, labeling)


def _sld_fill(rule_name: str, fill: str | None, opacity: float, stroke: str, width_px: float,
              filter_fid: int | None = None) -> str:
    where = ("" if filter_fid is None else
             "<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>fid</ogc:PropertyName>"
             f"<ogc:Literal>{int(filter_fid)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>")
    fill_xml = ("" if fill is None else
                f'<se:Fill><se:SvgParameter name="fill">{fill}</se:SvgParameter>'
                f'<se:SvgParameter name="fill-opacity">{opacity}</se:SvgParameter></se:Fill>')
    return (f"<se:Rule><se:Name>{_text(rule_name)}</se:Name>{where}<se:PolygonSymbolizer>{fill_xml}"
            f'<se:Stroke><se:SvgParameter name="stroke">{stroke}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{width_px}</se:SvgParameter></se:Stroke>'
            "</se:PolygonSymbolizer></se:Rule>")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sld(layer: str, rules: str) -> str:
    """The same style as OGC SLD 1.1, for other programs (QGIS uses the QML)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.1.0" '
            'xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{STYLE_NAME}</se:Name>"
            f"<se:FeatureTypeStyle>{rules}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
            "</StyledLayerDescriptor>\n")


def areas_sld(areas: list[tuple[int, str, str]]) -> str:
    return _sld("areas", "".join(
        _sld_fill(name, colour.upper(), FILL_ALPHA, colour.upper(), 2, fid) for fid, name, colour in areas))


def units_sld() -> str:
    return _sld("boundary_units", _sld_fill("Boundary units", None, 0, "#787878", 0.5))


def _area_rows(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    return conn.execute("SELECT fid, name, colour FROM areas ORDER BY name COLLATE NOCASE, fid").fetchall()


_NEEDED = {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
           "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"}


def has_table(conn: sqlite3.Connection) -> bool:
    """Whether the file has a layer_styles table we can write: one another program made
    with other columns is left alone rather than failing the edit or the upgrade."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(layer_styles)")}
    return _NEEDED <= columns


def create(conn: sqlite3.Connection) -> None:
    """The table (unless QGIS made it already), registered as GeoPackage attributes, with our styles."""
    conn.execute(CREATE_TABLE)
    conn.execute("INSERT OR IGNORE INTO gpkg_contents(table_name, data_type, identifier, description) "
                 "VALUES ('layer_styles', 'attributes', 'layer_styles', ?)", (DESCRIPTION,))
    if not has_table(conn):
        return
    write(conn, "boundary_units", units_qml(), units_sld(), "Boundary units: thin grey outlines, named "
          f"from 1:{LABEL_SCALE:,} inwards")
    refresh_areas(conn)


def refresh_areas(conn: sqlite3.Connection) -> None:
    """Bring the areas' style in step with their names and colours (inside the caller's
    transaction, so an edit and its style commit or roll back together)."""
    if not has_table(conn):
        return
    rows = _area_rows(conn)
    write(conn, "areas", areas_qml(rows), areas_sld(rows),
          "Areas: one category per area in its own colour, translucent, outlined")


def write(conn: sqlite3.Connection, table: str, qml: str, sld: str, description: str) -> None:
    row = conn.execute("SELECT id, styleQML FROM layer_styles WHERE f_table_name=? AND styleName=? "
                       "ORDER BY id LIMIT 1", (table, STYLE_NAME)).fetchone()
    if row is None:
        # Ours is the default unless the user already chose one of their own in QGIS.
        default = conn.execute("SELECT 1 FROM layer_styles WHERE f_table_name=? AND useAsDefault",
                               (table,)).fetchone() is None
        conn.execute(
            "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
            "VALUES ('', '', ?, 'geom', ?, ?, ?, ?, ?, '', NULL)",
            (table, STYLE_NAME, qml, sld, int(default), description))
    elif row[1] != qml:   # unchanged styles are not rewritten: most area edits change neither
        conn.execute("UPDATE layer_styles SET styleQML=?, styleSLD=?, description=?, "
                     "update_time=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?",
                     (qml, sld, description, row[0]))
