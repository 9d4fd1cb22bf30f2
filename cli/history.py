"""`history FILE [--record NAME|UUID] [--limit N] [--format table|json]`: what the file's own
history says happened, newest first (read-only)."""
from __future__ import annotations

import json

from models.errors import CatalogueError


def add_parser(sub) -> None:
    p = sub.add_parser("history", help="the catalogue's history of edits, undos and redos, newest first; "
                       "--record: only what happened to one record (and the rows pointing to it)")
    p.add_argument("file")
    p.add_argument("--record", metavar="NAME|UUID", help="a partnership, organisation, area, layer (by "
                   "name) or source (by title), or any record's uuid; a removed one is found too")
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N entries")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=cmd_history)


def cmd_history(args) -> int:
    from models.catalogue import Catalogue
    from models.catalogue.history import summary
    if args.limit is not None and args.limit < 1:
        raise CatalogueError("--limit must be 1 or more")
    with Catalogue.open(args.file, read_only=True) as cat:
        if args.record:
            found = cat.history.find_record(args.record)
            if not found:
                raise CatalogueError(f"no record called '{args.record}' now or in the history")
            # A partnership and its area often share a name: what happened to either.
            by_id = {e.id: e for _, u, _ in found for e in cat.history.entries(record=u, limit=args.limit)}
            entries = sorted(by_id.values(), key=lambda e: -e.id)[:args.limit]
        else:
            found, entries = [], cat.history.entries(limit=args.limit)
        names = cat.history.names()
    if args.format == "json":
        print(json.dumps([{"uuid": e.uuid, "at": e.at, "author": e.author, "name": e.name, "kind": e.kind,
                           "detail": e.detail,
                           "changes": [{"table": c.tbl, "uuid": c.row_uuid, "op": c.op, "old": c.old, "new": c.new}
                                       for c in e.changes]} for e in entries], indent=2, ensure_ascii=False))
        return 0
    # Columns as wide as their longest value (within reason), so names are never cut short.
    aw = min(30, max([6] + [len(e.author or "-") for e in entries]))
    nw = min(48, max([4] + [len(e.name) for e in entries]))
    print(f"{'when (UTC)':<19}  {'author':<{aw}} {'kind':<7} {'edit':<{nw}} changed")
    for e in entries:
        focus = found[0][1] if args.record and len(found) == 1 else None
        print(f"{e.at[:19].replace('T', ' '):<19}  {(e.author or '-')[:aw]:<{aw}} {e.kind:<7} "
              f"{e.name[:nw]:<{nw}} {summary(e, names, record=focus)}")
    print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    return 0
