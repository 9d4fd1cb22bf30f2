"""The commands that write a catalogue: new, import-boundaries, import-partnerships, import-sources,
example, rebase.

Opening an existing catalogue for writing goes through `_opened`, which gives it the
same backups folder as the GUI: the first edit of the day, and any schema upgrade,
is preceded by a copy, whichever face made it. A backup that cannot be taken is
said on stderr and the edit goes on, as in the GUI's status bar.
"""
from __future__ import annotations

import sys
from pathlib import Path

from models.errors import CatalogueError, plural


def _backups():
    from models.storage import paths
    from models.storage.backups import Backups
    return Backups(paths.backups_folder())


def _opened(catalogue, args):
    if catalogue.store.backup_warning:
        print(f"warning: {catalogue.store.backup_warning}", file=sys.stderr)
    if getattr(args, "author", None):   # else the store's default: $ATLAS_AUTHOR or the login name
        catalogue.store.author = args.author
    return catalogue


def _open(path: str, args):
    from models.catalogue import Catalogue
    return _opened(Catalogue.open(path, backups=_backups()), args)


def _named(cat, command: str, target: str, kind: str = "edit"):
    """The history's name for what a command writes, e.g. "import-partnerships wla.csv"."""
    return cat.store.naming(f"{command} {Path(target).name}" if target else command, kind)


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%} {message:<50}", end="", file=sys.stderr, flush=True)


def cmd_new(args) -> int:
    from models.catalogue import Catalogue
    Catalogue.create(args.file).close()  # a new file has nothing yet to back up
    print(f"created {args.file}")
    return 0


def cmd_import_boundaries(args) -> int:
    from models.formats.boundary_import import import_boundaries, prepare_map_levels
    if (args.population_field or args.attribute_field) and not args.population:
        raise CatalogueError("--population-field and --attribute-field need --population CSV")
    with _open(args.file, args) as cat, _named(cat, "import-boundaries", args.source, "import"):
        revert, data = import_boundaries(
            cat, args.source, name=args.name, level=args.level, code_field=args.code_field,
            name_field=args.name_field, parent_field=args.parent_field, layer=args.layer,
            population=args.population, population_field=args.population_field or "population",
            attribute_fields=args.attribute_field or [], progress=_progress,
            vintage=args.vintage, require_vintage=True)
        layer = cat.layers.get(revert.id)
        # The map's simplified outlines, kept with the layer so the app's first open draws at once.
        prepare_map_levels(cat, layer.id, data.geometries, data.parent_codes, progress=_progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"imported {plural(len(data.codes), 'unit')} into layer '{layer.name}' ({layer.level} "
              f"{layer.vintage}; "
              f"code {data.code_field}, name {data.name_field}, parent {data.parent_field or '-'})")
        if data.repaired:
            print(f"repaired invalid geometry of {plural(len(data.repaired), 'unit')}: {', '.join(data.repaired)}")
        if data.noded:
            print(f"added the vertices neighbours share to {plural(len(data.noded), 'unit')}: "
                  f"{', '.join(data.noded[:10])}{' …' if len(data.noded) > 10 else ''}")
    return 0


def cmd_import_partnerships(args) -> int:
    from models.formats.partnership_import import PartnershipImportError, plan_import, write_plan
    with _open(args.file, args) as cat, _named(cat, "import-partnerships", args.csv, "import"):
        plan = plan_import(cat, args.csv)
        try:
            revert = write_plan(cat, plan)
        except PartnershipImportError as e:
            for row, message in e.row_errors:
                print(f"row {row}: {message}", file=sys.stderr)
            raise
        print(f"imported {plural(len(revert.inserted('partnerships')), 'partnership')}"
              + (f"; {len(plan.recognised)} already in the catalogue (same uuid), left as they are"
                 if plan.recognised else ""))
    return 0


def cmd_import_sources(args) -> int:
    from models.formats.references import import_sources, read_sources
    read_sources(args.references)   # a malformed file is refused before the catalogue is opened
    with _open(args.file, args) as cat, _named(cat, "import-sources", args.references, "import"):
        print(import_sources(cat, args.references).summary(args.references))
    return 0


