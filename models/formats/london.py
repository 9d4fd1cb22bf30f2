"""London's boundaries, shipped with the app so the example works offline on a fresh machine.

resources/boundaries holds the ONS December 2020 and December 2022 London wards, the 33
London boroughs of 2020 and the ONS mid-2020 ward populations, gzipped (about 0.2 MB in
all; resources/boundaries/README.md says where each comes from). They are published under
the Open Government Licence v3.0, which allows redistribution with the attribution: each
layer carries its own in the catalogue (boundary_layers.licence).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.catalogue.layers import Progress
from models.formats.boundary_import import import_boundaries

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "boundaries"
WARDS_2020 = FOLDER / "london_wards_2020.geojson.gz"
WARDS_2022 = FOLDER / "london_wards_2022.geojson.gz"
BOROUGHS_2020 = FOLDER / "london_boroughs_2020.geojson.gz"
POPULATION_2020 = FOLDER / "london_ward_population_mid2020.csv.gz"

_OGL = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0."
_NS, _OS = "Contains National Statistics data © Crown copyright and database right", \
    "Contains OS data © Crown copyright and database right"


@dataclass(frozen=True)
class ShippedLayer:
    key: str
    path: Path
    name: str
    level: str
    source: str          # the ONS product, as the layer's source
    licence: str         # the attribution the licence asks for, kept with the layer
    population: Path | None = None


LAYERS = (
    ShippedLayer("wards_2020", WARDS_2020, "London wards 2020", "ward",
                 "ONS Wards (December 2020) UK BGC, London; mid-2020 ward population estimates (SAPE23DT8a)",
                 f"{_OGL} {_NS} 2021. {_OS} 2021.", POPULATION_2020),
    ShippedLayer("wards_2022", WARDS_2022, "London wards 2022", "ward",
                 "ONS Wards (December 2022) Boundaries UK BSC, London (simplified)",
                 f"{_OGL} {_OS} 2022."),
    ShippedLayer("boroughs_2020", BOROUGHS_2020, "London boroughs 2020", "borough",
                 "ONS Local Authority Districts (May 2020) UK BGC, London",
                 f"{_OGL} {_NS} 2020. {_OS} 2020."),
)


def import_london(cat, progress: Progress | None = None) -> dict[str, int]:
    """The shipped London layers imported into `cat` (inside the caller's edit, if any);
    returns each layer's id by key."""
    ids = {}
    with cat.store.edit():
        for k, layer in enumerate(LAYERS):
            def step(fraction, text, k=k):
                if progress:
                    progress((k + fraction) / len(LAYERS), text)
            revert, _ = import_boundaries(cat, layer.path, name=layer.name, level=layer.level,
                                          population=layer.population, licence=layer.licence,
                                          source_text=layer.source, progress=step)
            ids[layer.key] = revert.id
    return ids
