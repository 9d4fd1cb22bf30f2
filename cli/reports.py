"""The commands that only read a catalogue: list, overlaps, export, check.

They open it read-only, so they take no backup and never change the file.
"""
from __future__ import annotations

import json
import sys

from models.errors import CatalogueError, plural


def _open(path: str):
    from models.catalogue import Catalogue
    return Catalogue.open(path, read_only=True)


def _listing(cat, as_of=None, include_unknown: bool = False, args=None) -> list[dict]:
    """Every partnership; with `as_of`, each one's state then (and members as of then),
    inactive ones left out, unknown ones only if include_unknown. `args`' --kind, --status,
    --policy-area and --member narrow the list as the GUI's filters do."""
    from models.analysis.evidence import Evidence, counts
    from models.analysis.questions import Questions
    from models.analysis.timeline import as_of_text
    when = as_of_text(as_of)
    questions = Questions(cat)
    wanted = _filtered(cat, questions, args) if args is not None else None
    evidence = Evidence.load(cat) if when else None
    orgs = {o.id: o.name for o in cat.organisations.all()}
    areas: dict[int, list[str]] = {}
    vintages: dict[int, list[dict]] = {}
    layers = {l.id: l for l in cat.layers.all()}
    for a in cat.areas.all(outlines=False):
        if a.partnership_id is not None:
            areas.setdefault(a.partnership_id, []).append(a.name)
            layer = layers.get(a.layer_id)
            vintages.setdefault(a.partnership_id, []).append(
                {"area": a.name, "layer": layer.name if layer else None,
                 "vintage": (layer.vintage or None) if layer else None})
    rows = []
    for p in cat.partnerships.all():
        if wanted is not None and p.id not in wanted:
            continue
        members = cat.partnerships.memberships(p.id)
        row = {"name": p.name, "kind": p.kind, "status": p.status, "start": p.start, "end": p.end}
        if evidence is not None:
            row["as_of"] = evidence.partnership(p, when)
            if not counts(row["as_of"], include_unknown):
                continue
            members = [m for m in members if counts(evidence.membership(m, when), include_unknown)]
        rows.append({**row, "members": [orgs[m.organisation_id] for m in members],
                     "areas": areas.get(p.id, []), "area_vintages": vintages.get(p.id, []),
                     "policy_areas": list(p.policy_areas), "governance": p.governance, "funding": p.funding,
                     "savings": {"amount": p.savings_amount, "period": p.savings_period, "text": p.savings_text},
                     "sources": questions.cited([p.id], [m.id for m in members])})
    return rows


def _filtered(cat, questions, args) -> set[int] | None:
    """The ids the filters keep (None: no filter given); a kind, policy area or member
    is named as `where` names a place."""
    from models.catalogue.search import Filters, Search
    kind, status = getattr(args, "kind", None), getattr(args, "status", None)
    policy, member = getattr(args, "policy_area", None), getattr(args, "member", None)
    if not any((kind, status, policy, member)):
        return None
    filters = Filters(kind=questions.kind(kind) if kind else None, status=status,
                      policy_area=questions.policy_area(policy) if policy else None,
                      organisation_id=questions.organisation(member).id if member else None)
    return {row.id for row in Search(cat).rows(filters)}


def cmd_list(args) -> int:
    from models.analysis.questions import source_lines
    with _open(args.file) as cat:
        rows = _listing(cat, args.as_of, args.include_unknown, args)
    if args.json or getattr(args, "format", "table") == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    heading = f"as of {args.as_of}" if args.as_of else ""
    width = max(len(heading), len("attested"))   # a full date is wider than any state
    state = f" {heading:<{width}}" if args.as_of else ""
    print(f"{'partnership':<60} {'kind':<26} {'status':<8} {'years':<11}{state} {'members':>7}  areas")
    for r in rows:
        years = f"{(r['start'] or '?')[:4]}–{(r['end'] or '')[:4]}"
        state = f" {r['as_of']:<{width}}" if args.as_of else ""
        print(f"{r['name'][:60]:<60} {r['kind']:<26} {r['status']:<8} {years:<11}{state} "
              f"{len(r['members']):>7}  {len(r['areas'])}")
    print()
    for line in source_lines([s for r in rows for s in r["sources"]]):
        print(line)
    print()   # the count stays the last line, as scripts read it
    print(plural(len(rows), "partnership") + (f" active or attested in {args.as_of}"
                                              + (" or of unknown state" if args.include_unknown else "")
                                              if args.as_of else ""))
    return 0