def cmd_example(args) -> int:
    from models.catalogue import Catalogue
    from models.formats.example import build_example
    if args.population and not args.boundaries:
        raise CatalogueError("--population needs --boundaries (the shipped London wards have theirs)")
    if args.no_boundaries and args.boundaries:
        raise CatalogueError("--no-boundaries and --boundaries cannot both be given")
    with _opened(Catalogue.open_or_create(args.file, backups=_backups()), args) as cat, \
            _named(cat, "example", "", "import"):
        build_example(cat, wards=args.boundaries, population=args.population,
                      shipped=not (args.boundaries or args.no_boundaries))
        print(f"wrote the example catalogue to {args.file}: {plural(len(cat.partnerships.all()), 'partnership')}, "
              f"{plural(len(cat.organisations.all()), 'organisation')}, {plural(len(cat.areas.all()), 'area')}")
    return 0


def cmd_rebase(args) -> int:
    import json

    from models.analysis.rebase import apply_rebase, plan_rebase
    from models.catalogue import Catalogue
    # A dry run opens the file read-only: it cannot write, even by accident.
    cat = _open(args.file, args) if args.apply else Catalogue.open(args.file, read_only=True)
    with cat, _named(cat, "rebase --to", args.to):
        plans, _ = plan_rebase(cat, args.to, args.from_layer, args.area, args.rule)
        if args.apply and plans:
            apply_rebase(cat, plans)
    if args.format == "json":
        print(json.dumps([p.row() for p in plans], indent=2, ensure_ascii=False))
        return 0
    print(f"{'area':<50} {'wards':>11} {'km² before':>11} {'km² after':>10} {'covered':>8}  review")
    for p in plans:
        print(f"{p.area[:50]:<50} {len(p.codes_before):>4} → {len(p.codes_after):<4} {p.km2_before:>11.2f} "
              f"{p.km2_after:>10.2f} {p.covered_share:>8.1%}  {', '.join(p.review) or '-'}")
    done = "re-based" if args.apply else "would re-base (dry run: add --apply to write)"
    print(f"{done} {plural(len(plans), 'area')} onto '{args.to}' by the {args.rule} rule")
    return 0


def cmd_merge(args) -> int:
    import json

    from models.catalogue import Catalogue, merge
    # A dry run opens the file read-only: it cannot write, even by accident.
    cat = Catalogue.open(args.file, read_only=True) if args.dry_run else _open(args.file, args)
    with cat:
        plan = merge.plan(cat, args.other, prefer=args.prefer)
        open_conflicts = [c for c in plan.conflicts if c.resolved is None]
        if open_conflicts and not args.dry_run:
            raise CatalogueError(f"{plural(len(open_conflicts), 'conflict')} between the copies; nothing merged: "
                                 "choose --prefer mine or --prefer theirs (see --dry-run), or merge in the app "
                                 "to choose one by one")
        if not args.dry_run:
            merge.apply(cat, plan)
    report = plan.report()
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for key in ("added", "changed"):
        counts = ", ".join(f"{t.replace('_', ' ')} {n}" for t, n in sorted(report[key].items()))
        print(f"{key + ':':<10}{counts or '-'}")
    for m in report["matched"]:
        print(f"matched:  {m['table']} {plan._names.get(min(m['mine'], m['theirs']), m['mine'])!r} by {m['by']}")
    for c, conflict in zip(report["conflicts"], plan.conflicts):
        print(f"conflict: {c['table']} {conflict.record!r} {c['field']}: mine {c['mine']!r}, "
              f"theirs {c['theirs']!r} -> {c['resolved'] or 'open'}")
    if args.dry_run:
        print(f"dry run: nothing written (merging {plan.other_name} into {cat.path.name})")
    else:
        print(f"merged {plan.other_name} into {cat.path.name} (one undo step)")
    return 0
