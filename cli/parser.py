"""The argparse parser: every command, its arguments and its help, in one place.

The commands are the sub-parsers' choices, so the list `main.py` dispatches on
cannot drift from what `--help` shows.
"""
from __future__ import annotations

import argparse

from cli import edits, history, network, questions, references, reports, server
from models.catalogue.records import STATUSES
from models.errors import CatalogueError


class _Parser(argparse.ArgumentParser):
    commands: argparse.Action | None = None

    def error(self, message: str) -> None:  # argparse's usage dump is not one line
        raise CatalogueError(f"{message} (see '{self.prog} --help')")

    def add_subparsers(self, **kwargs):
        self.commands = super().add_subparsers(**kwargs)
        return self.commands


def command_names() -> tuple[str, ...]:
    """The commands, in the order --help lists them."""
    return tuple(build_parser().commands.choices)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="partnership-atlas", description=(
        "Partnership Atlas: catalogue public-sector partnerships and their areas. "
        "Without a command, opens the GUI (on FILE if given)."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("new", help="create an empty catalogue file")
    p.add_argument("file")
    p.set_defaults(run=edits.cmd_new)

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
    p.add_argument("--vintage", metavar="YEAR", help="the year of the boundaries (found on its own from "
                   "ONS fields: WD22CD is 2022)")
    p.set_defaults(run=edits.cmd_import_boundaries)

    p = sub.add_parser("import-partnerships", help="import partnerships from a CSV (all rows or none)")
    p.add_argument("file")
    p.add_argument("csv")
    p.set_defaults(run=edits.cmd_import_partnerships)

    p = sub.add_parser("example", help="write the example catalogue from the source reports")
    p.add_argument("file")
    p.add_argument("--boundaries", metavar="SOURCE", help="ward boundaries with borough codes: adds "
                   "an area of member boroughs' wards to each borough-based partnership (default: the "
                   "London wards of 2020 and 2022, boroughs and ward populations shipped with the app)")
    p.add_argument("--population", metavar="CSV", help="ward population CSV to join to --boundaries")
    p.add_argument("--no-boundaries", action="store_true",
                   help="only the partnerships, organisations and sources: no boundary layers or areas")
    p.set_defaults(run=edits.cmd_example)

    p = sub.add_parser("list", help="list partnerships")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--as-of", metavar="DATE", help="each partnership's state then: active (its dates cover "
                   "it), attested (a source of then cites it), inactive or unknown")
    p.add_argument("--include-unknown", action="store_true",
                   help="with --as-of, also list the partnerships of unknown state (left out by default)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="json: the same as --json")
    p.add_argument("--kind", metavar="K", help="only partnerships of this kind")
    p.add_argument("--status", choices=STATUSES, help="only partnerships of this status")
    p.add_argument("--policy-area", metavar="P", help="only partnerships working on this policy area")
    p.add_argument("--member", metavar="ORG", help="only partnerships with this member (name or GSS code)")
    p.set_defaults(run=reports.cmd_list)
    _add_questions(sub)

    p = sub.add_parser("overlaps", help="pairwise overlap of areas (or of member sets): a matrix, "
                       "or every pair with Jaccard and containment as CSV/JSON")
    p.add_argument("file")
    p.add_argument("--by", choices=("units", "population", "area", "members"), default="units")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--as-of", metavar="DATE", help="only partnerships and memberships active or attested "
                   "then (dated, or cited by a source of that year)")
    p.add_argument("--include-unknown", action="store_true",
                   help="with --as-of, also count those with no evidence either way")
    p.set_defaults(run=reports.cmd_overlaps)
    references.add_parsers(sub)   # coterminosity, import-references
    network.add_parser(sub)

    p = sub.add_parser("export", help="export to .gpkg/.sqlite (catalogue), .geojson (areas), .csv, or the "
                       "sources as .csl.json (CSL-JSON) or .bib (BibTeX)")
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--partnership", action="append", metavar="NAME", help="only these (repeatable)")
    p.set_defaults(run=reports.cmd_export)

    p = sub.add_parser("report", help="a PDF to hand on: each partnership's map, members, figures and "
                       "references; without --partnership, the whole catalogue with its overlaps and coverage")
    p.add_argument("file")
    p.add_argument("out", help="the PDF to write")
    p.add_argument("--partnership", action="append", metavar="NAME",
                   help="only these (repeatable; a unique part of the name will do)")
    # The PDF is drawn by Qt, which the CLI never loads: main.py hands this command to ui.report.
    p.set_defaults(run=reports.cmd_report)

    p = sub.add_parser("import-sources", help="add the sources of a CSL-JSON (.csl.json, .json) or BibTeX "
                       "(.bib) file, skipping those already held (same DOI, URL, or title and year)")
    p.add_argument("file")
    p.add_argument("references")
    p.set_defaults(run=edits.cmd_import_sources)

    p = sub.add_parser("rebase", help="carry areas onto another vintage of their boundaries "
                       "(a dry run unless --apply)")
    p.add_argument("file")
    p.add_argument("--to", required=True, metavar="LAYER", help="the layer to re-base onto")
    p.add_argument("--from", dest="from_layer", metavar="LAYER",
                   help="the areas' layer (default: the other layer of that level with areas)")
    p.add_argument("--area", action="append", metavar="NAME", help="only these areas (repeatable)")
    p.add_argument("--rule", choices=("majority", "any", "within"), default="majority",
                   help="a new ward joins an area when most of it (default), any of it, or all of "
                   "it lies in the area")
    p.add_argument("--apply", action="store_true", help="write the re-based areas (one undo step)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=edits.cmd_rebase)

    _add_merge(sub)

    p = sub.add_parser("check", help="integrity, GeoPackage validity, dangling references")
    p.add_argument("file")
    p.set_defaults(run=reports.cmd_check)

    p = sub.add_parser("consistency", help="membership against footprint: members with no ward in their "
                       "partnership's area, boroughs in an area with no member; exit 1 if any")
    p.add_argument("file")
    p.add_argument("--as-of", metavar="DATE", help="memberships, partnerships and derived areas as of then")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=reports.cmd_consistency)
    server.add_parsers(sub)   # publish, pull (cli/server.py)
    history.add_parser(sub)
    _add_author(sub)
    return parser


