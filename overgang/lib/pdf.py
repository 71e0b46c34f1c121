"""PDFs from HTML with WeasyPrint, for documents printed on every request.

Two costs of WeasyPrint that do not depend on the document are paid once instead of
per PDF:

- the font configuration (Pango's font map: the fonts found, loaded and measured) is
  kept per thread (``write_pdf``); a new one per PDF made Pango load and shape the
  fonts from scratch every time. The documents here have no ``@font-face`` rules, so
  nothing is ever added to it.
- a chart is given as an SVG image (``svg_image``: a ``data:`` URL for ``<img>``)
  instead of inline ``<svg>`` markup: WeasyPrint draws both with the same SVG renderer,
  but inline markup is first parsed by its pure-Python HTML parser and every element
  of it gets a CSS cascade, which cost more than drawing the chart.
"""

import base64
import threading

_local = threading.local()


def font_config():
    """This thread's WeasyPrint ``FontConfiguration``, made on first use."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def svg_image(svg):
    """``svg`` (an SVG document as a string) as a ``data:`` URL for an ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def write_pdf(html, base_url=None):
    """The PDF of ``html`` (a string), as bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(font_config=font_config())
