"""The command line: the same model as the GUI, scriptable.

Each sub-command exits 0 on success and 2 with one line `error: …` on stderr for
bad input (`check` exits 1 when it finds problems).
"""
from __future__ import annotations

import argparse
import json
import sys

from models.errors import CatalogueError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage dump is not one line
        raise CatalogueError(f"{message} (see '{self.prog} --help')")


def _open(path: str, read_only: bool = False):
    from models.catalogue import Catalogue
    return Catalogue.open(path, read_only=read_only)


def cmd_new(args) -> int:
    from models.catalogue import Catalogue
    Catalogue.create(args.file).close()
    print(f"created {args.file}")
    return 0


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%} {message:<50}", end="", file=sys.stderr, flush=True)


def cmd_import_boundaries(args) -> int:
    from models.formats.boundary_import import import_boundaries
    if (args.population_field or args.attribute_field) and not args.population:
        raise CatalogueError("--population-field and --attribute-field need --population CSV")
    with _open(args.file) as cat:
        revert, data = import_boundaries(
            cat, args.source, name=args.name, level=args.level, code_field=args.code_field,
            name_field=args.name_field, parent_field=args.parent_field, layer=args.layer,
            population=args.population, population_field=args.population_field or "population",
            attribute_fields=args.attribute_field or [], progress=_progress)
        layer = cat.layers.get(revert.id)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"imported {len(data.codes)} units into layer '{layer.name}' ({layer.level}; "
              f"code {data.code_field}, name {data.name_field}, parent {data.parent_field or '-'})")
        if data.repaired:
            print(f"repaired invalid geometry of {len(data.repaired)} units: {', '.join(data.repaired)}")
    return 0


def cmd_import_partnerships(args) -> int:
    from models.formats.partnership_import import PartnershipImportError, import_partnerships
    with _open(args.file) as cat:
        try:
            revert = import_partnerships(cat, args.csv)
        except PartnershipImportError as e:
            for row, message in e.row_errors:
                print(f"row {row}: {message}", file=sys.stderr)
            raise
        print(f"imported {len(revert.inserted('partnerships'))} partnerships")
    return 0


def cmd_example(args) -> int:
    from models.catalogue import Catalogue
    from models.formats.example import build_example
    with Catalogue.open_or_create(args.file) as cat:
        build_example(cat, wards=args.boundaries, population=args.population)
        print(f"wrote the example catalogue to {args.file}: {len(cat.partnerships.all())} partnerships, "
              f"{len(cat.organisations.all())} organisations, {len(cat.areas.all())} areas")
    return 0


def _listing(cat) -> list[dict]:
    orgs = {o.id: o.name for o in cat.organisations.all()}
    areas: dict[int, list[str]] = {}
    for a in cat.areas.all():
        if a.partnership_id is not None:
            areas.setdefault(a.partnership_id, []).append(a.name)
    return [{"name": p.name, "kind": p.kind, "status": p.status, "start": p.start, "end": p.end,
             "members": [orgs[m.organisation_id] for m in cat.partnerships.memberships(p.id)],
             "areas": areas.get(p.id, []), "policy_areas": list(p.policy_areas)}
            for p in cat.partnerships.all()]


def cmd_list(args) -> int:
    with _open(args.file, read_only=True) as cat:
        rows = _listing(cat)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{'partnership':<60} {'kind':<26} {'status':<8} {'years':<11} {'members':>7}  areas")
    for r in rows:
        years = f"{(r['start'] or '?')[:4]}–{(r['end'] or '')[:4]}"
        print(f"{r['name'][:60]:<60} {r['kind']:<26} {r['status']:<8} {years:<11} "
              f"{len(r['members']):>7}  {len(r['areas'])}")
    print(f"{len(rows)} partnerships")
    return 0


def cmd_overlaps(args) -> int:
    from models.analysis.overlaps import overlap_matrix
    with _open(args.file, read_only=True) as cat:
        matrix = overlap_matrix(cat, by=args.by, as_of=args.as_of)
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
        print(f"{overlapping} of {len(pairs)} pairs overlap; --format csv or json gives every pair "
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
    with _open(args.file, read_only=True) as cat:
        print(export(cat, args.out, args.partnership))
    return 0


def cmd_check(args) -> int:
    from models.storage.check import problems
    with _open(args.file, read_only=True) as cat:
        found = problems(cat)
    for line in found:
        print(line)
    print("ok: integrity, GeoPackage and references all sound" if not found
          else f"{len(found)} problems")
    return 1 if found else 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="partnership-atlas", description=(
        "Partnership Atlas: catalogue public-sector partnerships and their areas. "
        "Without a command, opens the GUI (on FILE if given)."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("new", help="create an empty catalogue file")
    p.add_argument("file")
    p.set_defaults(run=cmd_new)

    p = sub.add_parser("import-boundaries", help="import ward/borough boundaries (GeoJSON, .geojson.gz, "
                       "Shapefile, zipped Shapefile, GeoPackage)")
    p.add_argument("file", help="the catalogue")
    p.add_argument("source", help="the boundary file")
    p.add_argument("--name", help="layer name (default from the ONS fields, e.g. 'Wards 2020')")
    p.add_argument("--level", choices=("ward", "borough", "other"))
    p.add_argument("--layer", help="the layer to read from a GeoPackage with several")
    p.add_argument("--code-field", help="field with unit codes (ONS xxYYCD is found on its own)")
    p.add_argument("--name-field", help="field with unit names (ONS xxYYNM is found on its own)")
    p.add_argument("--parent-field", help="field with the parent's code, e.g. LAD20CD")
    p.add_argument("--population", metavar="CSV", help="CSV of values keyed by unit code")
    p.add_argument("--population-field", metavar="F", help="CSV column to join (default 'population')")
    p.add_argument("--attribute-field", metavar="F", action="append",
                   help="another numeric CSV column kept with each unit (repeatable)")
    p.set_defaults(run=cmd_import_boundaries)

    p = sub.add_parser("import-partnerships", help="import partnerships from a CSV (all rows or none)")
    p.add_argument("file")
    p.add_argument("csv")
    p.set_defaults(run=cmd_import_partnerships)

    p = sub.add_parser("example", help="write the example catalogue from the source reports")
    p.add_argument("file")
    p.add_argument("--boundaries", metavar="SOURCE", help="ward boundaries with borough codes: adds "
                   "an area of member boroughs' wards to each borough-based partnership")
    p.add_argument("--population", metavar="CSV", help="ward population CSV to join")
    p.set_defaults(run=cmd_example)

    p = sub.add_parser("list", help="list partnerships")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("overlaps", help="pairwise overlap of areas (or of member sets): a matrix, "
                       "or every pair with Jaccard and containment as CSV/JSON")
    p.add_argument("file")
    p.add_argument("--by", choices=("units", "population", "area", "members"), default="units")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--as-of", metavar="DATE", help="only partnerships and memberships active then")
    p.set_defaults(run=cmd_overlaps)

    p = sub.add_parser("export", help="export to .gpkg/.sqlite (catalogue), .geojson (areas) or .csv")
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--partnership", action="append", metavar="NAME", help="only these (repeatable)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("check", help="integrity, GeoPackage validity, dangling references")
    p.add_argument("file")
    p.set_defaults(run=cmd_check)
    return parser


COMMANDS = ("new", "import-boundaries", "import-partnerships", "example", "list", "overlaps",
            "export", "check")


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "run", None):
            raise CatalogueError("name a command (see --help)")
        return args.run(args)
    except CatalogueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
