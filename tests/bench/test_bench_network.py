"""The network benchmark's generated catalogue: deterministic, 3,000 nodes, 15,000 memberships."""
from bench.bench_network import BOROUGHS, MEMBERSHIPS, ORGANISATIONS, PARTNERSHIPS, memberships


def test_the_generated_memberships_are_fixed_and_of_the_size_the_issue_names():
    first = memberships()
    assert first == memberships()
    assert len(first) == PARTNERSHIPS and ORGANISATIONS + PARTNERSHIPS == 3000
    assert sum(len(m) for m in first) == MEMBERSHIPS == 15000
    assert all(len(set(m)) == len(m) and all(0 <= o < ORGANISATIONS for o in m) for m in first)
    assert sum(any(o < BOROUGHS for o in m) for m in first) > PARTNERSHIPS // 4   # boroughs anchor a share
