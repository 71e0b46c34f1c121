"""Hand-written SVG charts, the same markup in pages and PDFs.

Pure functions: plain numbers in, an SVG string out. Series are told apart by line
style and marker as well as colour, so they read in grey print and for colour-blind
readers; every chart has a <title> and a <desc>, and the pages print the numbers in a
table beside it.
"""

import math
from html import escape

from overgang.lib.numbers import label as number_label
from overgang.lib.numbers import tick as tick_label

# (stroke colour, dash pattern, marker) per series, oldest last.
SERIES_STYLES = [
    ("#1f5f8b", "", "circle"),
    ("#c2571a", "6 4", "square"),
    ("#4d7f3a", "2 4", "diamond"),
]


def _marker(kind, x, y, colour):
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} L{x - 5:.1f} {y:.1f} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _wrap(label, width=16):
    """Split a long axis label into at most two lines at the space nearest the middle."""
    if len(label) <= width or " " not in label:
        return [label]
    middle = len(label) // 2
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1:]]


def radar(axes, series, *, title, maximum=10, size=420):
    """A radar ("star") chart.

    ``axes``: labels in order; ``series``: list of (legend label, list of values or
    None per axis), first drawn on top. Missing values leave a gap at the centre.
    """
    width = size + 220  # room for the axis labels left and right
    centre_x, centre = width / 2, size / 2
    radius = size / 2 - 60
    n = len(axes)

    def point(i, value):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / maximum
        return centre_x + r * math.cos(angle), centre + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size + 30 * len(series)}" '
        f'role="img" class="chart radar" aria-labelledby="radar-title">',
        f'<title id="radar-title">{escape(title)}</title>',
        f"<desc>{escape('; '.join(label for label, _values in series))}</desc>",
    ]
    for level in range(2, maximum + 1, 2):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#d5d9e0" stroke-width="1"/>')
    for i, label in enumerate(axes):
        x, y = point(i, maximum)
        lx, ly = point(i, maximum + 1.2)
        anchor = "middle" if abs(lx - centre_x) < 10 else ("start" if lx > centre_x else "end")
        lines = _wrap(label)
        top = ly + 4 - (7 * (len(lines) - 1) if abs(lx - centre_x) >= 10 else (14 * (len(lines) - 1) if ly < centre else 0))
        parts.append(f'<line x1="{centre_x}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c0c6d0"/>')
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + 14 * k:.1f}">{escape(line)}</tspan>' for k, line in enumerate(lines)
        )
        parts.append(f'<text font-size="12" text-anchor="{anchor}" fill="#1d2430">{spans}</text>')
    for level in (5, 10):
        x, y = point(0, level)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#566070">{level}</text>')
    for index, (label, values) in reversed(list(enumerate(series))):
        colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
        points = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) >= 2:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polygon points="{coords}" fill="{colour}" fill-opacity="{0.18 if index == 0 else 0.05}" '
                f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
            )
        parts.extend(_marker(marker, x, y, colour) for x, y in points)
    for index, (label, _values) in enumerate(series):
        colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
        y = size + 10 + 30 * index
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="20" y1="{y:.1f}" x2="60" y2="{y:.1f}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        parts.append(_marker(marker, 40, y, colour))
        parts.append(f'<text x="70" y="{y + 4:.1f}" font-size="13" fill="#1d2430">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def gauge(value, *, title, maximum=100, marks=(), width=420):
    """A horizontal bar 0..maximum with the value and labelled reference marks."""
    height = 70
    scale = (width - 40) / maximum
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart gauge" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="20" y="20" width="{maximum * scale:.1f}" height="18" fill="#e8ebef" rx="3"/>',
    ]
    if value is not None:
        parts.append(f'<rect x="20" y="20" width="{value * scale:.1f}" height="18" fill="#1f5f8b" rx="3"/>')
        parts.append(f'<text class="value" x="{20 + value * scale:.1f}" y="14" font-size="12" text-anchor="middle" fill="#1d2430">{number_label(value)}</text>')
    for mark, label in marks:
        x = 20 + mark * scale
        parts.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="42" stroke="#a12a2a" stroke-width="2" stroke-dasharray="3 2"/>')
        parts.append(f'<text x="{x:.1f}" y="58" font-size="11" text-anchor="middle" fill="#a12a2a">{escape(label)}</text>')
    parts.append(f'<text x="20" y="58" font-size="11" fill="#566070">0</text>')
    parts.append(f'<text x="{20 + maximum * scale:.1f}" y="58" font-size="11" text-anchor="end" fill="#566070">{maximum}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _y_grid(parts, ticks, py, left, right, width):
    """Horizontal grid lines with their labels at the left: ``ticks`` (value, label)."""
    for value, label in ticks:
        y = py(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#566070">{label}</text>')


def _reference_line(parts, y, label, left, right, width):
    """The dashed red line of a threshold (e.g. WHO-5's risk limit), labelled at the right."""
    parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#a12a2a" stroke-width="2" stroke-dasharray="6 4"/>')
    parts.append(f'<text x="{width - right}" y="{y - 5:.1f}" font-size="11" text-anchor="end" fill="#a12a2a">{escape(label)}</text>')


def line(points, *, title, y_max=100, reference=None, reference_label="", x_label="", width=560, height=260):
    """A line chart of (x label, x position, y) points with an optional dashed reference line.

    ``points``: list of (label, x, y or None); x in any unit (e.g. active months), the
    axis spans from the smallest to the largest x. Used for the WHO-5 curve (y 0–100,
    risk line at 50). The reference line is explained in a legend under the axis, not
    on the plot, and each value's label sits above its point unless that would touch the
    top, the reference line or the axis; the x labels at the ends are anchored inwards so
    that none is cut off, and one that would overlap its neighbour is left out (the table
    beside the chart has every date).
    """
    legend_h = 22 if reference is not None and reference_label else 0
    height += legend_h
    left, right, top, bottom = 44, 24, 18, 40 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for _l, x, _y in points] or [0]
    x_min, x_max = min(xs), max(xs)
    span = (x_max - x_min) or 1

    def px(x):
        return left + plot_w * (x - x_min) / span if x_max != x_min else left + plot_w / 2

    def py(y):
        return top + plot_h * (1 - y / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart line" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    _y_grid(parts, [(tick, tick_label(tick)) for tick in range(0, y_max + 1, 25)], py, left, right, width)
    reference_y = py(reference) if reference is not None else None
    if reference is not None:
        parts.append(f'<line x1="{left}" y1="{reference_y:.1f}" x2="{width - right}" y2="{reference_y:.1f}" '
                     f'stroke="#a12a2a" stroke-width="2" stroke-dasharray="6 4"/>')
    drawn = [(px(x), py(y), label, y) for label, x, y in points if y is not None]
    if len(drawn) >= 2:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y, _l, _v) in enumerate(drawn))
        parts.append(f'<path d="{path}" fill="none" stroke="#1f5f8b" stroke-width="2.5"/>')
    for x, y, _label, value in drawn:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#1f5f8b"/>')
        parts.append(f'<text class="value" x="{x:.1f}" y="{_point_label_y(y, reference_y, top, top + plot_h):.1f}" '
                     f'font-size="11" font-weight="600" text-anchor="middle" fill="#1d2430">{number_label(value)}</text>')
    axis_y = height - bottom + 16
    for x, anchor, label in _x_labels([(px(x), label) for label, x, _y in points], left, width - right):
        parts.append(f'<text x="{x:.1f}" y="{axis_y}" font-size="11" text-anchor="{anchor}" fill="#566070">{escape(label)}</text>')
    if x_label:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{axis_y + 16}" font-size="11" text-anchor="middle" fill="#566070">{escape(x_label)}</text>')
    if legend_h:
        y = height - 10
        parts.append(f'<line x1="{left}" y1="{y - 4}" x2="{left + 30}" y2="{y - 4}" stroke="#a12a2a" stroke-width="2" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{left + 38}" y="{y}" font-size="11" fill="#a12a2a">{escape(reference_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _point_label_y(y, reference_y, top, bottom):
    """The baseline of a point's value label: above the point (9 px), or below it (18 px)
    when above would run into the top of the plot or the reference line; never onto the axis."""
    above, below = y - 9, y + 18
    near_line = reference_y is not None and (above - 11 <= reference_y <= above + 3)
    if (above - 11 < top or near_line) and below <= bottom - 4:
        return below
    return above


def _x_labels(labels, left, right, width=64):
    """(x, anchor, text) for the x axis: the first label anchored at its start, the last at
    its end (so the plot's edges cut neither), and a label that would overlap the one kept
    before it left out — except the last, which takes the place of the one before."""
    if not labels:
        return []
    out = []
    for index, (x, text) in enumerate(labels):
        anchor = "middle"
        if index == 0 and x - width / 2 < left - 30:
            anchor = "start"
        if index == len(labels) - 1 and x + width / 2 > right + 20:
            anchor = "end"
        extent = {"start": (x, x + width), "end": (x - width, x), "middle": (x - width / 2, x + width / 2)}[anchor]
        if out and extent[0] < out[-1][3] + 6:
            if index != len(labels) - 1:
                continue
            out.pop()
        out.append((x, anchor, text, extent[1]))
    return [(x, anchor, text) for x, anchor, text, _end in out]


# ---------------------------------------------------------------------------- report charts
# Charts of the evaluation report (evaluation app): categorical x axes (the measurement
# points, phases, groups), several series, N printed under each category.

BAR_COLOURS = ["#1f5f8b", "#c2571a", "#4d7f3a", "#7a4f9a", "#8a6d1f"]
# Hatching is not available without <defs>/<pattern>; series differ in colour and in a
# label printed on every bar, so they read in grey print as well.


def _frame(width, height, title, kind):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart {kind}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(parts, series_labels, x, y, *, lines=False):
    for index, label in enumerate(series_labels):
        colour = BAR_COLOURS[index % len(BAR_COLOURS)]
        top = y + 18 * index
        if lines:
            _colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x}" y1="{top:.1f}" x2="{x + 28}" y2="{top:.1f}" stroke="{_colour}" stroke-width="2.5"{dash_attr}/>')
            parts.append(_marker(marker, x + 14, top, _colour))
        else:
            parts.append(f'<rect x="{x}" y="{top - 6:.1f}" width="14" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 34}" y="{top + 4:.1f}" font-size="12" fill="#1d2430">{escape(label)}</text>')


