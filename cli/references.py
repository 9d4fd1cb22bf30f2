"""coterminosity and import-references: partnerships measured against other agencies' geographies
(models.analysis.coterminosity, models.formats.reference_pack)."""
from __future__ import annotations

import json
import sys

from models.errors import CatalogueError


def add_parsers(sub) -> None:
    p = sub.add_parser("coterminosity", help="how well each partnership's area fits a reference geography "
                       "(ICBs, police force areas…): shares both ways, Jaccard, a category, the nesting index")
    p.add_argument("file")
    p.add_argument("--layer", metavar="NAME", help="the reference geography: its name or any unique part of it "
                   "(e.g. icb)")
    p.add_argument("--list", action="store_true", help="list the reference geographies instead")
    p.add_argument("--by", choices=("units", "population", "area"), default="units",
                   help="weigh by wards (default), people or km²")
    p.add_argument("--as-of", metavar="DATE", help="partnerships active then, derived areas with the members "
                   "of then, on the ward vintage in force then")
    p.add_argument("--tolerance", type=float, default=0.02, metavar="SHARE",
                   help="share allowed out for coterminous/nested/contains (default 0.02)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_coterminosity)

    p = sub.add_parser("import-references", help="add a reference geography from a CSV (area, code, "
                       "authorities), a boundary file of its areas, or a starter pack (--pack london)")
    p.add_argument("file", help="the catalogue")
    p.add_argument("source", nargs="?", help="the CSV or boundary file (not with --pack)")
    p.add_argument("--pack", metavar="NAME", help="a cited starter pack shipped with the app: london")
    p.add_argument("--name", help="the geography's name (default: the file's name)")
    p.add_argument("--agency", default="", help="whose geography it is, e.g. 'NHS England'")
    p.add_argument("--from", dest="in_force_from", metavar="DATE", help="in force from (YYYY, YYYY-MM, YYYY-MM-DD)")
    p.add_argument("--to", dest="in_force_to", metavar="DATE", help="in force until")
    p.add_argument("--source-title", default="", help="where the areas come from")
    p.add_argument("--source-year", type=int, help="the source's year")
    p.add_argument("--not-partitioning", action="store_true",
                   help="its areas may overlap each other (else overlapping polygons are refused)")
    p.add_argument("--code-field", help="boundary file: field with the areas' codes")
    p.add_argument("--name-field", help="boundary file: field with the areas' names")
    p.set_defaults(run=cmd_import_references)


def _open_read(path: str):
    from models.catalogue import Catalogue
    return Catalogue.open(path, read_only=True)


def cmd_coterminosity(args) -> int:
    from models.analysis.coterminosity import measure
    with _open_read(args.file) as cat:
        if args.list:
            geographies = cat.references.list()
            if args.format == "json":
                print(json.dumps([{"name": g.name, "areas": g.area_count, "from": g.in_force_from,
                                   "to": g.in_force_to} for g in geographies], indent=2, ensure_ascii=False))
            else:
                for g in geographies:
                    span = f"{g.in_force_from or '…'} – {g.in_force_to or ''}".strip()
                    print(f"{g.name}  ({g.area_count} areas, in force {span}; {g.agency or 'agency not given'})")
                if not geographies:
                    print("no reference geographies (import-references FILE --pack london adds London's)")
            return 0
        if not args.layer:
            raise CatalogueError("name a reference geography with --layer (or --list them)")
        result = measure(cat, args.layer, by=args.by, as_of=args.as_of, tolerance=args.tolerance)
    for line in result.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(result.to_csv())
    else:
        _table(result)
    return 0


def _table(r) -> None:
    unit = {"units": "wards", "population": "people", "area": "km²"}[r.by]
    when = f" as of {r.as_of}" if r.as_of else ""
    print(f"{r.geography.name}: {len(r.reference_names)} areas; {len(r.summary)} partnership areas by {unit}"
          f"{when}, on {r.layer} (tolerance {r.tolerance:.0%})")
    if not r.summary:
        print("no partnership areas to measure")
        return
    width = min(48, max(len(s.area) for s in r.summary))
    print(f"{'area':<{width}}  {'category':<11} {'split':>5}  {'nesting':>7}  best fit (Jaccard)")
    for s in r.summary:
        best = f"{s.best} ({s.best_jaccard:.2f})" if s.best else "—"
        print(f"{s.area[:width]:<{width}}  {s.category:<11} {s.split_into:>5}  {s.nesting:>7.2f}  {best}")
    print(f"relative nesting index (Zhukov et al. 2023) {r.nesting_index:.3f}; "
          f"{r.intact_share:.0%} of the areas left intact")
    print("--format csv or json gives every pair with its shares both ways and Jaccard")


def cmd_import_references(args) -> int:
    from cli.edits import _named, _open
    from models.formats import reference_pack as packs
    if bool(args.pack) == bool(args.source):
        raise CatalogueError("give a CSV or boundary file, or --pack NAME (one of them)")
    geography = dict(agency=args.agency, in_force_from=args.in_force_from, in_force_to=args.in_force_to,
                     partitions=not args.not_partitioning, source_title=args.source_title,
                     source_year=args.source_year)
    # Files are read and checked for form before the catalogue is opened; codes and overlaps after.
    if args.pack:
        geographies = packs.read_pack(args.pack)
    elif args.source.lower().endswith(".csv"):
        geographies = [(packs.NewGeography(name=args.name or _stem(args.source), **geography),
                        packs.read_csv(args.source))]
    else:
        geographies = [(packs.NewGeography(name=args.name or _stem(args.source), **geography),
                        packs.read_boundary_file(args.source, args.code_field, args.name_field))]
    with _open(args.file, args) as cat, _named(cat, "import-references", args.source or f"--pack {args.pack}",
                                                "import"):
        try:
            packs.add_all(cat, geographies)
        except CatalogueError as e:   # one line per problem, each an error line
            for line in str(e).splitlines():
                print(f"error: {line}", file=sys.stderr)
            print("error: nothing was written", file=sys.stderr)
            return 2
    for g, areas in geographies:
        print(f"added '{g.name}': {len(areas)} areas")
    return 0


def _stem(path: str) -> str:
    from pathlib import Path
    return Path(path).name.split(".")[0]
