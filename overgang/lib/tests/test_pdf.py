"""PDFs made on every request (lib/pdf.py): the font configuration kept per thread, and
charts handed to WeasyPrint as SVG images."""

import base64
import io
import threading

from pypdf import PdfReader

from overgang.lib import charts, pdf


def test_the_font_configuration_is_kept_per_thread():
    here = pdf.font_config()
    assert pdf.font_config() is here
    there = []
    thread = threading.Thread(target=lambda: there.append(pdf.font_config()))
    thread.start()
    thread.join()
    assert there and there[0] is not here


def test_pdfs_made_one_after_another_with_the_kept_configuration_each_carry_their_own_text():
    first = pdf.write_pdf("<p>Første udskrift æøå</p>")
    second = pdf.write_pdf("<p>Anden udskrift</p>")
    texts = [PdfReader(io.BytesIO(document)).pages[0].extract_text() for document in (first, second)]
    assert texts == ["Første udskrift æøå", "Anden udskrift"]


def test_a_chart_as_an_svg_image_is_drawn_with_its_words():
    svg = charts.line([("15.01.2026", 0, 40), ("15.05.2026", 120, 64)], title="WHO-5", reference=50,
                      reference_label="50: risiko for nedsat trivsel")
    url = pdf.svg_image(svg)
    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode("utf-8") == svg
    text = PdfReader(io.BytesIO(pdf.write_pdf(f'<img src="{url}" alt="">'))).pages[0].extract_text()
    assert "50: risiko for nedsat trivsel" in text and "15.05.2026" in text
