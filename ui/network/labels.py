"""Names on the network that never overlap: greedy placement by priority.

Candidates come in priority order (the selection first, then the best connected); each
label's box is tried to the right of its node and then to the left; a box that meets one
already placed (or leaves the view) is skipped. Boxes are bucketed in a coarse grid of
screen cells so a test looks at a few neighbours, not every placed label.
"""
from __future__ import annotations

import numpy as np

CELL = 80.0   # pixels per grid bucket
GAP = 2.0     # pixels kept clear round a label


def place(x: np.ndarray, y: np.ndarray, widths: np.ndarray, heights: np.ndarray, offsets: np.ndarray,
          order, view_w: float, view_h: float, limit: int = 200) -> list[tuple[int, float, float]]:
    """(node, left, top) of each label placed, in pixels. x, y: node centres on screen; offsets:
    each node's radius (the label starts beside the marker); order: candidate nodes, best first;
    at most `limit` candidates on screen are tried (a frame stays cheap at any zoom)."""
    placed: list[tuple[int, float, float]] = []
    boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    order = np.asarray(order, dtype=np.int64)
    on_screen = (x[order] >= 0) & (x[order] <= view_w) & (y[order] >= 0) & (y[order] <= view_h)
    for k in order[on_screen][:limit].tolist():
        cx, cy = float(x[k]), float(y[k])
        w, h, r = float(widths[k]), float(heights[k]), float(offsets[k]) + 3
        for left in (cx + r, cx - r - w):
            box = (left - GAP, cy - h / 2 - GAP, left + w + GAP, cy + h / 2 + GAP)
            if box[0] < 0 or box[2] > view_w or box[1] < 0 or box[3] > view_h:
                continue
            cells = _cells(box)
            if any(_meets(box, other) for c in cells for other in boxes.get(c, ())):
                continue
            for c in cells:
                boxes.setdefault(c, []).append(box)
            placed.append((k, left, cy - h / 2))
            break
    return placed


def _cells(box) -> list[tuple[int, int]]:
    x0, y0, x1, y1 = (int(v // CELL) for v in box)
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def _meets(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
