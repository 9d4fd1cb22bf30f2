"""London's boundaries shipped with the app: small, attributed, and complete."""
import gzip
import json

import pytest

from models.errors import CatalogueError
from models.formats import london
from models.formats.boundary_import import import_boundaries
from tests.helpers.catalogues import snapshot


def test_the_shipped_files_are_small_and_carry_their_attribution():
    files = [layer.path for layer in london.LAYERS] + [london.POPULATION_2020]
    assert sum(f.stat().st_size for f in files) < 500_000     # well under the 2 MB allowed
    for layer in london.LAYERS:
        collection = json.loads(gzip.decompress(layer.path.read_bytes()))
        assert collection["attribution"] == layer.licence
        assert "Open Government Licence v.3.0" in layer.licence
    readme = (london.FOLDER / "README.md").read_text(encoding="utf-8")
    assert all(layer.licence.split(". ", 1)[1] in readme.replace("\n  ", " ") for layer in london.LAYERS)


def test_import_london_is_three_layers_in_one_edit(cat):
    before = snapshot(cat)
    with cat.store.edit() as revert:
        ids = london.import_london(cat)
    assert [cat.layers.unit_count(ids[k]) for k in ("wards_2020", "wards_2022", "boroughs_2020")] == [657, 704, 33]
    wards = cat.layers.table(ids["wards_2020"])
    assert sum(g.area for g in wards.geometries) / 1e6 == pytest.approx(1573.39, abs=0.1)
    boroughs = cat.layers.table(ids["boroughs_2020"])
    assert sum(g.area for g in boroughs.geometries) / 1e6 == pytest.approx(1573.36, abs=0.1)
    revert()
    assert snapshot(cat) == before


def test_a_damaged_gzip_population_is_one_line_and_writes_nothing(cat, tmp_path):
    bad = tmp_path / "population.csv.gz"
    bad.write_bytes(london.POPULATION_2020.read_bytes()[:300])
    before = snapshot(cat)
    with pytest.raises(CatalogueError) as info:
        import_boundaries(cat, london.WARDS_2020, population=bad)
    assert str(info.value).startswith("cannot read population.csv.gz: it is damaged")
    assert len(str(info.value).splitlines()) == 1
    assert snapshot(cat) == before
