"""Chart geometry: bars in proportion, round gridlines, text a browser and a printer read."""

from __future__ import annotations

from alongside.dashboards.charts import HEIGHT, bar_chart


def test_bars_are_in_proportion_to_the_round_top_gridline() -> None:
    chart = bar_chart("Held", [("a", 0), ("b", 3), ("c", 6)])
    assert [t.value for t in chart.ticks] == ["0", "2", "4", "6"]
    heights = [float(b.height) for b in chart.bars]
    assert heights[0] == 0
    assert heights[2] == 2 * heights[1]
    assert float(chart.bars[2].y) == float(chart.ticks[-1].y)
    assert [b.title for b in chart.bars] == ["a: 0", "b: 3", "c: 6"]
    assert chart.rows == [("a", "0"), ("b", "3"), ("c", "6")]


def test_coordinates_are_plain_text_with_a_dot() -> None:
    chart = bar_chart("Held", [(str(i), i * 1.37) for i in range(7)], unit=" a week")
    for bar in chart.bars:
        for value in (bar.x, bar.y, bar.width, bar.height):
            assert isinstance(value, str)
            assert "," not in value
            float(value)
    assert chart.bars[1].title == "1: 1.4 a week"


def test_a_target_line_sits_at_its_value_and_labels_thin_out() -> None:
    chart = bar_chart("Held", [(f"w{i}", 10) for i in range(20)], reference=5, label_every=4)
    assert chart.reference_y is not None
    top, baseline = float(chart.ticks[-1].y), float(chart.baseline)
    assert abs(float(chart.reference_y) - (baseline + top) / 2) < 0.2
    assert [b.show_label for b in chart.bars].count(True) == 5
    assert float(chart.baseline) < HEIGHT


def test_an_empty_chart_still_draws_an_axis() -> None:
    chart = bar_chart("Nothing yet", [("a", 0), ("b", 0)])
    assert chart.ticks[0].value == "0"
    assert all(b.height == "0" for b in chart.bars)
