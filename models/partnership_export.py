"""Partnerships to a CSV file in the columns the import reads (docs/partnerships-csv.md)."""
from __future__ import annotations

import csv
from pathlib import Path

from .errors import CatalogueError

COLUMNS = ("Name", "Kind", "Status", "Start", "End", "Policy areas", "Members", "Description",
           "Governance", "Funding", "Savings", "Savings period", "Savings text", "Notes", "Tags",
           "Source", "Page")


def _amount(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def export_partnerships_csv(cat, path: str | Path, ids: list[int] | None = None) -> int:
    """Write the partnerships (all, or those ids) and return how many; the file is read back by the import.

    A member is written by name, or by GSS code when its name holds a ';'. Only the
    first source cited is written, as the import takes one source per row.
    """
    path = Path(path)
    wanted = None if ids is None else set(ids)
    orgs = {o.id: o for o in cat.organisations.all()}
    sources = {s.id: s for s in cat.sources.all()}
    rows = []
    for p in cat.partnerships.all():
        if wanted is not None and p.id not in wanted:
            continue
        members = []
        for m in cat.partnerships.memberships(p.id):
            o = orgs[m.organisation_id]
            key = o.gss_code if ";" in o.name and o.gss_code else o.name.replace(";", ",")
            members.append(key if m.role == "member" else f"{key} ({m.role})")
        citations = cat.sources.citations(partnership_id=p.id)
        first = citations[0] if citations else None
        rows.append((p.name, p.kind, p.status, p.start or "", p.end or "", "; ".join(p.policy_areas),
                     "; ".join(members), p.description, p.governance, p.funding, _amount(p.savings_amount),
                     p.savings_period or "", p.savings_text, p.notes, "; ".join(p.tags),
                     sources[first.source_id].title if first else "", first.page if first else ""))
    try:
        with open(path, "w", newline="", encoding="utf-8-sig") as f:  # the BOM makes Excel read UTF-8
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
    except OSError as e:
        raise CatalogueError(f"could not write {path.name}: {e.strerror}") from None
    return len(rows)
