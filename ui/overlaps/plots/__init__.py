"""Overlap plots (pyqtgraph). Import these modules only when a plot is first shown:
pyqtgraph alone takes about half a second to import."""
