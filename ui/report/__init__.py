"""A report to hand on: the catalogue's partnerships as a PDF (Qt's own PDF writer).

    pdf.py      lays out models.analysis.report's content as rich text and paints it page by page
    maps.py     the maps, painted as vector paths into the text (a QTextObjectInterface)
    command.py  `python main.py report FILE OUT.pdf`: the one CLI command that loads Qt
"""
