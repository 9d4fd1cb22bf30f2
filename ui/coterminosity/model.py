"""The Coterminosity tab's tables, as Qt item models over one measure's result.

    matrix = FitMatrix()          # rows: partnerships' areas; columns: category, split, best
    matrix.set_result(result, reference_areas)   # fit, nesting, then one per reference area
    proxy = sorted_by_value(matrix)              # click a header: sort by the numbers, not text
    best = BestFits(); best.set_result(result, reference_areas)   # the other way round

A cell is the share of the row's area inside the column's reference area (P in L), coloured
on one sequential scale; its tooltip gives the other share (L in P) and the Jaccard index.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

SORT_ROLE = Qt.ItemDataRole.UserRole          # a number to sort by
PAIR_ROLE = Qt.ItemDataRole.UserRole + 1      # (area id, reference area id) of a cell, or None
# How well a category fits, best first: sorting the category column puts the coterminous on top.
CATEGORY_ORDER = {"coterminous": 0, "nested": 1, "contains": 2, "split": 3, "outside": 4}
# ColorBrewer Blues, light (a sliver) to dark (all of it): one hue, so a share reads as its shade.
SCALE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
FIXED = ("Area", "Category", "Split into", "Best fit", "Jaccard")


def share_colour(value: float) -> QColor:
    k = min(len(SCALE) - 1, int(value * (len(SCALE) - 1) + 0.5))
    return QColor(SCALE[k])


def percent(value: float) -> str:
    if value <= 0:
        return ""
    return "<1%" if value < 0.005 else f"{value:.0%}"


def pair_tip(p) -> str:
    return (f"{p.area} × {p.reference}\n{p.a_in_b:.1%} of {p.area} lies in {p.reference}\n"
            f"{p.b_in_a:.1%} of {p.reference} lies in {p.area}\nJaccard index {p.jaccard:.3f}")


class FitMatrix(QAbstractTableModel):
    """Partnerships' areas (rows) against a reference geography's areas (columns)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []                # Summary per area
        self.references: list = []          # ReferenceArea per column after the fixed ones
        self.short_names: list[str] = []    # their names as headers, without the words all share
        self.pairs: dict[tuple[int, int], object] = {}

    def set_result(self, result, references: list) -> None:
        self.beginResetModel()
        self.rows = list(result.summary) if result is not None else []
        self.references = list(references)
        self.short_names = short_names([r.name for r in self.references])
        self.pairs = {(p.area_id, p.reference_id): p for p in result.pairs} if result is not None else {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED) + len(self.references)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if section < len(FIXED):
            if role == Qt.ItemDataRole.DisplayRole:
                return FIXED[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("", "coterminous: the area is one reference area; nested: inside one; contains: a union of "
                        "whole ones; split: across several; outside: in none",
                        "How many reference areas the area touches", "The reference area it fits best",
                        "Jaccard index of the area and its best fit (1: the same wards)")[section] or None
            return None
        ref = self.references[section - len(FIXED)]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.short_names[section - len(FIXED)]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ref.name} ({ref.code})" if ref.code else ref.name
        return None

    def pair_at(self, index: QModelIndex):
        if not index.isValid() or index.column() < len(FIXED):
            return None
        s = self.rows[index.row()]
        return self.pairs.get((s.area_id, self.references[index.column() - len(FIXED)].id))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s, c = self.rows[index.row()], index.column()
        if c < len(FIXED):
            value = (s.area, s.category, s.split_into, s.best or "", s.best_jaccard)[c]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{value:.2f}" if c == 4 else value
            if role == SORT_ROLE:
                return (s.area.casefold(), CATEGORY_ORDER.get(s.category, 9), s.split_into,
                        (s.best or "").casefold(), s.best_jaccard)[c]
            if role == Qt.ItemDataRole.ToolTipRole and c in (1, 3, 4):
                return summary_line(s)
            if role == Qt.ItemDataRole.TextAlignmentRole and c in (2, 4):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        p = self.pair_at(index)
        value = p.a_in_b if p is not None else 0.0
        if role == Qt.ItemDataRole.DisplayRole:
            return percent(value)
        if role == SORT_ROLE:
            return value
        if role == PAIR_ROLE:
            return (p.area_id, p.reference_id) if p is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if p is None:
                return f"{s.area} and {self.references[c - len(FIXED)].name} share nothing"
            return pair_tip(p)
        if role == Qt.ItemDataRole.BackgroundRole:
            return share_colour(value) if p is not None else None
        if role == Qt.ItemDataRole.ForegroundRole and p is not None:
            return QColor("white") if value >= 0.55 else QColor("#1b1b1b")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def short_names(names: list[str]) -> list[str]:
    """Names without the leading words they all share ("NHS North Central London" … → "North
    Central London" …): narrow columns show what tells them apart; the tooltip has the whole name."""
    words = [n.split() for n in names]
    k = 0
    while len(names) > 1 and all(len(w) > k + 1 and w[k] == words[0][k] for w in words):
        k += 1
    return [" ".join(w[k:]) for w in words]


def summary_line(s) -> str:
    """One partnership area against the geography, in words."""
    if s.category == "outside":
        return f"{s.area}: in none of the reference areas"
    what = {"coterminous": f"coterminous with {s.best}", "nested": f"nested in {s.best}",
            "contains": f"a union of {s.split_into} whole reference areas",
            "split": f"split across {s.split_into} reference areas"}.get(s.category, s.category)
    return f"{s.area}: {what}; best fit {s.best} (Jaccard {s.best_jaccard:.2f}, nesting {s.nesting:.2f})"


BEST = ("Reference area", "Best-fitting area", "Jaccard", "Of the area in it", "Of it in the area", "Areas touching")


class BestFits(QAbstractTableModel):
    """The other way round: for each reference area, the partnership area that fits it best."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple] = []   # (reference area, best Fit or None, number of areas touching it)

    def set_result(self, result, references: list) -> None:
        self.beginResetModel()
        fits = result.fits(top=1) if result is not None else {}
        touching: dict[int, int] = {}
        for p in (result.pairs if result is not None else ()):
            touching[p.reference_id] = touching.get(p.reference_id, 0) + 1
        self.rows = [(ref, (fits.get(ref.id) or [None])[0], touching.get(ref.id, 0)) for ref in references]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(BEST)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return BEST[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        ref, best, n = self.rows[index.row()]
        c = index.column()
        values = (ref.name, best.area if best else "", best.jaccard if best else 0.0,
                  best.a_in_b if best else 0.0, best.b_in_a if best else 0.0, n)
        if role == Qt.ItemDataRole.DisplayRole:
            v = values[c]
            return f"{v:.2f}" if c == 2 and best else percent(v) if c in (3, 4) else ("" if c == 2 else v)
        if role == SORT_ROLE:
            return values[c].casefold() if c < 2 else values[c]
        if role == PAIR_ROLE:
            return (best.area_id, ref.id) if best is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and best is not None:
            return pair_tip(best)
        if role == Qt.ItemDataRole.BackgroundRole and c == 2 and best is not None:
            return share_colour(best.jaccard)
        if role == Qt.ItemDataRole.ForegroundRole and c == 2 and best is not None:
            return QColor("white") if best.jaccard >= 0.55 else QColor("#1b1b1b")
        return None


def sorted_by_value(model: QAbstractTableModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy
