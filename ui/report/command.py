"""`python main.py report FILE OUT.pdf [--partnership NAME …]`: the report from the command line.

The PDF is laid out and painted by Qt, so this command (alone of the CLI's) needs a
QGuiApplication; it runs on the offscreen platform, so no display is needed.
"""
from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication

from models.catalogue import Catalogue
from ui.report.pdf import write_report


def cmd_report(args) -> int:
    app = QGuiApplication.instance() or QGuiApplication(["partnership-atlas", "-platform", "offscreen"])
    with Catalogue.open(args.file, read_only=True) as cat:
        print(write_report(cat, args.out, args.partnership))
    del app   # kept alive until the PDF is written
    sys.stdout.flush()
    return 0