def bar_chart(categories, series, *, title, y_max=100, unit="%", counts=None, reference=None, reference_label="",
              width=620, height=300):
    """Vertical grouped bars: ``categories`` on x; ``series`` a list of (label, values),
    a value None leaves a gap (no data, or a suppressed cell). ``counts``: text under
    each category (e.g. "N = 134")."""
    legend_h = 18 * len(series) if len(series) > 1 else 0
    left, right, top, bottom = 44, 16, 18, 52 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _frame(width, height, title, "bars")

    def py(v):
        return top + plot_h * (1 - min(v, y_max) / y_max)

    _y_grid(parts, [(y_max * tick / 4, tick_label(y_max * tick / 4)) for tick in range(0, 5)], py, left, right, width)
    slot = plot_w / max(1, len(categories))
    bar_w = min(48, slot * 0.8 / max(1, len(series)))
    for i, category in enumerate(categories):
        x0 = left + slot * i + (slot - bar_w * len(series)) / 2
        for j, (_label, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            if value is None:
                continue
            x = x0 + j * bar_w
            colour = BAR_COLOURS[j % len(BAR_COLOURS)]
            parts.append(f'<rect x="{x:.1f}" y="{py(value):.1f}" width="{bar_w - 2:.1f}" height="{py(0) - py(value):.1f}" fill="{colour}"/>')
            parts.append(f'<text class="value" x="{x + bar_w / 2 - 1:.1f}" y="{py(value) - 4:.1f}" font-size="11" text-anchor="middle" fill="#1d2430">{number_label(value)}{escape(unit)}</text>')
        cx = left + slot * (i + 0.5)
        parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16:.1f}" font-size="11" text-anchor="middle" fill="#1d2430">{escape(category)}</text>')
        if counts:
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 31:.1f}" font-size="10" text-anchor="middle" fill="#566070">{escape(counts[i])}</text>')
    if reference is not None:
        _reference_line(parts, py(reference), reference_label, left, right, width)
    if len(series) > 1:
        _legend(parts, [label for label, _v in series], left, height - legend_h + 4)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(categories, series, *, title, y_max=100, counts=None, reference=None, reference_label="",
               width=620, height=300, decimals=1):
    """Lines over categorical x (the measurement points): ``series`` a list of (label,
    values); None breaks nothing, the point is just not drawn. ``counts``: text under
    each category. Series differ in colour, dash and marker (SERIES_STYLES)."""
    legend_h = 18 * len(series) if len(series) > 1 else 0
    left, right, top, bottom = 44, 16, 18, 52 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _frame(width, height, title, "lines")
    slot = plot_w / max(1, len(categories))

    def px(i):
        return left + slot * (i + 0.5)

    def py(v):
        return top + plot_h * (1 - min(v, y_max) / y_max)

    _y_grid(parts, [(y_max * tick / 4, tick_label(y_max * tick / 4)) for tick in range(0, 5)], py, left, right, width)
    if reference is not None:
        _reference_line(parts, py(reference), reference_label, left, right, width)
    label_y = _value_label_positions(series, py, top + plot_h)
    for j, (_label, values) in enumerate(series):
        colour, dash, marker = SERIES_STYLES[j % len(SERIES_STYLES)]
        drawn = [(i, px(i), py(v), v) for i, v in enumerate(values) if v is not None]
        if len(drawn) >= 2:
            path = " ".join(f"{'M' if k == 0 else 'L'}{x:.1f} {y:.1f}" for k, (_i, x, y, _v) in enumerate(drawn))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for i, x, y, v in drawn:
            parts.append(_marker(marker, x, y, colour))
            parts.append(f'<text class="value" x="{x:.1f}" y="{label_y[i, j]:.1f}" font-size="11" text-anchor="middle" fill="{colour}">{number_label(v, decimals)}</text>')
    for i, category in enumerate(categories):
        parts.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 16:.1f}" font-size="11" text-anchor="middle" fill="#1d2430">{escape(category)}</text>')
        if counts:
            parts.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 31:.1f}" font-size="10" text-anchor="middle" fill="#566070">{escape(counts[i])}</text>')
    if len(series) > 1:
        _legend(parts, [label for label, _v in series], left, height - legend_h + 4, lines=True)
    parts.append("</svg>")
    return "".join(parts)


