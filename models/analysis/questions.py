"""A researcher's short questions, each answered with the sources it rests on.

    q = Questions(cat)
    q.where("Brent")                  # which partnerships cover this borough or ward?
    q.shared("West London Alliance", "Future Jobs Fund")   # what do two partnerships share?
    q.coverage(policy_area="waste")   # which boroughs does no waste partnership cover?
    q.states("2008", "2010")          # what was active in 2008 against 2010?
    q.area("West London Alliance")    # how far does this area cross borough lines?

Every answer is a plain dict in the shape `partnership-atlas … --format json` prints
(scripts read it: keep the keys), so the command line and the GUI show the same
figures. A source is {"title", "year", "page"}: the citations of the partnerships,
memberships, organisations and areas the answer rests on.

Names are found the way a researcher types them: an exact name always wins, then a
GSS code, then a part of the name that only one thing has (case-insensitive). Anything
else is a CatalogueError of one line naming the closest matches.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely

from models.analysis import footprints, sets
from models.analysis.area_stats import area_stats, borough_names
from models.analysis.evidence import UNKNOWN, Evidence, counts
from models.analysis.naming import Named, resolve
from models.analysis.timeline import as_of_text
from models.analysis.universe import default_layer, load_universe, membership_matrix
from models.catalogue.records import PARTNERSHIP_KINDS, POLICY_AREAS, Area, Membership, Partnership
from models.errors import CatalogueError


# -- sources ---------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Cited:
    """A source as an answer shows it: the document and the page cited."""
    title: str
    year: int | None
    page: str

    def as_dict(self) -> dict:
        return {"title": self.title, "year": self.year, "page": self.page}


def source_dicts(cited: Iterable[Cited]) -> list[dict]:
    return [c.as_dict() for c in sorted(set(cited), key=lambda c: (c.year or 0, c.title, c.page))]


def source_lines(sources: list[dict]) -> list[str]:
    """The "Sources:" block of a table answer: each document once, its pages after it."""
    if not sources:
        return ["Sources: none cited"]
    pages: dict[tuple, list[str]] = {}
    for s in sources:
        pages.setdefault((s["title"], s["year"]), [])
        if s["page"] and s["page"] not in pages[(s["title"], s["year"])]:
            pages[(s["title"], s["year"])].append(s["page"])
    lines = ["Sources:"]
    for (title, year), where in pages.items():
        lines.append(f"  {title}" + (f" ({year})" if year else "") + (f": {'; '.join(where)}" if where else ""))
    return lines


# -- the questions ---------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    level: str                  # "borough" or "ward"
    code: str
    name: str
    unit_row: int | None = None  # a ward's row in the universe


class Questions:
    """The catalogue read once (partnerships, members, areas, units, citations) to answer
    questions about it; make a new one after an edit."""

    def __init__(self, cat):
        self.cat = cat
        self.partnerships = {p.id: p for p in cat.partnerships.all()}
        self.organisations = {o.id: o for o in cat.organisations.all()}
        self.memberships = cat.partnerships.memberships()
        self.areas = cat.areas.all(outlines=False)
        self.layers = cat.layers.all()
        self._universe = None
        self._evidence = None
        self.citations: dict[tuple[str, int], list[Cited]] = {}
        # Read-only use of the citations: the columns every catalogue has.
        for pid, mid, oid, aid, title, year, page in cat.store.conn.execute(
                "SELECT c.partnership_id, c.membership_id, c.organisation_id, c.area_id, s.title, s.year, "
                "c.page FROM citations c JOIN sources s ON s.id = c.source_id"):
            target = (("partnership", pid) if pid is not None else ("membership", mid) if mid is not None
                      else ("organisation", oid) if oid is not None else ("area", aid))
            self.citations.setdefault(target, []).append(Cited(title, year, page or ""))

    # -- shared pieces --------------------------------------------------------------
    @property
    def universe(self):
        if self._universe is None:
            self._universe = load_universe(self.cat)
        return self._universe

    def ward_layer(self) -> int | None:
        return default_layer(self.cat, self.universe)

    def cited(self, partnerships: Iterable[int] = (), memberships: Iterable[int] = (),
              organisations: Iterable[int] = (), areas: Iterable[int] = ()) -> list[dict]:
        found: list[Cited] = []
        for kind, ids in (("partnership", partnerships), ("membership", memberships),
                          ("organisation", organisations), ("area", areas)):
            for i in set(ids):
                found += self.citations.get((kind, i), [])
        return source_dicts(found)

    def _when(self, as_of):
        when = as_of_text(as_of)
        if when and self._evidence is None:
            self._evidence = Evidence.load(self.cat)
        return when

    def partnership_counts(self, p: Partnership, when, include_unknown=False) -> bool:
        return not when or counts(self._evidence.partnership(p, when), include_unknown)

    def membership_counts(self, m: Membership, when, include_unknown=False) -> bool:
        return not when or counts(self._evidence.membership(m, when), include_unknown)

    def state(self, p: Partnership, when: str) -> str:
        self._when(when)
        return self._evidence.partnership(p, as_of_text(when))

    def _live(self, when, include_unknown) -> tuple[dict[int, Partnership], list[Membership], list[Area]]:
        """The partnerships, memberships and linked areas that count at `when` (derived areas
        holding their members' wards then); areas of no partnership always count."""
        live = {i: p for i, p in self.partnerships.items() if self.partnership_counts(p, when, include_unknown)}
        members = [m for m in self.memberships if m.partnership_id in live
                   and self.membership_counts(m, when, include_unknown)]
        areas = [a for a in self.areas if a.partnership_id is None or a.partnership_id in live]
        return live, members, footprints.as_of(self.cat, areas, when)

    def partnership(self, text: str) -> Partnership:
        return resolve("partnership", text, [Named(p.name, None, p) for p in self.partnerships.values()])

    def area_named(self, text: str) -> Area:
        return resolve("area", text, [Named(a.name, None, a) for a in self.areas])

    def organisation(self, text: str):
        return resolve("organisation", text, [Named(o.name, o.gss_code, o) for o in self.organisations.values()])

    def kind(self, text: str) -> str:
        kinds = sorted(set(PARTNERSHIP_KINDS) | {p.kind for p in self.partnerships.values()})
        return resolve("kind", text, [Named(k, None, k) for k in kinds])

    def policy_area(self, text: str) -> str:
        used = {a for p in self.partnerships.values() for a in p.policy_areas}
        return resolve("policy area", text, [Named(a, None, a) for a in sorted(set(POLICY_AREAS) | used)])

    def boroughs(self) -> dict[str, str]:
        """Borough code -> name: the parents of the ward layer's units, named by the
        organisation with that code or the layer's own name field, and any borough-level unit."""
        names: dict[str, str] = {}
        for layer in self.layers:
            if layer.level == "borough":
                table = self.cat.layers.table(layer.id)
                names.update(zip(table.codes, table.names))
        layer_id = self.ward_layer()
        if layer_id is not None:
            u = self.universe
            parents = {u.parent_codes[r] for r in np.flatnonzero(u.layer_ids == layer_id)} - {None, ""}
            from_layer = borough_names(None, self.organisations.values(),
                                       self.cat.layers.parent_attributes(layer_id))
            for code in parents:
                names.setdefault(code, from_layer.get(code, code))
        for o in self.organisations.values():   # the catalogue's own name for the body wins,
            if o.gss_code:                        # and a body with a code is a place without boundaries too
                names[o.gss_code] = o.name
        return names

    def place(self, text: str) -> Place:
        """A borough or a ward: wards of the default ward layer come before other vintages'."""
        boroughs = [Named(name, code, Place("borough", code, name)) for code, name in sorted(self.boroughs().items())]
        u, first = self.universe, self.ward_layer()
        wards = {lid: [] for lid in [first] + [layer.id for layer in self.layers if layer.level == "ward"]}
        for r in np.flatnonzero(np.isin(u.layer_ids, [k for k in wards if k is not None])):
            wards[int(u.layer_ids[r])].append(Named(u.names[r], u.codes[r], Place("ward", u.codes[r], u.names[r], int(r))))
        every = boroughs + [w for group in wards.values() for w in group]
        return resolve("place", text, every, tiers=[boroughs, *wards.values()])

    # -- which partnerships cover this borough or ward? -----------------------------
    def where(self, text: str, as_of=None, include_unknown: bool = False) -> dict:
        place = self.place(text)
        when = self._when(as_of)
        live, members, areas = self._live(when, include_unknown)
        u = self.universe
        borough = place.code if place.level == "borough" else u.parent_codes[place.unit_row]
        found: dict[int, dict] = {}
        org_ids, mem_ids, area_ids = set(), set(), set()
        codes = {o.id: (o.gss_code or "").upper() for o in self.organisations.values()}
        for m in members:
            if borough and codes[m.organisation_id] == borough.upper():
                found.setdefault(m.partnership_id, {"via": "member", "role": m.role})
                org_ids.add(m.organisation_id)
                mem_ids.add(m.id)
        linked = [a for a in areas if a.partnership_id is not None]
        for a in self._covering(place, linked):
            if a.partnership_id not in found:
                found[a.partnership_id] = {"via": "area", "role": None}
            area_ids.add(a.id)
        rows = [{"name": live[pid].name, **v, "sources": self.cited([pid], [m.id for m in members if m.partnership_id
                                                                           == pid and m.id in mem_ids])}
                for pid, v in found.items()]
        rows.sort(key=lambda r: r["name"].casefold())
        return {"place": place.name, "code": place.code, "level": place.level, "as_of": when,
                "partnerships": rows,
                "sources": self.cited(found, mem_ids, org_ids, area_ids)}

    def _covering(self, place: Place, areas: list[Area]) -> list[Area]:
        """The areas holding the ward, or any ward of the borough (a ward of another vintage
        than the area's counts when the ward's inner point lies in the area)."""
        if not areas:
            return []
        u = self.universe
        matrix = membership_matrix(u, areas, self.ward_layer()).tocsc()
        if place.level == "borough":
            rows = np.array([r for r, p in enumerate(u.parent_codes) if p and p.upper() == place.code.upper()],
                            dtype=np.int64)
            hit = np.asarray(matrix[rows, :].sum(axis=0)).ravel() > 0 if len(rows) else np.zeros(len(areas), bool)
            return [a for k, a in enumerate(areas) if hit[k]]
        r = place.unit_row
        point = u.points[r]
        out = []
        for k, a in enumerate(areas):
            col = matrix.indices[matrix.indptr[k]:matrix.indptr[k + 1]]
            if r in col:
                out.append(a)
            elif len(col) and int(u.layer_ids[col[0]]) != int(u.layer_ids[r]):
                if shapely.contains_xy(shapely.union_all(u.geometries[col]), point.x, point.y):
                    out.append(a)
        return out

    # -- what do two partnerships share? --------------------------------------------
    def shared(self, a_text: str, b_text: str, as_of=None, include_unknown: bool = False) -> dict:
        a, b = self.partnership(a_text), self.partnership(b_text)
        if a.id == b.id:
            raise CatalogueError(f"'{a_text}' and '{b_text}' are both '{a.name}': name two partnerships")
        when = self._when(as_of)
        live, members, areas = self._live(when, include_unknown)
        of = {pid: {m.organisation_id: m for m in members if m.partnership_id == pid} for pid in (a.id, b.id)}
        both = sorted(set(of[a.id]) & set(of[b.id]), key=lambda o: self.organisations[o].name.casefold())
        u = self.universe
        mine = [x for x in areas if x.partnership_id in (a.id, b.id)]
        rows = {a.id: set(), b.id: set()}
        if mine:
            matrix = membership_matrix(u, mine, self.ward_layer()).tocsc()
            for k, x in enumerate(mine):
                rows[x.partnership_id] |= set(matrix.indices[matrix.indptr[k]:matrix.indptr[k + 1]].tolist())
        common = np.array(sorted(rows[a.id] & rows[b.id]), dtype=np.int64)
        also: dict[str, list[str]] = {}
        for o in both:
            others = sorted({live[m.partnership_id].name for m in members if m.organisation_id == o
                             and m.partnership_id not in (a.id, b.id)}, key=str.casefold)
            also[self.organisations[o].name] = others
        mem_ids = [of[p][o].id for p in (a.id, b.id) for o in both]
        return {"a": a.name, "b": b.name, "as_of": when,
                "organisations": [self.organisations[o].name for o in both],
                "wards": int(len(common)), "people": int(round(float(u.population[common].sum()))),
                "also_in": also,
                "sources": self.cited([a.id, b.id], mem_ids, both, [x.id for x in mine])}

    # -- how many partnerships cover each ward and borough? ------------------------
    def coverage(self, policy_area: str | None = None, kind: str | None = None, as_of=None,
                 include_unknown: bool = False) -> dict:
        policy_area = self.policy_area(policy_area) if policy_area else None
        kind = self.kind(kind) if kind else None
        when = self._when(as_of)
        layer_id = self.ward_layer()
        if layer_id is None:
            raise CatalogueError("the catalogue has no ward boundaries: import some to count coverage")
        cov = sets.coverage(self.cat, layer_id, policy_area=policy_area, kind=kind, as_of=when,
                            universe=self.universe, include_unknown=include_unknown)
        live, members, _ = self._live(when, include_unknown)
        chosen = {pid for pid, p in live.items() if (not policy_area or policy_area in p.policy_areas)
                  and (not kind or p.kind == kind)}
        names = self.boroughs()
        u = self.universe
        rows = np.flatnonzero(u.layer_ids == layer_id)
        parent = [u.parent_codes[r] or "" for r in rows]
        covers = cov.covers.tocsr()
        by_borough: dict[str, dict] = {}
        for k, code in enumerate(parent):
            entry = by_borough.setdefault(code, {"coverers": set(), "covered": 0, "wards": 0})
            entry["wards"] += 1
            cols = covers.indices[covers.indptr[k]:covers.indptr[k + 1]]
            entry["coverers"] |= {cov.coverers[c] for c in cols}
            entry["covered"] += int(len(cols) > 0)
        codes = {o.id: (o.gss_code or "").upper() for o in self.organisations.values()}
        member_of: dict[str, set[int]] = {}
        for m in members:
            if m.partnership_id in chosen and codes[m.organisation_id]:
                member_of.setdefault(codes[m.organisation_id], set()).add(m.partnership_id)
        for code, entry in by_borough.items():   # a member borough is covered even without an area
            entry["coverers"] |= {live[pid].name for pid in member_of.get(code.upper(), ())}
        boroughs = [{"code": code, "name": names.get(code, code), "count": len(e["coverers"]),
                     "wards_covered": e["covered"], "wards": e["wards"]}
                    for code, e in sorted(by_borough.items(), key=lambda kv: names.get(kv[0], kv[0]).casefold())
                    if code]
        wards = [{"code": cov.codes[k], "name": cov.names[k], "borough": names.get(parent[k], parent[k]),
                  "count": int(cov.counts[k])} for k in range(len(rows))]
        used = {c for e in by_borough.values() for c in e["coverers"]}
        cited = [pid for pid in chosen if live[pid].name in used]
        return {"policy_area": policy_area, "kind": kind, "as_of": when, "wards": wards, "boroughs": boroughs,
                "uncovered_boroughs": [b["name"] for b in boroughs if b["count"] == 0],
                "sources": self.cited(cited)}

    # -- what was active then against another time? ---------------------------------
    def states(self, first, second) -> dict:
        """Every partnership's state (active, attested, inactive, unknown) at two dates."""
        one, two = as_of_text(first), as_of_text(second)
        if not one or not two:
            raise CatalogueError("give two years or dates to compare")
        self._when(one)
        rows, cited = [], []
        for p in sorted(self.partnerships.values(), key=lambda p: p.name.casefold()):
            a, b = self._evidence.partnership(p, one), self._evidence.partnership(p, two)
            rows.append({"name": p.name, "first": a, "second": b, "sources": self.cited([p.id])})
            if counts(a) or counts(b):
                cited.append(p.id)
        live = [r for r in rows if counts(r["first"]) or counts(r["second"])]
        return {"first": one, "second": two, "partnerships": rows,
                "only_first": [r["name"] for r in live if counts(r["first"]) and not counts(r["second"])],
                "only_second": [r["name"] for r in live if counts(r["second"]) and not counts(r["first"])],
                "both": [r["name"] for r in live if counts(r["first"]) and counts(r["second"])],
                "unknown": [r["name"] for r in rows if UNKNOWN in (r["first"], r["second"])
                            and not (counts(r["first"]) or counts(r["second"]))],
                "sources": self.cited(cited)}

    # -- an area's figures, as the area panel shows them ----------------------------
    def area(self, text: str, as_of=None) -> dict:
        area = self.area_named(text)
        when = self._when(as_of)
        area = footprints.as_of(self.cat, [area], when)[0]
        layer_id = area.layer_id or self.ward_layer()
        if layer_id is None:
            raise CatalogueError(f"'{area.name}' has no boundary layer to measure it against")
        table = self.cat.layers.table(layer_id)
        names = borough_names(table, self.organisations.values(), self.cat.layers.parent_attributes(layer_id))
        others = [x for x in footprints.as_of(self.cat, [x for x in self.areas if x.id != area.id], when)
                  if (x.layer_id or layer_id) == layer_id]
        stats = area_stats(table, area.unit_ids, drawn=area.drawn, names=names, others=others)
        index = table.index_of()
        rows = [index[u] for u in area.unit_ids if u in index]
        per: dict[str, list[float]] = {}
        if area.drawn is None:
            for r in rows:
                entry = per.setdefault(table.parent_codes[r] or "", [0.0, 0.0])
                entry[0] += shapely.area(table.geometries[r]) / 1e6
                if not np.isnan(table.population[r]):
                    entry[1] += float(table.population[r])
        boroughs = []
        for b in stats.boroughs:
            km2, people = per.get(b.code, [b.km2, None])
            boroughs.append({"code": b.code or None, "name": b.name, "wards": b.units, "km2": round(km2, 3),
                             "population": None if people is None else int(round(people))})
        return {"name": area.name, "as_of": when, "partnership": self.partnerships[area.partnership_id].name
                if area.partnership_id in self.partnerships else None,
                "wards": stats.units, "km2": round(stats.km2, 3),
                "population": None if stats.population is None else int(round(stats.population)),
                "virtual_borough": stats.cross_boundary, "contiguous": stats.parts == 1, "parts": stats.parts,
                "boroughs": boroughs, "overlaps": [{"area": n, "wards": k} for n, k in stats.overlaps],
                "sources": self.cited([area.partnership_id] if area.partnership_id else [], areas=[area.id])}
