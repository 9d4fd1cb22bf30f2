"""Catalogue window speed: search-as-you-type and selecting a partnership, on a large catalogue.

2,000 partnerships, 5,000 organisations (the 33 London boroughs among them), about
six members and one citation each, and areas over the real London wards for one
partnership in ten. Anchors, timed in the same run: a plain LIKE scan over the
same text (what the search would cost without FTS5) and a full reload of every
partnership with its members (what a list without a search index would redo).
"""
from __future__ import annotations

import os
import random
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.harness import median_ms, result  # noqa: E402

N_PARTNERSHIPS, N_ORGANISATIONS = 2000, 5000
WORDS = ("west", "london", "waste", "health", "care", "skills", "housing", "alliance", "board",
         "shared", "service", "north", "south", "east", "borough", "transport", "safety", "youth")


def build(cat, wards: Path) -> None:
    from models.catalogue.records import (
        ORGANISATION_KINDS,
        PARTNERSHIP_KINDS,
        POLICY_AREAS,
        Area,
        Citation,
        Membership,
        Organisation,
        Partnership,
        Source,
    )
    from models.formats.boundary_import import import_boundaries
    rng = random.Random(7)
    _, data = import_boundaries(cat, wards)
    layer = cat.layers.all()[0]
    table = cat.layers.table(layer.id)
    boroughs = sorted({c for c in table.parent_codes if c})
    with cat.store.edit():
        orgs = [cat.organisations.add(Organisation(f"London borough {code}", kind="local authority",
                                                   gss_code=code)).id for code in boroughs]
        while len(orgs) < N_ORGANISATIONS:
            name = " ".join(rng.sample(WORDS, 2)).title() + f" {len(orgs)} Trust"
            orgs.append(cat.organisations.add(Organisation(name, kind=rng.choice(ORGANISATION_KINDS))).id)
        sources = [cat.sources.add(Source(f"Report on {' '.join(rng.sample(WORDS, 3))}", year=2000 + i % 20)).id
                   for i in range(200)]
        for i in range(N_PARTNERSHIPS):
            members = [Membership(0, o) for o in rng.sample(orgs, rng.randint(2, 10))]
            start = 1995 + rng.randint(0, 25)
            pid = cat.partnerships.add(Partnership(
                f"{' '.join(rng.sample(WORDS, 3)).title()} {i}", kind=rng.choice(PARTNERSHIP_KINDS),
                status=rng.choice(("active", "ended", "proposed")), start=str(start),
                end=str(start + rng.randint(1, 10)) if rng.random() < 0.4 else None,
                policy_areas=tuple(rng.sample(POLICY_AREAS, 2)),
                description=" ".join(rng.choices(WORDS, k=30)), notes=" ".join(rng.choices(WORDS, k=10))),
                members).id
            cat.sources.cite(Citation(rng.choice(sources), page=str(rng.randint(1, 90)),
                                      quote=" ".join(rng.choices(WORDS, k=12)), partnership_id=pid))
            if i % 10 == 0:
                code = rng.choice(boroughs)
                units = frozenset(int(f) for f, p in zip(table.ids, table.parent_codes) if p == code)
                cat.areas.add(Area(f"Area {i}", partnership_id=pid, layer_id=layer.id, unit_ids=units))


def run(data: Path, workdir: Path) -> list[dict]:
    from PySide6.QtWidgets import QApplication

    from models.catalogue import Catalogue
    from ui.catalogue.tab import CatalogueView
    from ui.document import Document

    app = QApplication.instance() or QApplication([])
    cat = Catalogue.create(workdir / "bench.gpkg")
    build(cat, data / "london_wards_2020_bgc.geojson")
    document = Document(cat)
    view = CatalogueView(document)
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    conn = cat.store.conn

    keystrokes = ["w", "we", "wes", "west", "west ", "west l", "west lo", "west lon", "west lond",
                  "west londo", "west london", "west londo", "west lond", "h", "he", "hea", "heal"]
    state = {"i": 0}

    def keystroke():
        text = keystrokes[state["i"] % len(keystrokes)]
        state["i"] += 1
        view.list.search_box.setText(text)   # filters, resets the list model, updates the count
        app.processEvents()

    def like_scan():
        text = keystrokes[state["i"] % len(keystrokes)]
        state["i"] += 1
        pattern = f"%{text}%"
        conn.execute(
            "SELECT p.id FROM partnerships p WHERE p.name LIKE ?1 OR p.description LIKE ?1 OR p.notes LIKE ?1 "
            "OR p.id IN (SELECT m.partnership_id FROM memberships m JOIN organisations o "
            "ON o.id = m.organisation_id WHERE o.name LIKE ?1) "
            "OR p.id IN (SELECT c.partnership_id FROM citations c JOIN sources s ON s.id = c.source_id "
            "WHERE s.title LIKE ?1 OR c.quote LIKE ?1)", (pattern,)).fetchall()

    def full_reload():
        for p in cat.partnerships.all():
            cat.partnerships.memberships(p.id)

    search_ms = median_ms(keystroke, repeat=len(keystrokes) * 2, warmup=3)
    like_ms = median_ms(like_scan, repeat=len(keystrokes), warmup=1)
    reload_ms = median_ms(full_reload, repeat=3)
    rows = view.list.search.rows()
    rng = random.Random(3)
    picks = [r.id for r in rng.sample(rows, 40)]
    view.list.search_box.setText("")
    app.processEvents()
    state["i"] = 0

    def select():
        pid = picks[state["i"] % len(picks)]
        state["i"] += 1
        view.list.select(pid)     # the editor is filled: fields, members, sources, areas
        app.processEvents()

    select_ms = median_ms(select, repeat=30, warmup=3)
    view.close()
    cat.close()
    note = (f"{N_PARTNERSHIPS:,} partnerships, {N_ORGANISATIONS:,} organisations, real London wards; "
            "Qt offscreen, includes processing pending events")
    return [
        result("search_keystroke", search_ms, "<= 30 ms",
               {"like_scan": like_ms, "full_model_reload": reload_ms}, note=note),
        result("select_partnership", select_ms, "<= 30 ms",
               {"full_model_reload": reload_ms, "like_scan": like_ms}, note=note),
    ]