def _value_label_positions(series, py, bottom):
    """(category, series) -> the baseline of the value label: the topmost point of a
    category has its label above it, the others below theirs, each at least a line
    below the one before, so that close values of several series never print on top of
    each other (a label that would reach the axis goes above its point)."""
    out = {}
    for i in range(max((len(values) for _l, values in series), default=0)):
        points = sorted((py(values[i]), j) for j, (_l, values) in enumerate(series)
                        if i < len(values) and values[i] is not None)
        floor = None
        for rank, (y, j) in enumerate(points):
            if rank == 0:
                out[i, j] = y - 9
                floor = y - 9
                continue
            below = max(y + 17, floor + 12)
            out[i, j] = below if below <= bottom - 2 else y - 9
            floor = out[i, j]
    return out


def stacked_bars(rows, categories, *, title, width=620):
    """Horizontal 100 % bars: ``rows`` a list of (label, shares in percent per category or
    None for a row without data); ``categories`` the legend labels, in order."""
    left, right, bar_h, gap, top = 150, 16, 24, 12, 10
    legend_h = 18 * len(categories)
    height = top + len(rows) * (bar_h + gap) + 24 + legend_h
    plot_w = width - left - right
    parts = _frame(width, height, title, "stacked")
    for i, (label, shares) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{left - 8}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" text-anchor="end" fill="#1d2430">{escape(label)}</text>')
        if shares is None:
            parts.append(f'<text x="{left + 4}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" fill="#566070">–</text>')
            continue
        x = left
        for j, share in enumerate(shares):
            if not share:
                continue
            w = plot_w * share / 100
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{BAR_COLOURS[j % len(BAR_COLOURS)]}"/>')
            if w > 26:
                parts.append(f'<text class="value" x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" text-anchor="middle" fill="#fff">{number_label(share)}</text>')
            x += w
    axis_y = top + len(rows) * (bar_h + gap)
    for tick in (0, 25, 50, 75, 100):
        x = left + plot_w * tick / 100
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 6:.1f}" font-size="10" text-anchor="middle" fill="#566070">{tick} %</text>')
    _legend(parts, categories, left, axis_y + 24)
    parts.append("</svg>")
    return "".join(parts)


