"""Partnership Atlas: `python main.py [FILE]` opens the GUI; `python main.py COMMAND …` runs the CLI."""
import sys
from pathlib import Path

import cli


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "report":   # the one command drawn with Qt; the others never load it
        from ui.report.command import cmd_report
        return cli.main(argv, {"report": cmd_report})
    if argv and (cli.is_command(argv[0]) or argv[0].startswith("-")):
        return cli.main(argv)
    if len(argv) > 1 or (argv and not Path(argv[0]).is_file()):
        print(f"error: '{argv[0]}' is neither a command nor a catalogue file (see --help)", file=sys.stderr)
        return 2
    from ui.app import run

    return run(argv[0] if argv else None)


if __name__ == "__main__":
    sys.exit(main())