def _add_merge(sub) -> None:
    p = sub.add_parser("merge", help="merge another copy of the catalogue into this one (one undo step)")
    p.add_argument("file", help="the catalogue to merge into")
    p.add_argument("other", help="the other copy (read, never written)")
    p.add_argument("--dry-run", action="store_true", help="report what merging would do; write nothing")
    p.add_argument("--prefer", choices=("mine", "theirs"),
                   help="resolve every conflict this way (without it, a merge with conflicts writes nothing)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=edits.cmd_merge)


# The commands that write: each edit is stamped with, and entered in the history under, an author.
WRITING = ("import-boundaries", "import-partnerships", "example", "import-sources", "rebase",
           "import-references", "merge", "pull")


def _add_author(sub) -> None:
    for name in WRITING:
        sub.choices[name].add_argument(
            "--author", metavar="NAME", help="who is editing, for the history and the rows' "
            "'changed by' (default: $ATLAS_AUTHOR, else your login name)")


def _add_questions(sub) -> None:
    """search, where, shared, coverage, area: each answer with its sources (cli/questions.py)."""
    naming = " (a full name, a GSS code, or any unique part of the name)"

    def common(p, as_of: bool = True) -> None:
        p.add_argument("--format", choices=("table", "json"), default="table")
        if as_of:
            p.add_argument("--as-of", metavar="DATE", help="only partnerships and memberships active or "
                           "attested then (a year or date)")
            p.add_argument("--include-unknown", action="store_true",
                           help="with --as-of, also count those with no evidence either way")

    p = sub.add_parser("search", help="full-text search of the partnerships, as in the GUI's list: "
                       "the words found are shown [like this]")
    p.add_argument("file")
    p.add_argument("text")
    common(p, as_of=False)
    p.set_defaults(run=questions.cmd_search)

    p = sub.add_parser("where", help="which partnerships cover a borough or ward (through a member or an area)")
    p.add_argument("file")
    p.add_argument("place", help="a borough or ward" + naming)
    common(p)
    p.set_defaults(run=questions.cmd_where)

    p = sub.add_parser("shared", help="what two partnerships share: members, wards, people")
    p.add_argument("file")
    p.add_argument("a", help="a partnership" + naming)
    p.add_argument("b", help="another partnership")
    common(p)
    p.set_defaults(run=questions.cmd_shared)

    p = sub.add_parser("coverage", help="how many partnerships cover each ward and borough; the boroughs "
                       "none covers")
    p.add_argument("file")
    p.add_argument("--policy-area", metavar="P", help="only partnerships working on this policy area")
    p.add_argument("--kind", metavar="K", help="only partnerships of this kind")
    common(p)
    p.set_defaults(run=questions.cmd_coverage)

    p = sub.add_parser("area", help="an area's figures as the area panel shows them, per borough it crosses")
    p.add_argument("file")
    p.add_argument("name", help="the area" + naming)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--as-of", metavar="DATE", help="a derived area's wards as of then (its members then)")
    p.set_defaults(run=questions.cmd_area)
