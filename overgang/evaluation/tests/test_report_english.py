"""The report in English is English: the page, the file, the PDF and the workbook.

Every label in them comes from the instruments' ``en`` labels or the gettext catalogue.
The test collects the words of the instruments' Danish labels that no English label,
no catalogue translation and no data in the report uses, and fails on any of them in
the English report (issue 11: eight of the ten star dimensions once printed in Danish).
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from overgang.evaluation import render, report_json, reports
from overgang.evaluation.definitions import Definitions
from overgang.instruments import registry

from . import cohorts

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜü]{4,}")
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _words(text) -> set[str]:
    return {w.casefold() for w in WORD.findall(text or "")}


def _texts(instrument, lang):
    yield instrument.title.get(lang)
    for page in instrument.pages:
        yield page.label.get(lang)
        for item in page.items:
            yield item.label.get(lang)
            yield item.hint.get(lang) if item.hint else ""
    for choices in instrument.choice_lists:
        for choice in choices.choices:
            yield choice.label.get(lang)
    for score in instrument.scores:
        yield score.label.get(lang)
    for stage in instrument.ladder:
        yield stage.title.get(lang)
        yield stage.text.get(lang)


def danish_words(data_words=()) -> set[str]:
    """Words of the instruments' Danish labels that are not English anywhere we know."""
    instruments = registry.all_instruments().values()
    danish = set().union(*(_words(t) for i in instruments for t in _texts(i, "da")))
    english = set().union(*(_words(t) for i in instruments for t in _texts(i, "en")))
    english |= set().union(*(_words(text) for text in _translations()))
    return danish - english - set(data_words)


def _translations() -> list[str]:
    """The English side (msgstr) of every catalogue entry."""
    out = []
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if match:
            out.append("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))))
    return out


def _html_text(html) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _found(text, words) -> list[str]:
    return sorted(_words(text) & words)


@pytest.fixture
def english_report(world):
    cohorts.main_cohort(world)
    report = report_json.compute(reports.Filters(), Definitions(), [world.a])
    names = _words(" ".join(report["municipalities"]))
    return report, danish_words(names)


def test_the_danish_words_are_found_where_they_are(english_report):
    """The check itself sees Danish: the Danish report is full of such words."""
    report, words = english_report
    assert {"økonomi", "helbred", "bolig"} <= words
    with translation.override("da"):
        html = render.html(report)
    assert len(_found(_html_text(html), words)) > 20


def test_the_english_report_file_has_no_danish_label(english_report):
    report, words = english_report
    with translation.override("en"):
        html = render.html(report)
    assert "Table 6.3" in html and "Managing money" in html
    assert _found(_html_text(html), words) == []


def test_the_english_pdf_has_no_danish_label(english_report):
    report, words = english_report
    with translation.override("en"):
        pdf = render.pdf(report)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Table 6.3" in text
    assert _found(text, words) == []


def test_the_english_workbook_has_no_danish_label(english_report):
    report, words = english_report
    with translation.override("en"):
        book = load_workbook(io.BytesIO(render.xlsx(report)))
    cells = " ".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)
    assert "Managing money" in cells
    assert _found(cells, words) == []


def test_the_english_report_page_has_no_danish_label(client, world, login, english_report):
    _report, words = english_report
    login(world.evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("evaluation:report")).content.decode()
    # The report itself; the header's language switch names "Dansk" in every language.
    report = page[page.index("<main"):page.index("</main>")]
    assert "Table 6.3" in report
    assert _found(_html_text(report), words) == []
