"""A course of a template without the prostitution group never mentions selling sex.

A homelessness course is run through every state with every form filled in and
completed (and a second citizen's contact period closed as not started); then every
page of the course is read — the citizen page, plan, network, handover, the records list,
every record's page and every page of every form, the printout — in Danish and in
English, as the worker and as the leader, and searched for everything of the
prostitution group: the names of its items, their questions and hints, the choices of
the group, and the plain words. The same run on an Exit prostitution course finds them,
so the search would catch a leak.
"""

import datetime as dt
import random

import pytest
from django.urls import reverse

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.courses.printout import render_html
from overgang.instruments import groups, registry
from overgang.measurements import actions as record_actions
from overgang.synthetic.answers import draw

D = dt.date
WORDS = ("prostitu", "seksuel", "salg af sex", "selling sex", "sexual", "sex for", "betaling for seksuelle")


def needles() -> set[str]:
    """What only the prostitution group says: its items as form fields and by name, their
    questions and hints, and the choices of the group, wherever no text of the common core
    contains them as well (so "Børn", a row of 4.5, is no needle: the core asks about
    children too; nor are the answer words of the group's own lists, such as "Food")."""
    found = set(WORDS)
    cores, texts = [], []
    for instrument in registry.all_instruments().values():
        core = groups.restrict(instrument, set(), {"goal": {3, 4}} if instrument.has_item("goal") else {})
        for item in core.items:
            cores += [item.label.da, item.label.en] + ([item.hint.da, item.hint.en] if item.hint else [])
            cores += [t for c in (item.choices.choices if item.choices else ()) for t in (c.label.da, c.label.en)]
        for item in instrument.items:
            if not core.has_item(item.name):
                found.add(f'name="{item.name}"')
                if "_" in item.name:
                    found.add(item.name)
                texts += [t for t in (item.label.da, item.label.en) if len(t) >= 15]
                continue
            kept = core.item(item.name)
            if item.hint and not kept.hint:
                texts += [item.hint.da, item.hint.en]
            if item.choices:
                texts += [t for c in item.choices.choices if kept.choices.get(c.code) is None
                          for t in (c.label.da, c.label.en)]
    core_text = "\n".join(cores).lower()
    return found | {t.lower() for t in texts if len(t) > 3 and t.lower() not in core_text}


def fill(course, instrument, day, rng, **fixed):
    record = actions.do_start_course_record(course, instrument, actor=course.citizen.worker, filled_on=day,
                                            respondent="citizen" if instrument == "star" else "")
    answers = draw(record.definition, day, rng, {**record.get_answers(), **fixed})
    record_actions.do_save_answers(record, answers, actor=course.citizen.worker, version=record.version)
    record.refresh_from_db()
    record_actions.do_complete_record(record, actor=course.citizen.worker, version=record.version)
    return record


def run_course(world, template):
    """A course of ``template`` through every state, every form filled in; a second
    citizen's contact period closed as not started. Returns the citizens' pages to read."""
    rng = random.Random(13)
    citizen, other = world.citizen, Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    course = testing.make_course(citizen, template=template, start=D(2026, 1, 15))
    fill(course, "registration", D(2026, 1, 15), rng)
    fill(course, "cti_start", D(2026, 1, 15), rng, debt=1, children=1, children_n=2, substance=1)
    fill(course, "star", D(2026, 1, 15), rng, possible=1)
    fill(course, "cti_ongoing", D(2026, 3, 15), rng)
    fill(course, "star", D(2026, 3, 15), rng, possible=1)
    actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen lejlighed",
                              citizen_took_part=True)
    actions.do_add_network_member(course, actor=world.worker, role="housing", name="Bostøtten", contact="",
                                  takes_over="Besøg")
    # The end form's draft is begun before the completed one: a course has one end form,
    # so none can be begun once it is completed.
    end_draft = actions.do_start_course_record(course, "cti_end", actor=world.worker, filled_on=D(2026, 4, 1))
    fill(course, "cti_end", D(2026, 4, 1), rng)
    fill(course, "star", D(2026, 4, 1), rng, possible=1)
    actions.do_end_course(course, actor=world.worker, end_date=D(2026, 4, 1))
    drafts = [actions.do_start_course_record(course, "star", actor=world.worker, filled_on=D(2026, 4, 1),
                                             respondent="citizen"), end_draft]
    # The star's later pages show once the star can be filled in.
    record_actions.do_save_answers(drafts[0], {"possible": 1}, actor=world.worker, version=drafts[0].version)
    contact = testing.make_course(other, template=template, started=False)
    fill(contact, "registration", D(2026, 2, 1), rng)
    fill(contact, "not_started", D(2026, 2, 20), rng)
    actions.do_close_not_started(contact, actor=world.worker)
    return course, [citizen, other], drafts


def pages(client, course, citizens, drafts):
    urls = []
    for citizen in citizens:
        urls += [reverse("courses:citizen", kwargs={"code": citizen.code}),
                 reverse("citizens:detail", kwargs={"code": citizen.code}),
                 reverse("measurements:list", kwargs={"code": citizen.code})]
        for record in citizen.records.all():
            urls.append(reverse("measurements:detail", kwargs={"code": record.code}))
    for name in ("courses:plan", "courses:network", "courses:handover"):
        urls.append(reverse(name, kwargs={"code": course.code}))
    for record in drafts:
        for number in range(1, len(record.definition.pages) + 1):
            urls.append(reverse("measurements:fill", kwargs={"code": record.code, "page": number}))
    texts = []
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        texts.append((url, response.content.decode()))
    return texts


def found_in(texts, words):
    return sorted({(url, word) for url, text in texts for word in words if word in text.lower()})


@pytest.mark.parametrize("template", ["homelessness", "psychiatric_discharge", "care_home"])
def test_no_page_or_printout_of_the_course_mentions_selling_sex(client, world, login, template):
    testing.offer_templates(world.a, "exit_prostitution", template)
    course, citizens, drafts = run_course(world, template)
    words = needles()
    assert {"first_paid", "paid_last_month", "knows_partner", "salg af sex"} <= words
    texts = []
    for user in (world.worker, world.leader):
        login(user)
        for language in ("da", "en"):
            client.cookies["django_language"] = language
            texts += pages(client, course, citizens, drafts if user == world.worker else [])
    texts += [("printout da", render_html(course, "da")), ("printout en", render_html(course, "en"))]
    assert len(texts) > 40
    assert found_in(texts, words) == []


def test_the_same_walk_finds_them_in_an_exit_prostitution_course(client, world, login):
    course, citizens, drafts = run_course(world, "exit_prostitution")
    login(world.worker)
    texts = pages(client, course, citizens, drafts)
    hits = {word for _url, word in found_in(texts, needles())}
    assert {"paid_last_month", "knows_partner", "seksuel", "salg af sex"} <= hits
