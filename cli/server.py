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

    from models.server.pull import download
    path = Path(args.file)
    if path.exists():
        raise CatalogueError(f"{path.name} exists: pulling into an existing catalogue merges through the "
                             f"merge review, which this version lacks; pull into a new file")
    download(args.url, path, schema=args.schema, password=_password(args), progress=_tick)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"pulled schema {args.schema} into {path.name}")
    return 0


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

    p = sub.add_parser("pull", help="the server's schema as a catalogue: into a new file")
    p.add_argument("file", help="the catalogue to write")
    p.add_argument("url", help=where)
    p.add_argument("--schema", default="atlas", help="the server schema (default 'atlas')")
    p.add_argument("--ask-password", action="store_true", help="ask for the password (not echoed)")
    p.set_defaults(run=cmd_pull)
