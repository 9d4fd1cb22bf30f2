"""The Network tab: organisations and partnerships as a graph (see tab.py)."""