def cmd_overlaps(args) -> int:
    from models.analysis.overlaps import overlap_matrix
    with _open(args.file) as cat:
        matrix = overlap_matrix(cat, by=args.by, as_of=args.as_of, include_unknown=args.include_unknown)
    pairs = matrix.pairs()
    unit = {"units": "wards", "population": "people", "area": "km²", "members": "organisations"}[args.by]
    if args.format == "json":
        print(json.dumps([{"a": p.a, "b": p.b, "by": p.by, "shared": p.shared, "jaccard": p.jaccard,
                           "a_in_b": p.a_in_b, "b_in_a": p.b_in_a} for p in pairs],
                         indent=2, ensure_ascii=False))
    elif args.format == "csv":
        import csv
        writer = csv.writer(sys.stdout)
        writer.writerow(["a", "b", "by", "shared", "jaccard", "a_in_b", "b_in_a"])
        for p in pairs:
            writer.writerow([p.a, p.b, p.by, f"{p.shared:g}", f"{p.jaccard:.4f}", f"{p.a_in_b:.4f}",
                             f"{p.b_in_a:.4f}"])
    else:
        _print_matrix(matrix, unit, args.by == "members")
        overlapping = sum(p.shared > 0 for p in pairs)
        print(f"{overlapping} of {plural(len(pairs), 'pair')} overlap; --format csv or json gives every pair "
              "with its Jaccard index and containment both ways")
    return 0


def _print_matrix(matrix, unit: str, members: bool) -> None:
    """The pairwise amounts as a numbered square table (0 shown as '·'), names below."""
    n = len(matrix)
    what = "partnerships" if members else "areas"
    if n == 0:
        print(f"no {what} to compare")
        return
    cell = (lambda v: f"{v:,.1f}") if unit == "km²" else (lambda v: f"{v:,.0f}")
    text = [[cell(v) if v > 0 else "·" for v in row] for row in matrix.shared]
    width = max(len(str(n)), *(len(t) for row in text for t in row))
    print(f"shared {unit} between {n} {what} (the diagonal is each one's own size)")
    print(" " * 4 + " ".join(f"{j + 1:>{width}}" for j in range(n)))
    for i, row in enumerate(text):
        print(f"{i + 1:>3} " + " ".join(f"{t:>{width}}" for t in row))
    print()
    for i, name in enumerate(matrix.names):
        print(f"{i + 1:>3}  {name}")


def cmd_export(args) -> int:
    from models.formats.export import export
    with _open(args.file) as cat:
        print(export(cat, args.out, args.partnership))
    return 0


def cmd_report(args) -> int:
    """Reached only when the CLI runs without main.py, which gives `report` to ui.report."""
    raise CatalogueError("the report is drawn with Qt: run it as 'python main.py report FILE OUT.pdf'")


def cmd_check(args) -> int:
    from models.analysis.consistency import consistency
    from models.storage.check import problems
    with _open(args.file) as cat:
        found = problems(cat)
        if not any(line.startswith(("integrity:", "catalogue: table")) for line in found):
            # Membership against footprint, at any time: a derived area never disagrees.
            found += [f"consistency: {p.line()}" for p in consistency(cat)]
    for line in found:
        print(line)
    print("ok: integrity, GeoPackage and references all sound" if not found
          else plural(len(found), "problem"))
    return 1 if found else 0


def cmd_consistency(args) -> int:
    from models.analysis.consistency import consistency
    with _open(args.file) as cat:
        found = consistency(cat, args.as_of)
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in found], indent=2, ensure_ascii=False))
    else:
        for p in found:
            print(p.line())
        when = f" as of {args.as_of}" if args.as_of else ""
        print(f"ok: every area agrees with its partnership's members{when}" if not found
              else plural(len(found), "problem") + when)
    return 1 if found else 0
