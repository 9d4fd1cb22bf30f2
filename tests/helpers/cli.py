"""Running a CLI command in the test's process, with what it printed."""
import cli


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
