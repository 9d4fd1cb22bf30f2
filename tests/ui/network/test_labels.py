"""Greedy label placement: by priority, never overlapping, never off the view."""
import numpy as np

from ui.network.labels import place


def test_labels_are_placed_by_priority_without_overlap():
    rng = np.random.default_rng(4)
    n = 300
    x, y = rng.uniform(0, 800, n), rng.uniform(0, 600, n)
    widths, heights, offsets = rng.uniform(30, 120, n), np.full(n, 14.0), np.full(n, 4.0)
    order = np.argsort(-rng.random(n))
    placed = place(x, y, widths, heights, offsets, order, 800, 600)
    assert 10 < len(placed) < n
    assert placed[0][0] == order[0]   # the first candidate always finds room
    boxes = [(left, top, left + widths[k], top + heights[k]) for k, left, top in placed]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= 800 and 0 <= a[1] and a[3] <= 600
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # a label that collides on the right goes to the left of its node
    two = place(np.array([100.0, 160.0]), np.array([100.0, 100.0]), np.array([80.0, 80.0]), np.full(2, 14.0),
                np.zeros(2), [0, 1], 800, 600)
    assert [k for k, _, _ in two] == [0] or two[1][1] < 160


def test_nothing_on_screen_places_nothing():
    assert place(np.array([-5.0]), np.array([5.0]), np.array([10.0]), np.array([10.0]), np.zeros(1), [0], 100, 100) == []
