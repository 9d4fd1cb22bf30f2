"""Exports: a standalone catalogue of chosen partnerships, GeoJSON of areas, CSV of partnerships."""
from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from models.errors import CatalogueError, plural
from models.formats.partnership_import import citation_text, format_amount, member_text
from models.storage import gpkg, styles
from models.storage.store import Store

# The columns a partnership spreadsheet has; import reads the same names, so an export
# imports again and exports to the same bytes.
CSV_COLUMNS = ("name", "kind", "status", "start", "end", "policy_areas", "governance", "lead",
               "funding", "savings_amount", "savings_period", "savings_text", "description",
               "notes", "tags", "members", "citations", "uuid")


def _chosen(cat, names: list[str] | None) -> list:
    if not names:
        return cat.partnerships.all()
    out = []
    for name in names:
        p = cat.partnerships.find(name)
        if p is None:
            raise CatalogueError(f"no partnership called '{name}'")
        out.append(p)
    return out


def export(cat, out: str | os.PathLike, partnerships: list[str] | None = None) -> str:
    """Write `out` by its extension; returns a one-line summary."""
    out = Path(out)
    suffix = out.suffix.lower()
    chosen = _chosen(cat, partnerships)
    if suffix in (".json", ".bib"):   # sources for reference managers: CSL-JSON or BibTeX
        from models.formats.references import export_sources
        return export_sources(cat, out, [p.id for p in chosen] if partnerships else None)
    if suffix in (".gpkg", ".sqlite"):
        return export_catalogue(cat, out, [p.id for p in chosen] if partnerships else None)
    if suffix == ".geojson":
        return export_geojson(cat, out, chosen)
    if out.name.lower().endswith((".organisations.csv", ".memberships.csv")):
        table = "organisations" if out.name.lower().endswith(".organisations.csv") else "memberships"
        return export_table_csv(cat, out, table, [p.id for p in chosen])
    if suffix == ".csv":
        return export_csv(cat, out, chosen)
    raise CatalogueError(f"cannot export to '{suffix or out.name}': use .gpkg, .sqlite, .geojson, .csv, "
                         ".csl.json or .bib")


