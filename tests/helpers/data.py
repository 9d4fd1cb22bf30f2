"""Where the real ONS data is (../shared/data beside the checkout, or $ATLAS_DATA)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("ATLAS_DATA", ROOT.parent / "shared" / "data"))
SEEDS = DATA.parent / "seeds"
LONDON_WARDS = DATA / "london_wards_2020_bgc.geojson"
LONDON_POPULATION = DATA / "ward_population_mid2020_london.csv"
EW_WARDS = DATA / "england_wales_wards_2020_bgc.geojson.gz"

needs_data = pytest.mark.skipif(not LONDON_WARDS.exists(),
                                reason="ONS data folder ../shared/data is not beside this checkout")
