"""Hand-written SVG charts, the same markup in pages and PDFs.

Pure functions: plain numbers in, an SVG string out. Series are told apart by line
style and marker as well as colour, so they read in grey print and for colour-blind
readers; every chart has a <title> and a <desc>, and the pages print the numbers in a
table beside it.
"""

import math
from html import escape

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
        parts.append(f'<text x="{20 + value * scale:.1f}" y="14" font-size="12" text-anchor="middle" fill="#1d2430">{value}</text>')
    for mark, label in marks:
        x = 20 + mark * scale
        parts.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="42" stroke="#a12a2a" stroke-width="2" stroke-dasharray="3 2"/>')
        parts.append(f'<text x="{x:.1f}" y="58" font-size="11" text-anchor="middle" fill="#a12a2a">{escape(label)}</text>')
    parts.append(f'<text x="20" y="58" font-size="11" fill="#566070">0</text>')
    parts.append(f'<text x="{20 + maximum * scale:.1f}" y="58" font-size="11" text-anchor="end" fill="#566070">{maximum}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line(points, *, title, y_max=100, reference=None, reference_label="", x_label="", width=560, height=260):
    """A line chart of (x label, x position, y) points with an optional dashed reference line.

    ``points``: list of (label, x, y or None); x in any unit (e.g. active months), the
    axis spans from the smallest to the largest x. Used for the WHO-5 curve (y 0–100,
    risk line at 50).
    """
    left, right, top, bottom = 44, 16, 16, 40
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
    for tick in range(0, y_max + 1, 25):
        y = py(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#566070">{tick}</text>')
    if reference is not None:
        y = py(reference)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#a12a2a" stroke-width="2" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{width - right}" y="{y - 5:.1f}" font-size="11" text-anchor="end" fill="#a12a2a">{escape(reference_label)}</text>')
    drawn = [(px(x), py(y), label, y) for label, x, y in points if y is not None]
    if len(drawn) >= 2:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y, _l, _v) in enumerate(drawn))
        parts.append(f'<path d="{path}" fill="none" stroke="#1f5f8b" stroke-width="2.5"/>')
    for x, y, _label, value in drawn:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#1f5f8b"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 9:.1f}" font-size="11" text-anchor="middle" fill="#1d2430">{value}</text>')
    for label, x, _y in points:
        parts.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" fill="#566070">{escape(label)}</text>')
    if x_label:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#566070">{escape(x_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
