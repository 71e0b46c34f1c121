"""What the citizen takes home (issue 10, item 8): the plan of every phase, the long-term
plan, the stars the worker chose, and the star's dimensions in the citizen's words."""

import base64
import datetime as dt
import html as htmllib
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from overgang import testing
from overgang.courses import actions
from overgang.courses.printout import render_html
from overgang.instruments import registry

pytestmark = pytest.mark.django_db
D = dt.date
DIMENSIONS = registry.get_instrument("star").score("star_mean").items


def _star(citizen, day, level):
    answers = {**testing.STAR_ANSWERS, **{name: level for name in DIMENSIONS}}
    return testing.make_record(citizen, "star", answers=answers, completed=True, filled_on=day)


@pytest.fixture
def course(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen lejlighed",
                              citizen_took_part=True)
    actions.do_change_phase(course, actor=world.worker, date=D(2026, 5, 15))
    actions.do_add_focus_area(course, actor=world.worker, phase=2, area="economy", goal="Styr på regningerne",
                              citizen_took_part=True)
    actions.do_set_long_term_plan(course, actor=world.worker, text="Bostøtte hver uge efter forløbet")
    return course


def test_it_prints_the_plan_of_every_phase_and_the_long_term_plan(course):
    html = render_html(course)
    assert "Planen er ikke skrevet endnu" not in html
    assert "Egen lejlighed" in html and "Styr på regningerne" in html
    assert html.index("Fase 1") < html.index("Egen lejlighed") < html.index("Fase 2") < html.index("Styr på regningerne")
    assert "Bostøtte hver uge efter forløbet" in html


def test_it_names_the_dimensions_in_the_citizens_words_from_the_star_definition(course, world):
    _star(world.citizen, D(2026, 1, 15), 3)
    html = render_html(course)
    # The radar's axis labels, each joined from its (wrapped) lines.
    axes = {" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text))
            for text in re.findall(r"<text [^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>", html)}
    star = registry.get_instrument("star")
    for name in DIMENSIONS:
        item = star.item(name)
        assert item.citizen is not None, name
        assert item.citizen.da in axes, (item.citizen.da, axes)
    for word in ("Kriminel adfærd", "Alkohol- og stofmisbrug", "misbrug", "Kriminel"):
        assert word not in html
    english = render_html(course, "en")
    assert "The law and me" in english and "Offending behaviour" not in english


def test_it_prints_the_stars_the_worker_chose(client, world, login, course):
    first = _star(world.citizen, D(2026, 1, 15), 3)
    for month in (3, 5, 7):
        _star(world.citizen, D(2026, month, 15), 5)
    latest = _star(world.citizen, D(2026, 9, 15), 8)
    html = render_html(course, chosen=[str(first.code), str(latest.code)])
    legend = re.findall(r'<text x="70" y="[^"]+" font-size="13" fill="#1d2430">([^<]+)</text>', html)
    assert legend == ["15.09.2026", "15.01.2026"]  # start against now, newest drawn first
    assert len(re.findall(r'<text x="70"', render_html(course))) == 3  # none chosen: the newest three
    login(world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code}),
                      {"stjerne": [str(first.code), str(latest.code)]}).content.decode()
    link = re.search(r'href="(/forloeb/[^"]+/udskrift\.pdf\?[^"]+lang=da)"', page).group(1).replace("&amp;", "&")
    assert f"stjerne={first.code}" in link and f"stjerne={latest.code}" in link
    response = client.get(link)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_citizens_page_offers_first_and_latest_and_says_when_more_than_three_are_chosen(client, world, login, course):
    stars = [_star(world.citizen, D(2026, month, 15), 2 + month // 2) for month in (1, 3, 5, 7, 9)]
    login(world.worker)
    url = reverse("courses:citizen", kwargs={"code": world.citizen.code})
    page = client.get(url).content.decode()
    assert f"?stjerne={stars[0].code}&amp;stjerne={stars[-1].code}#stjerner" in page
    page = client.get(url, {"stjerne": [str(s.code) for s in stars[:4]]}).content.decode()
    assert "Du valgte 4 stjerner. Stjernen kan vise tre ad gangen, så her er de tre nyeste af dem." in page
    checked = re.findall(r'value="([0-9a-f-]+)" checked', page)
    assert checked == [str(s.code) for s in stars[1:4]]  # the three shown, never silently the oldest


def test_the_pdf_draws_each_chart_as_an_image_of_the_same_svg_and_its_words_are_in_it(client, world, login, course):
    """The PDF is made with each chart as an SVG image instead of inline markup (WeasyPrint
    parses and styles inline markup as HTML first, which cost more than drawing it): the
    same SVG, the rest of the printout unchanged, and every word of the charts in the PDF."""
    for month in (1, 5, 9):
        _star(world.citizen, D(2026, month, 15), 2 + month // 2)
    inline = render_html(course)
    images = render_html(course, charts_as_images=True)
    svgs = re.findall(r"<svg\b.*?</svg>", inline, re.S)
    assert len(svgs) == 2  # the star and the WHO-5 curve
    tag = r'<img class="chart-image" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="[^"]+">'
    assert [base64.b64decode(data).decode("utf-8") for data in re.findall(tag, images)] == svgs
    assert "<svg" not in images
    assert re.sub(r'<img class="chart-image"[^>]*>', "", images) == re.sub(r"<svg\b.*?</svg>", "", inline, flags=re.S)

    login(world.worker)
    response = client.get(reverse("courses:printout", kwargs={"code": course.code}))
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    words = [htmllib.unescape(w) for svg in svgs for w in re.findall(r">([^<>]+)</t(?:span|ext)>", svg)]
    assert "Loven og mig" in words and "50: risiko for nedsat trivsel" in words
    assert [w for w in words if w not in text] == []
