"""The command line: the same model as the GUI, scriptable, and never loading Qt.

    parser.py   every command, its arguments and help (the list of commands is its choices)
    edits.py    commands that write: they take the same daily backup as the GUI
    reports.py  commands that only read

Each sub-command exits 0 on success and 2 with one line `error: …` on stderr for
bad input (`check` and `consistency` exit 1 when they find problems).
"""
from __future__ import annotations

import sys

from cli.parser import build_parser, command_names
from models.errors import CatalogueError

__all__ = ["command_names", "is_command", "main"]


def is_command(word: str) -> bool:
    """Whether `python main.py WORD …` is a CLI command (else WORD may be a file for the GUI)."""
    return word in command_names()


def main(argv: list[str], runners: dict | None = None) -> int:
    """runners: commands run by another face (main.py gives `report` to ui.report, which needs Qt),
    parsed and reported on here like every other."""
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "run", None):
            raise CatalogueError("name a command (see --help)")
        return (runners or {}).get(args.command, args.run)(args)
    except CatalogueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
