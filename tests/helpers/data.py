"""Where the real ONS data is: London's ships with the app (resources/boundaries), so tests
of it run on every clone; England & Wales is in ../shared/data beside the checkout, or $ATLAS_DATA."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
from pathlib import Path

import pytest

from models.formats import london

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("ATLAS_DATA", ROOT.parent / "shared" / "data"))
SEEDS = DATA.parent / "seeds"
LONDON_WARDS = london.WARDS_2020
LONDON_WARDS_2022 = london.WARDS_2022
LONDON_BOROUGHS = london.BOROUGHS_2020
LONDON_POPULATION = london.POPULATION_2020
EW_WARDS = DATA / "england_wales_wards_2020_bgc.geojson.gz"

needs_data = pytest.mark.skipif(not EW_WARDS.exists(),
                                reason="ONS data folder ../shared/data is not beside this checkout")


def london_population_rows() -> list[dict]:
    """The shipped mid-2020 London ward population table, row by row."""
    return list(csv.DictReader(io.StringIO(gzip.decompress(LONDON_POPULATION.read_bytes()).decode("utf-8"))))


def london_ward_features() -> list[dict]:
    return json.loads(gzip.decompress(LONDON_WARDS.read_bytes()))["features"]
