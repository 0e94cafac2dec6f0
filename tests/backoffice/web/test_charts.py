"""The inline SVG chart: one bar per day and series, labelled, and words instead of an empty chart."""

from __future__ import annotations

import re

from backoffice.web.charts import Series, day_bars


def test_one_bar_per_day_and_series_with_its_figure_in_the_title() -> None:
    svg = day_bars(["2026-12-01", "2026-12-02"], [Series("web th", [3, 0]), Series("line en", [1, 5])], "none")
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg
    assert len(re.findall(r"<rect ", svg)) == 4
    assert "<title>2026-12-02 line en: 5</title>" in svg
    assert ">5</text>" in svg  # the y-axis names the largest value


def test_no_data_is_said_in_words() -> None:
    assert day_bars([], [], "No data") == '<p class="muted">No data</p>'
    assert "&lt;b&gt;" in day_bars([], [], "<b>")