def export_catalogue(cat, out: Path, partnership_ids: list[int] | None) -> str:
    """A copy of the file, then everything the chosen partnerships do not reference removed."""
    if out.exists():
        raise CatalogueError(f"{out.name} already exists; choose a new file name")
    cat.save_copy(out)
    try:
        conn = sqlite3.connect(out, isolation_level=None)
        gpkg.register_functions(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        if partnership_ids is not None:
            keep = ",".join(str(int(i)) for i in partnership_ids) or "NULL"
            conn.executescript(f"""
            BEGIN;
            DELETE FROM partnerships WHERE id NOT IN ({keep});
            DELETE FROM areas WHERE partnership_id IS NULL OR partnership_id NOT IN ({keep});
            DELETE FROM organisations WHERE id NOT IN (SELECT organisation_id FROM memberships)
              AND id NOT IN (SELECT lead_id FROM partnerships WHERE lead_id IS NOT NULL);
            DELETE FROM sources WHERE id NOT IN (SELECT source_id FROM citations);
            DELETE FROM boundary_layers WHERE id NOT IN
              (SELECT layer_id FROM areas WHERE layer_id IS NOT NULL);
            COMMIT;
            """)
            with conn:   # QGIS's default style of the areas lists only those kept
                conn.execute("BEGIN")
                styles.refresh_areas(conn)
        conn.execute("VACUUM")
        n = conn.execute("SELECT count(*) FROM partnerships").fetchone()[0]
        conn.close()
    except sqlite3.Error as e:
        out.unlink(missing_ok=True)
        raise CatalogueError(f"could not write {out.name}: {e}") from None
    Store.open(out).close()  # proves the export opens as a catalogue
    return f"wrote {out.name}: a catalogue of {plural(n, 'partnership')}"


def _members_text(cat, partnership_id: int) -> str:
    orgs = {o.id: o for o in cat.organisations.all()}
    return "; ".join(orgs[m.organisation_id].name for m in cat.partnerships.memberships(partnership_id))


def export_geojson(cat, out: Path, chosen: list) -> str:
    """Areas (with their partnership's attributes) as RFC 7946 GeoJSON in WGS84 lon/lat."""
    by_id = {p.id: p for p in chosen}
    areas = [a for a in cat.areas.all() if a.outline is not None
             and (a.partnership_id in by_id or len(by_id) == len(cat.partnerships.all()))]
    to_wgs84 = Transformer.from_crs(gpkg.BNG, gpkg.WGS84, always_xy=True)

    def project(xy):
        x, y = to_wgs84.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    features = []
    for a in areas:
        p = by_id.get(a.partnership_id)
        geometry = shapely.transform(a.outline, project)
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geometry)),
                         "properties": {
                             "area": a.name, "colour": a.colour, "notes": a.notes,
                             "wards": len(a.unit_ids), "area_km2": round(a.outline.area / 1e6, 4),
                             "partnership": p.name if p else None, "kind": p.kind if p else None,
                             "status": p.status if p else None, "start": p.start if p else None,
                             "end": p.end if p else None,
                             "members": _members_text(cat, p.id).split("; ") if p else []}})
    _write_text(out, json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return f"wrote {out.name}: {plural(len(features), 'area')}"


def _members_cell(cat, orgs: dict, partnership_id: int) -> str:
    """Every member with its GSS code, role and dates, so the import rebuilds them."""
    return "; ".join(member_text(orgs[m.organisation_id].name, orgs[m.organisation_id].gss_code,
                                 m.role, m.joined, m.left)
                     for m in cat.partnerships.memberships(partnership_id))


def _citations_cell(cat, titles: dict, partnership_id: int) -> str:
    return "\n".join(citation_text(titles[c.source_id], c.page, c.quote)
                     for c in cat.sources.citations(partnership_id=partnership_id))


def export_csv(cat, out: Path, chosen: list) -> str:
    organisations = {o.id: o for o in cat.organisations.all()}
    orgs = {i: o.name for i, o in organisations.items()}
    titles = {s.id: s.title for s in cat.sources.all()}
    uuids = {i: u for u, i in cat.identity.uuids("partnerships").items()}
    rows = []
    for p in chosen:
        rows.append({
            "name": p.name, "kind": p.kind, "status": p.status, "start": p.start or "",
            "end": p.end or "", "policy_areas": "; ".join(p.policy_areas), "governance": p.governance,
            "lead": orgs.get(p.lead_id, ""), "funding": p.funding,
            "savings_amount": format_amount(p.savings_amount),
            "savings_period": p.savings_period or "", "savings_text": p.savings_text,
            "description": p.description, "notes": p.notes, "tags": "; ".join(p.tags),
            "members": _members_cell(cat, organisations, p.id),
            "citations": _citations_cell(cat, titles, p.id),
            "uuid": uuids.get(p.id, "")})
    try:
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as e:
        raise CatalogueError(f"could not write {out.name}: {e.strerror}") from None
    return f"wrote {out.name}: {plural(len(rows), 'partnership')}"


# One row per organisation or membership, each with its uuid and (for a membership) its
# partnership's and organisation's, so rows can be matched across copies of a catalogue.
TABLE_CSV_COLUMNS = {
    "organisations": ("uuid", "name", "kind", "gss_code", "notes"),
    "memberships": ("uuid", "partnership", "partnership_uuid", "organisation", "organisation_uuid",
                    "role", "joined", "left", "first_seen", "last_seen"),
}


def export_table_csv(cat, out: Path, table: str, partnership_ids: list[int]) -> str:
    """The organisations or memberships of the chosen partnerships (organisations: all of them
    when every partnership is chosen), one a row, with their uuids."""
    ids = {t: {i: u for u, i in cat.identity.uuids(t).items()}
           for t in ("organisations", "partnerships", "memberships")}
    organisations = {o.id: o for o in cat.organisations.all()}
    memberships = [m for pid in partnership_ids for m in cat.partnerships.memberships(pid)]
    if table == "organisations":
        everyone = len(partnership_ids) == len(cat.partnerships.all())
        wanted = set(organisations) if everyone else {m.organisation_id for m in memberships}
        rows = [{"uuid": ids["organisations"].get(o.id, ""), "name": o.name, "kind": o.kind,
                 "gss_code": o.gss_code or "", "notes": o.notes}
                for o in sorted(organisations.values(), key=lambda o: o.name.lower()) if o.id in wanted]
    else:
        names = cat.partnerships.names()
        rows = [{"uuid": ids["memberships"].get(m.id, ""), "partnership": names[m.partnership_id],
                 "partnership_uuid": ids["partnerships"].get(m.partnership_id, ""),
                 "organisation": organisations[m.organisation_id].name,
                 "organisation_uuid": ids["organisations"].get(m.organisation_id, ""), "role": m.role,
                 "joined": m.joined or "", "left": m.left or "", "first_seen": m.first_seen or "",
                 "last_seen": m.last_seen or ""} for m in memberships]
    try:
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, TABLE_CSV_COLUMNS[table])
            writer.writeheader()
            writer.writerows(rows)
    except OSError as e:
        raise CatalogueError(f"could not write {out.name}: {e.strerror}") from None
    return f"wrote {out.name}: {plural(len(rows), table[:-1])}"


def _write_text(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise CatalogueError(f"could not write {out.name}: {e.strerror}") from None
