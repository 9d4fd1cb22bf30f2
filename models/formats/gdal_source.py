"""Reading a boundary file through GDAL (pyogrio): which path GDAL reads, which layer,
and GDAL's complaints in a researcher's words.

GeoJSON (also .geojson.gz), a Shapefile (.shp, or a .zip holding one) and GeoPackage
layers. Nothing here knows about catalogues: it hands back pyogrio's arrays.
"""
from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyogrio.raw

from models.errors import CatalogueError


def read_layer(source: Path, layer: str | None = None, *, ask: bool = True, **options):
    """(layer, meta, wkbs, values) as pyogrio.raw.read gives them, for the chosen layer.

    ask: refuse a file with several polygon layers and no layer named, rather than take
    the first. Any failure is a CatalogueError naming the file, without GDAL's paths."""
    gdal_path = _gdal_path(source)
    try:
        with _readable(source) as gdal_path:
            layer = _choose_layer(source, gdal_path, layer, ask=ask)
            meta, _, wkbs, values = pyogrio.raw.read(gdal_path, layer=layer, **options)
    except CatalogueError:
        raise
    except Exception as e:  # pyogrio raises several kinds; all mean "cannot read"
        raise CatalogueError(f"cannot read {source.name}: {_gdal_message(e, source, gdal_path)}") from None
    return layer, meta, wkbs, values


def _gdal_path(path: Path) -> str:
    if path.name.lower().endswith(".zip"):
        return "/vsizip/" + str(path.resolve())
    return str(path)


@contextlib.contextmanager
def _readable(source: Path) -> Iterator[str]:
    """The path GDAL should read `source` at. A .gz is unpacked to a temporary file first:
    GDAL's /vsigzip/ remembers a file by its name and misreads it once it is replaced
    (a corrected download saved over the old one) within the same session."""
    if not source.name.lower().endswith(".gz"):
        yield _gdal_path(source)
        return
    with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
        unpacked = Path(tmp) / (source.name[:-3] or "unpacked")
        try:
            with gzip.open(source, "rb") as packed, open(unpacked, "wb") as out:
                shutil.copyfileobj(packed, out, 1 << 20)
        except (gzip.BadGzipFile, EOFError, zlib.error):
            raise CatalogueError(f"cannot read {source.name}: it is not gzip data, or is damaged "
                                 "or cut short") from None
        except OSError as e:
            raise CatalogueError(f"cannot read {source.name}: {e.strerror or e}") from None
        yield str(unpacked)


def first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    # GDAL appends advice on driver prefixes that means nothing to a researcher.
    return text[0].split("; It might help")[0].rstrip(".") if text else e.__class__.__name__


def _gdal_message(e: Exception, source: Path, gdal_path: str) -> str:
    """GDAL's complaint in the researcher's terms: the file's name, not GDAL's paths or source lines."""
    if isinstance(e, UnicodeDecodeError):   # pyogrio decoding a value in another encoding
        return "some of its text is not UTF-8"
    text = first_line(e)
    if "decompression failed" in text:   # a damaged member of a zip
        return "its compressed data is damaged or cut short"
    zipped = gdal_path.startswith("/vsizip/")
    if zipped and "does not exist in the file system" in text:
        return f"it holds no {_SHAPEFILE}" if zipfile.is_zipfile(source) else "it is not a readable zip file"
    if "not recognized as being in a supported file format" in text:
        return f"it holds no {_SHAPEFILE}" if zipped else "it is not GeoJSON, a Shapefile or a GeoPackage"
    text = re.sub(r"In file \S+, at line \d+, ", "", text)
    for spelled in (gdal_path, str(source.resolve()), str(source)):
        text = text.replace(spelled, source.name)
    return text


# Files that may hold several layers: the import takes the polygon layer, or asks which.
_MULTI_LAYER = (".gpkg", ".sqlite", ".zip")
_SHAPEFILE = "Shapefile (.shp with its .shx and .dbf) that can be read"


def _choose_layer(source: Path, gdal_path: str, layer: str | None, *, ask: bool = True) -> str | None:
    """The layer to read from a GeoPackage or zip (None for single-layer formats)."""
    if source.suffix.lower() not in _MULTI_LAYER:
        return layer
    layers = pyogrio.list_layers(gdal_path)
    names = [str(n) for n, _ in layers]
    if not names:
        what = _SHAPEFILE if source.suffix.lower() == ".zip" else "layer of features"
        raise CatalogueError(f"{source.name} holds no {what}")
    if layer is not None:
        if layer not in names:
            raise CatalogueError(f"{source.name} has no layer '{layer}' (layers: {', '.join(names)})")
        return layer
    polygon_layers = [str(n) for n, t in layers if t and "Polygon" in t]
    if len(polygon_layers) > 1 and ask:
        raise CatalogueError(f"{source.name} has several polygon layers; choose one "
                             f"({', '.join(polygon_layers)})")
    return polygon_layers[0] if polygon_layers else names[0]
