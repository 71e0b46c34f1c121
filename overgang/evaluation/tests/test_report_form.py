"""The report page's form and tables as leaders and evaluators read them (issue 10, item 10)."""

import re

from django.urls import reverse

from . import cohorts


def _form(page):
    start = page.index('<form method="get" class="report-filters"')
    return page[start:page.index("</form>", start)]


def test_a_leader_gets_the_definitions_as_labelled_controls_showing_the_values_in_use(client, world, login):
    cohorts.main_cohort(world)
    login(world.leader)
    page = client.get(reverse("evaluation:report")).content.decode()
    form = _form(page)
    assert "<textarea" not in form and "who5_improvement=" not in form and "10 percent" not in form.split(">")[-1]
    assert '<label for="id_who5_risk_max">WHO-5: risiko for nedsat trivsel ved et indeks på højst' in form
    assert re.search(r'name="who5_risk_max" value="50"', form)
    assert re.search(r'<option value="10 points" selected>10 point</option>', form)
    assert re.search(r'<option value="0.05" selected>5 %</option>', form)


def test_a_leaders_controls_change_the_report(client, world, login):
    cohorts.main_cohort(world)
    login(world.leader)
    response = client.get(reverse("evaluation:report"), {"who5_improvement": "10 percent", "alpha": "0.01"})
    assert response.status_code == 200
    definitions = response.context["report"]["definitions"]
    assert definitions["who5_improvement"] == "10 percent" and definitions["alpha"] == 0.01
    assert definitions["who5_risk_max"] == 50  # untouched: the default


def test_a_leader_cannot_lower_the_small_cell_limit(client, world, login):
    login(world.leader)
    response = client.get(reverse("evaluation:report"), {"small_cells": "2"})
    assert response.status_code == 400
    assert response.context["form"].errors["small_cells"]
    assert response.context["report"] is None


def test_an_evaluator_writes_definitions_as_text(client, world, login):
    cohorts.main_cohort(world)
    login(world.evaluator)
    page = client.get(reverse("evaluation:report")).content.decode()
    form = _form(page)
    assert '<textarea name="definitions"' in form and 'name="who5_risk_max"' not in form


def test_number_headers_stand_over_their_numbers_and_none_is_empty(client, world, login):
    cohorts.main_cohort(world)
    login(world.evaluator)
    page = client.get(reverse("evaluation:report")).content.decode()
    tables = re.findall(r'<table class="report-table"[^>]*>.*?</table>', page, re.S)
    assert tables
    for table in tables:
        heads = re.findall(r"<th scope=\"col\"([^>]*)>(.*?)</th>", table, re.S)
        assert heads[0][1].strip(), "the first column has a (visually hidden) header"
        assert all('class="num"' in attrs for attrs, _text in heads[1:])
        assert 'class="num"' in table.split("<tbody>")[1]


def _definitions_section(page):
    start = page.index('<section class="report-definitions">')
    return page[start:page.index("</section>", start)]


def test_a_leader_reads_the_definitions_and_data_warnings_in_words_not_keys(client, world, login):
    cohorts.main_cohort(world)
    login(world.leader)
    page = client.get(reverse("evaluation:report"), {"goal": "exit", "started_from": "2026-01-01",
                                                      "who5_improvement": "10 percent"}).content.decode()
    section = _definitions_section(page)
    for words in ("WHO-5: risiko for nedsat trivsel ved et indeks på højst</dt><dd>50</dd>",
                  "WHO-5: fremgang er en stigning på mindst</dt><dd>10 procent</dd>",
                  "Måling ved afslutningen</dt><dd>Stjernen udfyldt ved afslutningen</dd>",
                  "Stor fremgang på stjernen tæller en stigning på præcis 1 med</dt><dd>nej</dd>",
                  "Signifikansniveau</dt><dd>5 %</dd>",
                  "nærmeste lige måned efter startdatoen",
                  "Målsætning</dt><dd>Exit fra prostitution</dd>",
                  "Forløb startet fra</dt><dd>01.01.2026</dd>",
                  "Stjerner i alt</dt>", "Forløb, der bruger skemaet for 1. fase som opstartsskema</dt>"):
        assert words in section, words
    # Not the program's names for them: who5_risk_max, coded_end, stars_total, filter.goal, …
    assert "<code" not in section
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b|filter\.", re.sub(r"<[^>]+>", " ", section)), section


def test_an_evaluator_sees_each_definitions_key_beside_its_name(client, world, login):
    cohorts.main_cohort(world)
    login(world.evaluator)
    client.post(reverse("set_language"), {"language": "en"})
    section = _definitions_section(client.get(reverse("evaluation:report")).content.decode())
    assert 'WHO-5: risk of reduced well-being at an index of at most <code class="small">who5_risk_max</code>' in section
    assert 'Stars in all <code class="small">stars_total</code>' in section