def grouped_hbars(categories, series, *, title, x_max=100, unit="%", width=620, label_width=24):
    """Horizontal grouped bars for many or long categories (a codebook's choice list):
    ``categories`` down the left, wrapped; ``series`` a list of (label, values) drawn as
    one bar each per category; a value None draws no bar and prints "–" (no data, or a
    suppressed cell)."""
    left, right, top = 200, 46, 10
    bar_h, inner_gap, group_gap = 9, 1, 12
    group_h = len(series) * (bar_h + inner_gap) - inner_gap
    legend_h = 18 * len(series) if len(series) > 1 else 0
    height = top + len(categories) * (group_h + group_gap) + 22 + legend_h
    plot_w = width - left - right
    parts = _frame(width, height, title, "hbars")

    def px(v):
        return left + plot_w * min(v, x_max) / x_max

    for tick in range(0, 5):
        value = x_max * tick / 4
        x = px(value)
        axis_y = top + len(categories) * (group_h + group_gap)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y - group_gap / 2:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 6:.1f}" font-size="10" text-anchor="middle" fill="#566070">{tick_label(value)}{escape(unit)}</text>')
    for i, category in enumerate(categories):
        y0 = top + i * (group_h + group_gap)
        lines = _wrap_lines(category, label_width)
        first = y0 + group_h / 2 - 6 * (len(lines) - 1) + 4
        for k, text in enumerate(lines):
            parts.append(f'<text x="{left - 8}" y="{first + 12 * k:.1f}" font-size="11" text-anchor="end" fill="#1d2430">{escape(text)}</text>')
        for j, (_label, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            y = y0 + j * (bar_h + inner_gap)
            if value is None:
                parts.append(f'<text x="{left + 3}" y="{y + bar_h - 1:.1f}" font-size="9" fill="#566070">–</text>')
                continue
            colour = BAR_COLOURS[j % len(BAR_COLOURS)]
            parts.append(f'<rect x="{left}" y="{y:.1f}" width="{px(value) - left:.1f}" height="{bar_h}" fill="{colour}"/>')
            parts.append(f'<text class="value" x="{px(value) + 3:.1f}" y="{y + bar_h - 1:.1f}" font-size="9" fill="#1d2430">{number_label(value)}{escape(unit)}</text>')
    if len(series) > 1:
        _legend(parts, [label for label, _v in series], left, height - legend_h + 4)
    parts.append("</svg>")
    return "".join(parts)


def _wrap_lines(label, width):
    """A label in lines of at most ``width`` characters, broken at spaces (at most three)."""
    words, lines = label.split(" "), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if len(candidate) <= width or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > 3:
        lines = lines[:2] + [" ".join(lines[2:])[: width - 1] + "…"]
    return lines
