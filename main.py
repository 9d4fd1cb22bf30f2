"""Partnership Atlas: `python main.py [FILE]` opens the GUI; `python main.py COMMAND …` runs the CLI."""
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from models import cli

    if argv and (argv[0] in cli.COMMANDS or argv[0] in ("-h", "--help")):
        return cli.main(argv)
    from ui.app import run

    return run(argv[0] if argv else None)


if __name__ == "__main__":
    sys.exit(main())
