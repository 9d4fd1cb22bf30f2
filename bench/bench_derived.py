"""Areas that follow their members, on all 8,071 England & Wales wards.

as_of_redraw   move the year slider (MapTab.set_year, as the Overlaps slider does) with
               500 areas, 100 of them derived from partnerships of 2-6 districts whose
               members join and leave over the years, to the updated map frame (the
               viewport grabbed), the 100 derived areas shown (a list of 500 starts with
               all hidden; these are the ones a year move changes); anchor full_reload:
               the map tab's reload of its areas from the catalogue (what every edit
               does) to the same frame. The note gives a move with all 500 shown.
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from bench.harness import ew_ward_catalogue, median_ms, result  # noqa: E402

W, H = 1600, 1000
N_AREAS, N_DERIVED = 500, 100
YEARS = list(range(2004, 2024))


def _catalogue(data: Path, workdir: Path) -> Path:
    from models.catalogue.records import Area, Membership, Organisation, Partnership

    path = workdir / "derived.gpkg"
    cat, layer, t = ew_ward_catalogue(data, path)
    districts = sorted(set(t.parent_codes))
    rng = np.random.default_rng(2012)
    with cat.store.edit():
        orgs = {code: cat.organisations.add(Organisation(f"District {code}", kind="local authority",
                                                         gss_code=code)).id for code in districts}
        order = np.argsort(np.array([f"{p}{c}" for p, c in zip(t.parent_codes, t.codes)]))
        colours = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
        for k in range(N_AREAS):
            colour = colours[k % len(colours)]
            if k < N_DERIVED:
                start = int(rng.integers(0, len(districts) - 6))
                members = []
                for code in districts[start:start + int(rng.integers(2, 7))]:
                    joined = int(rng.integers(2000, 2016))
                    left = int(rng.integers(joined + 1, 2030))
                    members.append(Membership(0, orgs[code], joined=str(joined),
                                              left=str(left) if left < 2025 else None))
                pid = cat.partnerships.add(Partnership(f"Partnership {k + 1}", start="2000"), members).id
                cat.areas.from_partnership(pid, layer.id, name=f"Derived {k + 1}", colour=colour, kind="derived")
            else:
                size = int(rng.integers(5, 301))
                start = int(rng.integers(0, len(order) - size))
                cat.areas.add(Area(f"Area {k + 1}", colour=colour, layer_id=layer.id,
                                   unit_ids=frozenset(int(t.ids[i]) for i in order[start:start + size])))
    cat.close()
    return path


def run(data: Path, workdir: Path) -> list[dict]:
    from PySide6.QtWidgets import QApplication

    import ui.map.layer
    from models.catalogue import Catalogue
    from ui.document import Document
    from ui.map.tab import MapTab

    app = QApplication.instance() or QApplication([])
    path = _catalogue(data, workdir)
    ui.map.layer.lod_cache_dir = lambda: workdir / "levels"
    cat = Catalogue.open(path)
    tab = MapTab(Document(cat))
    tab.view.setFixedSize(W, H)
    tab.show()
    tab.area_list.set_shown([a.id for a in tab.areas if a.kind == "derived"])
    app.processEvents()
    tab.view.wait_for_detail()
    tab.view.viewport().grab()
    years = iter(YEARS * 10)
    changed = []

    def move():
        derived = {a.id: a.unit_ids for a in tab.areas if a.kind == "derived"}
        tab.set_year(next(years))
        app.processEvents()
        tab.view.viewport().grab()
        changed.append(sum(derived.get(a.id) != a.unit_ids for a in tab.areas if a.kind == "derived"))

    # Every move is to a year not shown before (the first round of years is timed).
    slider = median_ms(move, repeat=len(YEARS) - 2, warmup=1)

    def reload():
        tab.reload()
        app.processEvents()
        tab.view.viewport().grab()

    anchor = median_ms(reload, repeat=5)
    drawn = len(tab.shapes.items)
    tab.area_list.show_all()
    app.processEvents()
    all_shown = median_ms(move, repeat=3, warmup=1)
    tab.view.shutdown(wait=True)
    tab.close()
    cat.close()
    return [result("as_of_redraw", slider, "<= 50 ms", {"full_reload": anchor},
                   note=f"{N_AREAS} areas ({N_DERIVED} derived), {drawn} drawn at the last year; "
                        f"a move re-derived a median of {int(np.median(changed))} derived areas' outlines; "
                        f"with all {N_AREAS} shown a move takes {all_shown:.0f} ms (painting the outlines)")]
