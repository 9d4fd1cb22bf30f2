"""Reference geographies in: the London starter pack on the example (the issue's done-when),
a CSV and a boundary file, and bad input that writes nothing."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from models.analysis.coterminosity import measure
from models.catalogue import Catalogue
from models.errors import CatalogueError
from models.formats.reference_pack import PACKS, import_csv, import_pack, import_references, read_pack
from tests.helpers.catalogues import snapshot

WARDS_2022 = Path(__file__).resolve().parents[2] / "resources" / "boundaries" / "london_wards_2022.geojson.gz"


def test_the_pack_is_cited_and_covers_london_once_per_geography():
    geographies = dict((g.name, areas) for g, areas in read_pack("london"))
    icbs = geographies["London ICBs 2022"]
    assert sorted(a.code for a in icbs) == [f"E5400002{k}" for k in range(7, 10)] + ["E54000030", "E54000031"]
    london = {f"E09{k:06d}" for k in range(1, 34)}
    for name in ("London ICBs 2022", "London police force areas"):
        codes = [c for a in geographies[name] for c, _ in a.authorities]
        assert sorted(codes) == sorted(london), name      # every borough in exactly one area
    met = next(a for a in geographies["London police force areas"] if a.code == "E23000001")
    assert len(met.authorities) == 32 and "E09000001" not in [c for c, _ in met.authorities]
    clf = next(a for a in geographies["London sub-regional partnerships"] if a.name == "Central London Forward")
    assert sorted(c for c, role in clf.authorities if role == "associate") == ["E09000014", "E09000023"]
    for g, areas in read_pack("london"):
        assert g.source_title and g.notes, g.name
        assert all(a.source_title for a in areas)


def _expected_categories(cat, tolerance=0.02):
    """Each derived (borough-based) area's category against the 2022 ICBs, from the ward file and
    the pack's borough lists alone: wards counted with plain sets."""
    wards = json.loads(gzip.decompress(WARDS_2022.read_bytes()))["features"]
    ward_lad = {f["properties"]["WD22CD"]: f["properties"]["LAD22CD"] for f in wards}
    pack = json.loads((PACKS / "london.json").read_text())
    icbs = next(g for g in pack["geographies"] if g["name"] == "London ICBs 2022")["areas"]
    icb_wards = {a["name"]: {w for w, lad in ward_lad.items() if lad in {c for c, _ in a["authorities"]}}
                 for a in icbs}
    codes = {o.id: o.gss_code for o in cat.organisations.all()}
    out = {}
    for area in cat.areas.all():
        if area.kind != "derived":
            continue
        members = {codes[m.organisation_id] for m in cat.partnerships.memberships(area.partnership_id)}
        p = {w for w, lad in ward_lad.items() if lad in members}
        shares = {n: (len(p & s) / len(p), len(p & s) / len(s), len(p & s) / len(p | s))
                  for n, s in icb_wards.items() if p & s}
        hi = 1 - tolerance
        significant = [n for n, (a_in_b, _, _) in shares.items() if a_in_b > tolerance]
        if any(a >= hi and b >= hi for a, b, _ in shares.values()):
            category = "coterminous"
        elif any(a >= hi for a, _, _ in shares.values()):
            category = "nested"
        elif significant and all(shares[n][1] >= hi for n in significant):
            category = "contains"
        else:
            category = "split"
        best = max(shares, key=lambda n: shares[n][2])
        out[area.name] = (category, len(significant), best, round(shares[best][2], 6))
    return out


def test_done_when_the_examples_partnerships_against_the_2022_icbs(london_example):
    with Catalogue.open(london_example) as cat:
        import_pack(cat, "london")
        expected = _expected_categories(cat)
        result = measure(cat, "icb", by="units")
        assert result.layer == "London wards 2022"          # the vintage in force today
        got = {s.area: (s.category, s.split_into, s.best, round(s.best_jaccard, 6)) for s in result.summary
               if s.area in expected}
    assert len(expected) >= 10
    assert got == expected
    # The example spans every kind of fit: some nested in one ICB, some split, one across all London.
    assert {c for c, _, _, _ in expected.values()} >= {"nested", "split", "contains"}


def test_people_on_the_2022_wards_are_estimated_from_2020_and_add_up(london_example):
    with Catalogue.open(london_example) as cat:
        import_pack(cat, "london")
        result = measure(cat, "icb", by="population")
        total_2020 = cat.store.conn.execute(
            "SELECT sum(population) FROM boundary_units u JOIN boundary_layers l ON l.id=u.layer_id "
            "WHERE l.name='London wards 2020'").fetchone()[0]
    assert result.warnings[0].startswith("people on 'London wards 2022' are estimated from 'London wards 2020'")
    # Spread by shared area, London's people stay London's (up to slivers between the two generalisations).
    assert result.measures.reference_sizes.sum() == pytest.approx(total_2020, rel=0.01)


def test_the_pack_twice_is_refused_and_nothing_written(london_example):
    with Catalogue.open(london_example) as cat:
        revert = import_pack(cat, "london")
        assert [g.name for g in cat.references.list()] == [
            "London ICBs 2022", "London police force areas", "London sub-regional partnerships"]
        before = snapshot(cat)
        with pytest.raises(CatalogueError) as e:
            import_pack(cat, "london")
        assert len(str(e.value).splitlines()) == 3 and "already exists" in str(e.value)
        assert snapshot(cat) == before
        revert()                                             # the whole pack is one undo step
        assert cat.references.list() == []


def test_csv_good_and_bad(grid_cat, tmp_path):
    good = tmp_path / "halves.csv"
    good.write_text("area,code,authorities\nWest,X1,B1\nEast,X2,B2 (associate)\n")
    import_csv(grid_cat, good, agency="Test")
    g = grid_cat.references.find("halves")
    assert (g.agency, g.area_count) == ("Test", 2)
    assert grid_cat.references.areas(g.id)[0].authorities == (("B2", "associate"),)
    bad = tmp_path / "bad.csv"
    bad.write_text("area,code,authorities\nNorth,,E09000099\nNorth,,B1\nEmpty,,\n")
    before = snapshot(grid_cat)
    with pytest.raises(CatalogueError) as e:
        import_references(grid_cat, bad)
    lines = str(e.value).splitlines()
    assert lines == ["area 'North': unknown authority code 'E09000099'", "area 'North' appears more than once",
                     "area 'Empty' has no authorities"]
    assert snapshot(grid_cat) == before


def _squares(path, boxes):
    features = [{"type": "Feature", "properties": {"code": f"Z{k}", "name": f"Zone {k}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}}
                for k, (x0, y0, x1, y1) in enumerate(boxes)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}}))
    return path


def test_boundary_file_overlaps_refused_unless_declared(grid_cat, tmp_path):
    x, y = 530000, 180000
    overlapping = _squares(tmp_path / "zones.geojson", [(x, y, x + 2500, y + 3000), (x + 1500, y, x + 4000, y + 3000)])
    before = snapshot(grid_cat)
    with pytest.raises(CatalogueError, match="'Zone 0' and 'Zone 1' overlap"):
        import_references(grid_cat, overlapping, code_field="code", name_field="name")
    assert snapshot(grid_cat) == before
    import_references(grid_cat, overlapping, name="Zones", code_field="code", name_field="name", partitions=False)
    g = grid_cat.references.find("zones")
    layer = grid_cat.layers.all()[0]
    sets = grid_cat.references.unit_sets(g.id, layer.id)
    # Each holds two whole columns and one half (half a unit inside is enough) of three wards each.
    assert sorted(len(s) for s in sets.values()) == [9, 9]
