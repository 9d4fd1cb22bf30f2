"""Rebuilds the London files shipped here from the ONS data they come from (see README.md).

    python resources/boundaries/build.py ../shared/data

Coordinates are rounded to 5 decimal places of a degree (about a metre, as in the 2020
files already) and everything is gzipped with a fixed timestamp, so the same input gives
the same bytes. The attribution goes into each file beside the features.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import shapely

HERE = Path(__file__).resolve().parent
SOURCE = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
FILES = {  # shipped name -> (source name, attribution)
    "london_wards_2020.geojson.gz": ("london_wards_2020_bgc.geojson", (
        SOURCE, "Contains National Statistics data © Crown copyright and database right 2021",
        "Contains OS data © Crown copyright and database right 2021")),
    "london_wards_2022.geojson.gz": ("london_wards_2022_bsc.geojson", (
        SOURCE, "Contains OS data © Crown copyright and database right 2022")),
    "london_boroughs_2020.geojson.gz": ("london_boroughs_2020_bgc.geojson", (
        SOURCE, "Contains National Statistics data © Crown copyright and database right 2020",
        "Contains OS data © Crown copyright and database right 2020")),
    "london_ward_population_mid2020.csv.gz": ("ward_population_mid2020_london.csv", (
        SOURCE, "Contains National Statistics data © Crown copyright and database right 2021")),
}


def _rounded(geometry: dict) -> dict:
    shape = shapely.geometry.shape(geometry)
    rounded = shapely.set_precision(shape, 1e-5)
    if not rounded.is_valid or rounded.is_empty:
        raise SystemExit(f"rounding broke a geometry: {shapely.is_valid_reason(rounded)}")
    return json.loads(shapely.to_geojson(shapely.transform(rounded, lambda xy: xy.round(5))))


def build(data: Path) -> None:
    for name, (source, attribution) in FILES.items():
        raw = (data / source).read_bytes()
        if name.endswith(".geojson.gz"):
            collection = json.loads(raw)
            for feature in collection["features"]:
                feature["geometry"] = _rounded(feature["geometry"])
            collection = {"type": "FeatureCollection", "name": collection.get("name", source.split(".")[0]),
                          "attribution": " ".join(a + "." for a in attribution),
                          "crs": collection["crs"], "features": collection["features"]}
            raw = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (HERE / name).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        print(f"{name}: {len(raw):,} bytes, {(HERE / name).stat().st_size:,} compressed")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data"))
