"""The charts as drawn (issue 10, item 9): nothing cut off or printed on top of the axis or
the threshold line, and the same numbers, rounding and decimal mark as the tables."""

import re

from django.utils import translation

from overgang.evaluation.document import one_decimal
from overgang.lib import charts


def _texts(svg):
    return [(dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)), text)
            for attrs, text in re.findall(r"<text([^>]*)>(.*?)</text>", svg)]


def _who5(points, reference=50):
    return charts.line(points, title="WHO-5", reference=reference, reference_label="50: risiko for nedsat trivsel")


def test_the_x_axis_keeps_its_first_and_last_date_inside_the_chart():
    svg = _who5([("15.01.2026", 0, 40), ("15.03.2026", 60, 52), ("15.05.2026", 120, 64)])
    width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))
    dates = [(a, t) for a, t in _texts(svg) if re.fullmatch(r"\d\d\.\d\d\.\d{4}", t)]
    assert [t for _a, t in dates] == ["15.01.2026", "15.03.2026", "15.05.2026"]
    first, last = dates[0][0], dates[-1][0]
    assert first["text-anchor"] == "start" and float(first["x"]) >= 0
    assert last["text-anchor"] == "end" and float(last["x"]) <= width


def test_close_dates_do_not_print_on_top_of_each_other():
    svg = _who5([("01.03.2026", 0, 40), ("03.03.2026", 2, 44), ("20.06.2026", 110, 60)])
    dates = [t for _a, t in _texts(svg) if re.fullmatch(r"\d\d\.\d\d\.\d{4}", t)]
    assert "20.06.2026" in dates and len(dates) == 2


def test_point_labels_keep_clear_of_the_threshold_line_the_top_and_the_axis():
    svg = _who5([("01.01.2026", 0, 48), ("01.03.2026", 60, 52), ("01.05.2026", 120, 100), ("01.07.2026", 180, 0)])
    line_y = float(re.search(r'<line x1="\d+" y1="([\d.]+)" x2="\d+" y2="[\d.]+" stroke="#a12a2a"', svg).group(1))
    values = [(float(a["y"]), t) for a, t in _texts(svg) if a.get("class") == "value"]
    assert [t for _y, t in values] == ["48", "52", "100", "0"]
    for baseline, text in values:
        # A label's glyphs run from about 11 px above its baseline to 3 px below it.
        assert not baseline - 11 <= line_y <= baseline + 3, text
        assert baseline - 11 >= 0, text
    axis_labels_y = min(float(a["y"]) for a, t in _texts(svg) if re.fullmatch(r"\d\d\.\d\d\.\d{4}", t))
    assert all(baseline <= axis_labels_y - 12 for baseline, _t in values)
    assert "50: risiko for nedsat trivsel" in svg  # explained in a legend, off the plot


def test_chart_labels_round_and_write_decimals_as_the_tables_do():
    with translation.override("da"):
        svg = charts.line_chart(["Opstart"], [("WHO-5", [50.25])], title="t")
        assert ">50,3<" in svg and one_decimal(50.25) == "50,3"
        assert ">6,7<" in charts.line_chart(["x"], [("", [6.65])], title="t", y_max=10)
    with translation.override("en"):
        assert ">50.3<" in charts.line_chart(["Start"], [("WHO-5", [50.25])], title="t")


def test_axis_ticks_write_decimals_as_the_language_does():
    # A star chart's axis runs 0–10 in quarters: 2.5 and 7.5 on a Danish page were
    # written with a point beside labels written with a comma.
    def ticks(svg):
        return [text for attrs, text in _texts(svg) if "class" not in attrs and re.fullmatch(r"[\d.,]+ ?%?", text)]

    with translation.override("da"):
        assert ticks(charts.line_chart(["x"], [("", [None])], title="t", y_max=10)) == ["0", "2,5", "5", "7,5", "10"]
        hbars = charts.grouped_hbars(["a"], [("", [None])], title="t", x_max=10, unit="")
        assert ticks(hbars) == ["0", "2,5", "5", "7,5", "10"]
        assert ticks(charts.bar_chart(["x"], [("", [None])], title="t")) == ["0", "25", "50", "75", "100"]
    with translation.override("en"):
        assert ticks(charts.line_chart(["x"], [("", [None])], title="t", y_max=10)) == ["0", "2.5", "5", "7.5", "10"]
