"""The research questions: search, where, shared, coverage, area.

Each answer is models.analysis.questions' dict: `--format json` prints it as it is
(scripts read those keys), the table prints its figures and then a "Sources:" block.
The catalogue is opened read-only: asking never changes the file.
"""
from __future__ import annotations

import json

from models.errors import plural

# The models are imported when a command runs: `main.py` imports this module to know the
# commands, and the GUI's start must not load the analysis (numpy, scipy) it defers.


def _ask(args, question):
    from models.analysis.questions import Questions
    from models.catalogue import Catalogue
    with Catalogue.open(args.file, read_only=True) as cat:
        return question(Questions(cat))


def _json(answer) -> None:
    print(json.dumps(answer, indent=2, ensure_ascii=False))


def _when(answer) -> str:
    return f" as of {answer['as_of']}" if answer.get("as_of") else ""


def _table(header: list[str], rows: list[list], right: set[int] = frozenset()) -> None:
    widths = [max([len(str(h))] + [len(str(r[k])) for r in rows]) for k, h in enumerate(header)]
    def line(cells):
        return "  ".join(f"{str(c):>{w}}" if k in right else f"{str(c):<{w}}"
                         for k, (c, w) in enumerate(zip(cells, widths))).rstrip()
    print(line(header))
    for r in rows:
        print(line(r))


def _sources(answer) -> None:
    from models.analysis.questions import source_lines
    print()
    for line in source_lines(answer["sources"]):
        print(line)


def cmd_search(args) -> int:
    from models.catalogue import Catalogue
    from models.catalogue.search import Search
    with Catalogue.open(args.file, read_only=True) as cat:
        found = Search(cat).snippets(args.text)
    if args.format == "json":
        _json([{"name": name, "snippet": snippet} for name, snippet in found])
        return 0
    for name, snippet in found:
        print(name)
        print(f"    {snippet}")
    print(plural(len(found), "partnership") + f" match '{args.text}'")
    return 0


def cmd_where(args) -> int:
    answer = _ask(args, lambda q: q.where(args.place, args.as_of, args.include_unknown))
    if args.format == "json":
        _json(answer)
        return 0
    rows = answer["partnerships"]
    print(f"{answer['place']} ({answer['code']}), a {answer['level']}: "
          f"{plural(len(rows), 'partnership')} {'covers' if len(rows) == 1 else 'cover'} it{_when(answer)}")
    if rows:
        print()
        _table(["partnership", "via", "role"], [[r["name"], r["via"], r["role"] or ""] for r in rows])
    _sources(answer)
    return 0


def cmd_shared(args) -> int:
    answer = _ask(args, lambda q: q.shared(args.a, args.b, args.as_of, args.include_unknown))
    if args.format == "json":
        _json(answer)
        return 0
    print(f"A: {answer['a']}")
    print(f"B: {answer['b']}{_when(answer)}")
    orgs = answer["organisations"]
    print(f"shared organisations ({len(orgs)}): {', '.join(orgs) if orgs else 'none'}")
    print(f"shared wards: {answer['wards']:,}   people in them: {answer['people']:,}")
    if answer["also_in"]:
        print("also in:")
        for org, others in answer["also_in"].items():
            print(f"  {org}: {', '.join(others) if others else 'no other partnership'}")
    _sources(answer)
    return 0


def cmd_coverage(args) -> int:
    answer = _ask(args, lambda q: q.coverage(args.policy_area, args.kind, args.as_of, args.include_unknown))
    if args.format == "json":
        _json(answer)
        return 0
    what = " ".join(x for x in (answer["policy_area"], answer["kind"]) if x)
    print(f"{what + ' ' if what else ''}partnerships covering each borough{_when(answer)} "
          "(--format json lists every ward)")
    print()
    _table(["borough", "code", "partnerships", "wards covered"],
           [[b["name"], b["code"], b["count"], f"{b['wards_covered']} of {b['wards']}"]
            for b in answer["boroughs"]], right={2, 3})
    uncovered = answer["uncovered_boroughs"]
    print()
    print(f"not covered ({len(uncovered)}): {', '.join(uncovered) if uncovered else 'none'}")
    _sources(answer)
    return 0


def cmd_area(args) -> int:
    answer = _ask(args, lambda q: q.area(args.name, args.as_of))
    if args.format == "json":
        _json(answer)
        return 0
    people = "unknown" if answer["population"] is None else f"{answer['population']:,}"
    print(f"{answer['name']}{_when(answer)}")
    if answer["partnership"]:
        print(f"partnership: {answer['partnership']}")
    crossing = "a virtual borough: it crosses borough lines" if answer["virtual_borough"] else "within one borough"
    shape = "contiguous" if answer["contiguous"] else plural(answer["parts"], "separate part")
    print(f"{answer['wards']:,} wards, {answer['km2']:,.1f} km², {people} people; {crossing}; {shape}")
    if answer["boroughs"]:
        print()
        _table(["borough", "code", "wards", "km²", "people"],
               [[b["name"], b["code"] or "", b["wards"], f"{b['km2']:,.1f}",
                 "" if b["population"] is None else f"{b['population']:,}"] for b in answer["boroughs"]],
               right={2, 3, 4})
    if answer["overlaps"]:
        print()
        print("overlaps:")
        for o in answer["overlaps"]:
            print(f"  {o['area']}: {plural(o['wards'], 'ward')}")
    _sources(answer)
    return 0
