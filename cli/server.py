"""publish and pull: the catalogue to and from a PostGIS team server (models/server)."""
from __future__ import annotations

import getpass
import sys

from models.errors import CatalogueError


def _password(args) -> str | None:
    # Never an argument (other users see a process's arguments): typed, or libpq's own
    # ~/.pgpass, PGPASSWORD or the service file.
    return getpass.getpass(f"password for {args.url}: ") if args.ask_password else None


def _tick(what: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {what:<40}", end="", file=sys.stderr, flush=True)


def cmd_publish(args) -> int:
    from models.catalogue import Catalogue
    from models.server.publish import publish
    with Catalogue.open(args.file, read_only=True) as cat:
        counts = publish(cat.store, args.url, schema=args.schema, password=_password(args),
                         editors=args.grant_editor or (), readers=args.grant_reader or (), progress=_tick)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    total = {k: sum(c[k] for c in counts.values()) for k in ("added", "changed", "deleted")}
    print(f"published {args.file} to schema {args.schema}: {total['added']} rows added, "
          f"{total['changed']} changed, {total['deleted']} deleted")
    return 0


def cmd_pull(args) -> int:
    from pathlib import Path

    from cli.edits import _open
    from models.catalogue import merge
    from models.errors import plural
    from models.server.pull import download, pull_name, pull_plan
    path = Path(args.file)
    if not path.exists():   # a first pull: the server's catalogue as a new file
        download(args.url, path, schema=args.schema, password=_password(args), progress=_tick)
        _end_ticks()
        print(f"pulled schema {args.schema} into {path.name} (a new catalogue)")
        return 0
    with _open(args.file, args) as cat:
        plan = pull_plan(cat, args.url, schema=args.schema, password=_password(args), prefer=args.prefer,
                         progress=_tick)
        _end_ticks()
        if plan is None or plan.is_empty():
            print(f"pulled schema {args.schema} into {path.name}: nothing new")
            return 0
        open_conflicts = [c for c in plan.conflicts if c.resolved is None]
        for c in open_conflicts:
            print(f"conflict: {c.table} {c.record!r} {c.field}: mine {c.mine!r}, server {c.theirs!r}")
        if open_conflicts:
            raise CatalogueError(f"{plural(len(open_conflicts), 'conflict')} with the server; nothing pulled: "
                                 "choose --prefer mine or --prefer theirs, or pull in the app to choose one by one")
        report = plan.report()
        merge.apply(cat, plan, name=pull_name(args.url, args.schema))
    counts = "; ".join(f"{key} " + ", ".join(f"{t.replace('_', ' ')} {n}" for t, n in sorted(report[key].items()))
                       for key in ("added", "changed") if report[key]) or "nothing new"
    print(f"pulled schema {args.schema} into {path.name}: {counts} (one undo step)")
    return 0


def _end_ticks() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def add_parsers(sub) -> None:
    where = ("a postgresql:// URL (TLS settings such as ?sslmode=verify-full pass through) or a libpq "
             "service name; the password is never an argument: --ask-password, ~/.pgpass or PGPASSWORD")
    p = sub.add_parser("publish", help="publish the catalogue to a PostGIS schema (one transaction; "
                       "publishing again updates it in place)")
    p.add_argument("file", help="the catalogue")
    p.add_argument("url", help=where)
    p.add_argument("--schema", default="atlas", help="the server schema (default 'atlas')")
    p.add_argument("--grant-editor", metavar="ROLE", action="append",
                   help="let this existing role add rows and change its own (repeatable)")
    p.add_argument("--grant-reader", metavar="ROLE", action="append", help="let this role read (repeatable)")
    p.add_argument("--ask-password", action="store_true", help="ask for the password (not echoed)")
    p.set_defaults(run=cmd_publish)

    p = sub.add_parser("pull", help="merge the server's schema into the catalogue (one undo step), "
                       "or write it to a new file")
    p.add_argument("file", help="the catalogue (created if it does not exist)")
    p.add_argument("--prefer", choices=("mine", "theirs"), help="settle every conflict this way (theirs: the server)")
    p.add_argument("url", help=where)
    p.add_argument("--schema", default="atlas", help="the server schema (default 'atlas')")
    p.add_argument("--ask-password", action="store_true", help="ask for the password (not echoed)")
    p.set_defaults(run=cmd_pull)
