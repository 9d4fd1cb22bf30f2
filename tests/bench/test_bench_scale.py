"""The scale table bench_scale prints after its figures."""
from __future__ import annotations

from bench.bench_scale import ROWS, scale_table


def test_scale_table_has_a_row_per_figure_and_a_column_per_layer():
    figures = {label: {name: float(k + 1) * scale for k, (name, _) in enumerate(ROWS)} | {"units": units}
               for label, units, scale in (("8k", 8071, 1), ("160k", 161420, 10))}
    lines = scale_table(figures).splitlines()
    assert "8,071 units" in lines[0] and "161,420 units" in lines[0]
    assert len(lines) == 1 + len(ROWS)
    brush = next(line for line in lines if line.startswith("brush_step "))
    k = [name for name, _ in ROWS].index("brush_step") + 1
    assert brush.split()[1:] == [f"{k:.1f}", "ms", f"{10 * k:.1f}", "ms"]
    assert next(line for line in lines if line.startswith("peak_rss")).split()[2] == "MiB"
