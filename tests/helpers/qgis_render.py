"""Renders a catalogue's layers with QGIS itself, headless, using the default styles stored
in the file, to see what a QGIS user sees on opening it.

    python3 tests/helpers/qgis_render.py CATALOGUE.gpkg OUT.png [--scale N] [--layer L …]

Needs QGIS's Python bindings (Debian: apt-get install python3-qgis qgis-providers), which
live in the system Python, not in the app's .venv. Prints, per layer, whether QGIS found
the stored default style and which renderer it built; exits 1 if a layer did not load.
"""
from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalogue")
    parser.add_argument("out")
    parser.add_argument("--layer", action="append", help="layers, bottom first (default: boundary_units areas)")
    parser.add_argument("--scale", type=float, help="map scale denominator (default: the areas' extent)")
    parser.add_argument("--size", default="1000x800", help="image size in pixels, WxH")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import (
        QgsApplication,
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsRectangle,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    app = QgsApplication([], False)
    app.initQgis()
    layers = []
    for name in args.layer or ["boundary_units", "areas"]:
        layer = QgsVectorLayer(f"{args.catalogue}|layername={name}", name, "ogr")
        if not layer.isValid():
            print(f"{name}: QGIS could not load it", file=sys.stderr)
            return 1
        renderer = layer.renderer()
        kind = renderer.type() if renderer else "none"
        detail = ""
        if kind == "categorizedSymbol":
            cats = renderer.categories()
            detail = f", {len(cats)} categories by '{renderer.classAttribute()}', first: " + (
                f"{cats[0].label()} {cats[0].symbol().color().name(QColor.HexArgb)}" if cats else "none")
        styles = layer.listStylesInDatabase()
        print(f"{name}: {layer.featureCount()} features, renderer {kind}{detail}, labels "
              f"{'on' if layer.labelsEnabled() else 'off'}, stored styles {list(styles[2])}")
        layers.append(layer)
    settings = QgsMapSettings()
    settings.setLayers(list(reversed(layers)))   # QGIS draws the first layer on top
    settings.setBackgroundColor(QColor("white"))
    width, height = (int(v) for v in args.size.split("x"))
    settings.setOutputSize(QSize(width, height))
    settings.setDestinationCrs(layers[-1].crs())
    extent = QgsRectangle(layers[-1].extent())
    extent.scale(1.05)
    settings.setExtent(extent)
    if args.scale:   # zoom in on the centre to the scale asked for
        centre = extent.center()
        half_w = args.scale * width * 0.0254 / settings.outputDpi() / 2
        half_h = half_w * height / width
        settings.setExtent(QgsRectangle(centre.x() - half_w, centre.y() - half_h,
                                        centre.x() + half_w, centre.y() + half_h))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(args.out)
    print(f"wrote {args.out} at 1:{settings.scale():,.0f}", flush=True)
    # QGIS can crash tearing down layers that outlive exitQgis(): drop them first.
    del job, settings, layers, layer
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
