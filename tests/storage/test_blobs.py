"""Many geometries made GeoPackage blobs at once, as one at a time would."""
import json
import math
from datetime import date

import numpy as np
import shapely

from models.catalogue.layers import _attributes_json, _attributes_texts, _column_texts
from models.storage import gpkg


def test_blobs_made_together_are_those_made_one_by_one():
    geoms = np.array([shapely.box(0.5, 1, 2, 3.25),
                      shapely.MultiPolygon([shapely.box(5, 6, 7, 9), shapely.box(-3, -2, -1, 0)])],
                     dtype=object)
    assert gpkg.to_blobs(geoms, 27700) == [gpkg.to_blob(g, 27700) for g in geoms]
    assert [gpkg.from_blob(b).equals_exact(g, 0) for b, g in zip(gpkg.to_blobs(geoms), geoms)] == [True, True]


def test_attributes_encoded_by_column_are_those_encoded_by_row():
    one = _attributes_json
    layers = [
        [{"a": "x", "b": 1, "c": None}, {"a": 'é"\n', "b": 2.5, "c": True},
         {"a": "z", "b": math.nan, "c": date(2020, 1, 1)}],
        [{"a": 1}, {"b": 2}],                              # keys differ: row by row
        [{"a": "x", "b": "y"}, {"b": "y", "a": "x"}],      # order differs: row by row
        [{}, {}], [],
    ]
    for attributes in layers:
        assert _attributes_texts(attributes) == [one(a) for a in attributes]
        assert [one(a) for a in attributes] == [json.dumps(a, ensure_ascii=False, default=str) for a in attributes]


def test_attributes_given_by_column_are_encoded_as_each_unit_dict_would_be():
    columns = [
        {"a": ["x", 'é"\n', "z"], "b": [1, 2.5, math.nan], "c": [None, True, date(2020, 1, 1)]},
        {"100%": ["p", "q", "r"], "%s": [1, 2, 3]},     # keys a format would take for its own
        {"only": [None, None, None]},
        {},
    ]
    for by_column in columns:
        rows = [dict(zip(by_column, row)) for row in zip(*by_column.values())] if by_column else [{}] * 3
        assert _column_texts(by_column, 3) == [json.dumps(a, ensure_ascii=False, default=str) for a in rows]
