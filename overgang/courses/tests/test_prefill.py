"""Each fact typed once (issue 12, item 1): a new form opens with what Overgang knows.

One test per source family shows the value arriving in a new record of the real
instrument (through the action the course page and the due rows use); others show the
mark, that a pre-filled answer is stored like any other, the codebook's column and the
refusal of a form that cannot apply now.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from overgang import testing
from overgang.courses import actions, prefill
from overgang.courses.schedule import add_months
from overgang.instruments import codebook, registry
from overgang.instruments.prefill import SOURCES
from overgang.measurements import actions as record_actions
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.date.today()


def _contact_period(world, *, route=4, third_party=True):
    """First contact 30 days ago, through an NGO-like route, a third party present."""
    course = actions.do_register_first_contact(
        world.citizen, actor=world.worker, first_contact_on=TODAY - dt.timedelta(days=30), contact_route=route,
        third_party=third_party)
    return course


def _log(course, days_ago, form, **kw):
    return actions.do_log_contact(course, actor=course.citizen.worker, date=TODAY - dt.timedelta(days=days_ago),
                                  form=form, **kw)


def _start(course, instrument, day=TODAY, respondent=""):
    return actions.do_start_course_record(course, instrument, actor=course.citizen.worker, filled_on=day,
                                          respondent=respondent or ("citizen" if instrument == "star" else ""))


def _complete(record, answers):
    record_actions.do_save_answers(record, answers, actor=record.citizen.worker, version=record.version)
    record.refresh_from_db()
    record_actions.do_complete_record(record, actor=record.citizen.worker, version=record.version)
    record.refresh_from_db()
    return record


def test_the_start_form_opens_with_the_first_contact_and_the_contact_period(world):
    course = _contact_period(world)
    _log(course, 25, "meeting", minutes=40, third_party=True)
    _log(course, 20, "phone", minutes=5)
    _log(course, 15, "accompaniment", minutes=90)
    _log(course, 12, "sms", reached=False)  # an attempt: a form used, no meeting
    _log(course, 11, "meeting", reached=False)  # a visit without the citizen: no meeting
    actions.do_start_course(course, actor=world.worker, start_date=TODAY - dt.timedelta(days=10))
    _log(course, 5, "mail")  # after the start: not "forud for opstarten"
    answers = _start(course, "cti_start").get_answers()
    assert answers["contact_route"] == 4
    assert answers["first_contact"] == TODAY - dt.timedelta(days=30)
    assert answers["contact_forms"] == (1, 2, 3)
    assert answers["physical_meetings"] == 2
    # One meeting with a third party, and one at the first contact: "Ja, til flere møder".
    assert answers["third_party"] == 1


def test_the_third_party_answer_counts_the_meetings(world):
    course = _contact_period(world, third_party=False)
    _log(course, 20, "meeting", third_party=True)
    actions.do_start_course(course, actor=world.worker, start_date=TODAY - dt.timedelta(days=10))
    assert _start(course, "cti_start").get_answers()["third_party"] == 2  # "Ja, til et møde"


def test_without_a_contact_log_the_log_items_open_empty(world):
    course = testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=10),
                                 first_contact=TODAY - dt.timedelta(days=20))
    answers = _start(course, "cti_start").get_answers()
    assert answers["contact_route"] == 1 and answers["first_contact"] == TODAY - dt.timedelta(days=20)
    assert not {"contact_forms", "physical_meetings", "third_party"} & set(answers)


def test_the_ongoing_and_end_forms_count_the_contact_log_of_the_last_two_months(world):
    start = add_months(TODAY, -4)
    course = testing.make_course(world.citizen, start=start, first_contact=start - dt.timedelta(days=10))
    _log(course, 70, "meeting", minutes=200)  # before the last two months: not counted
    for days_ago, minutes in ((2, 30), (9, 45), (16, 60), (23, 45), (30, 40), (37, 45), (44, 50), (51, 45), (58, 30)):
        _log(course, days_ago, "meeting", minutes=minutes)
    _log(course, 3, "phone", minutes=5)
    _log(course, 40, "sms")
    _log(course, 41, "phone", reached=False)  # an attempt is no contact
    answers = _start(course, "cti_ongoing").get_answers()
    # Nine meetings in about nine weeks: "Ca. én gang om ugen"; two reached remote
    # contacts: "Ca. én gang om måneden eller sjældnere"; a typical meeting 45 minutes.
    assert (answers["meeting_frequency"], answers["remote_contact_frequency"], answers["meeting_minutes"]) == (3, 5, 45)
    assert answers["months"] == 4 and answers["phase"] == 2
    end = _start(course, "cti_end").get_answers()
    assert (end["meeting_frequency"], end["remote_contact_frequency"], end["meeting_minutes"]) == (3, 5, 45)


def test_the_frequency_follows_the_rate_per_week():
    assert [prefill._frequency(count, 8.7) for count in (45, 20, 9, 4, 2, 0)] == [1, 2, 3, 4, 5, 5]


def test_the_plan_items_come_from_the_activity_plan(world):
    start = add_months(TODAY, -4)
    course = testing.make_course(world.citizen, start=start, first_contact=start - dt.timedelta(days=10))
    answers = _start(course, "cti_ongoing").get_answers()
    assert answers["plan_exists"] == 5 and "plan_adjusted" not in answers  # no plan: the plan questions stay shut
    Record.objects.all().delete()
    actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen bolig",
                              citizen_took_part=False)
    actions.do_add_focus_area(course, actor=world.worker, phase=2, area="economy", goal="Styr på gælden",
                              citizen_took_part=True)
    actions.do_add_plan_event(course, actor=world.worker, kind="adjustment", date=TODAY - dt.timedelta(days=20),
                              citizen_took_part=True, note="")
    actions.do_add_plan_event(course, actor=world.worker, kind="evaluation", date=TODAY - dt.timedelta(days=90),
                              citizen_took_part=True, note="")  # more than two months ago
    answers = _start(course, "cti_ongoing").get_answers()
    assert (answers["plan_exists"], answers["plan_citizen_took_part"], answers["plan_adjusted"],
            answers["plan_adjusted_citizen"], answers["plan_evaluated"]) == (1, 1, 1, 1, 5)


def test_the_handover_items_of_the_end_form_come_from_the_handover_page(world):
    start = add_months(TODAY, -11)
    course = testing.make_course(world.citizen, start=start, first_contact=start - dt.timedelta(days=10))
    answers = _start(course, "cti_end").get_answers()
    assert (answers["longterm_plan"], answers["handover_talks"]) == (5, 5)
    Record.objects.all().delete()
    actions.do_set_long_term_plan(course, actor=world.worker, text="Bostøtte fra kommunen, NGO'en hver uge")
    actions.do_add_handover_meeting(course, actor=world.worker, kind="network", date=TODAY - dt.timedelta(days=3),
                                    note="")
    answers = _start(course, "cti_end").get_answers()
    assert (answers["longterm_plan"], answers["handover_talks"]) == (1, 1)
    assert answers["months"] == 11


def test_the_first_star_says_so_and_the_next_opens_with_the_latest_goal(world, login, client):
    course = testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=70),
                                 first_contact=TODAY - dt.timedelta(days=80))
    first = _start(course, "star", day=TODAY - dt.timedelta(days=69))
    # Neither is relevant before "is it possible" is answered: kept for when they are.
    assert "paid_trend" not in first.get_answers() and "goal" not in first.get_answers()
    assert first.get_prefilled()["paid_trend"] == 88 and "goal" not in first.get_prefilled()
    _complete(first, {**testing.STAR_ANSWERS, "goal": 2, "paid_last_month": 1, "paid_count": 3,
                      "paid_trend": 88, "paid_motives": (2,)})
    second = _start(course, "star")
    assert second.get_prefilled()["goal"] == 2 and "paid_trend" not in second.get_prefilled()
    assert second.get_answers()["time_point"] == 2  # the calendar: in phase 1

    # The worker answers "is it possible": the goal appears with the latest goal, marked.
    login(world.worker)
    url = reverse("measurements:fill", kwargs={"code": second.code, "page": 1})
    record_actions.do_save_answers(second, {"possible": 1}, actor=world.worker, version=second.version)
    html = client.get(url).content.decode()
    assert 'value="2" required' in html or _checked(html, "goal", "2")
    assert "fra forløbets stjerner" in html and "fra forløbets kalender" in html


def _checked(html, name, value):
    import re

    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', html))


def test_a_prefilled_answer_is_marked_editable_and_stored_like_any_other(world, login, client):
    course = _contact_period(world)
    _log(course, 25, "meeting", minutes=40)
    actions.do_start_course(course, actor=world.worker, start_date=TODAY - dt.timedelta(days=10))
    record = _start(course, "cti_start")
    login(world.worker)
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    html = client.get(url).content.decode()
    assert html.count('class="prefilled"') == 5
    assert "fra første kontakt" in html and "fra kontaktloggen" in html
    assert _checked(html, "contact_route", "4") and _checked(html, "contact_forms", "1")
    # The worker corrects the number of meetings: stored, and no longer marked.
    record.refresh_from_db()
    response = client.post(url, {
        "version": record.version, "token": "a" * 32, "shown": "contact_route first_contact physical_meetings",
        "contact_route": "4", "first_contact": (TODAY - dt.timedelta(days=30)).isoformat(), "physical_meetings": "3",
        "go": "stay"})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.get_answers()["physical_meetings"] == 3
    html = client.get(url).content.decode()
    assert html.count('class="prefilled"') == 4
    with translation.override("en"):
        assert str(SOURCES["contact_period.forms"].origin_label) == "from the contact log"


def test_the_codebook_says_where_each_prefilled_value_comes_from(world):
    instruments = list(registry.all_instruments().values())
    csv = codebook.render_csv(instruments)
    header = csv.splitlines()[0].split(",")
    assert header[-1] == "prefill"
    row = next(line for line in csv.splitlines() if line.startswith("cti_start,") and ",physical_meetings," in line)
    assert "contact_period.physical_meetings: the physical meetings" in row
    md = codebook.render_markdown(instruments)
    assert "| prefill |" in md and "stars.first_star: 88" in md
    declared = {item.prefill for instrument in instruments for item in instrument.items if item.prefill}
    assert declared == set(SOURCES)  # every source is used, and the column covers them all


def test_the_code_tables_agree_with_the_choice_lists():
    """The codes the sources produce mean what the codebook says they mean."""
    book = registry.all_instruments()
    forms = book["cti_start"].item("contact_forms").choices
    assert forms.get(prefill.CONTACT_FORM_CODES["meeting"]).label.da == "Fysiske møder med borgeren"
    assert [forms.get(prefill.CONTACT_FORM_CODES[f]).label.da for f in ("phone", "sms", "mail")] == ["Telefon", "Sms", "Mail"]
    yes_no = book["cti_ongoing"].item("plan_exists").choices
    assert (yes_no.get(prefill.YES).label.da, yes_no.get(prefill.NO).label.da) == ("Ja", "Nej")
    third = book["cti_start"].item("third_party").choices
    assert [third.get(c).label.da for c in (prefill.THIRD_PARTY_SEVERAL, prefill.THIRD_PARTY_ONE,
                                             prefill.THIRD_PARTY_NONE)] == ["Ja, til flere møder", "Ja, til et møde", "Nej"]
    frequency = book["cti_ongoing"].item("meeting_frequency").choices
    assert frequency.get(1).label.da == "Dagligt" and frequency.get(prefill.FREQUENCY_LEAST).label.da.startswith("Ca. én gang om måneden")
    assert book["star"].item("paid_trend").choices.get(prefill.FIRST_STAR).label.da == "Irrelevant, dette er 1. stjerne"


def test_a_definition_naming_an_unknown_or_unfitting_source_is_refused():
    from overgang.instruments.validate import validate

    def problems(prefill_key, type_="integer"):
        definition = {"name": "x", "title": {"da": "X", "en": "X"}, "pages": [{"name": "p", "label": {"da": "P", "en": "P"},
                      "items": [{"name": "n", "type": type_, "label": {"da": "N", "en": "N"}, "prefill": prefill_key}]}],
                      "choices": {"goal": [{"code": 1, "label": {"da": "A", "en": "A"}}]}}
        return [p.code for p in validate(definition)]

    assert problems("contact_period.physical_meetings") == []
    assert problems("contact_log.everything") == ["bad_prefill"]
    assert problems("stars.latest_goal") == ["bad_prefill"]  # a goal code is no number
    assert problems("stars.latest_goal", "select_one goal") == []


@pytest.mark.parametrize("lang, words", [("da", "kan ikke udfyldes nu"), ("en", "cannot be filled in now")])
def test_a_form_that_cannot_apply_now_is_refused_when_posted_directly(world, login, client, lang, words):
    course = _contact_period(world)
    login(world.worker)
    client.cookies["django_language"] = lang
    url = reverse("measurements:start", kwargs={"code": world.citizen.code})
    response = client.post(url, {"instrument": "cti_start", "filled_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Record.objects.exists()
    # What can apply is begun for the course, with its pre-filled answers.
    response = client.post(url, {"instrument": "registration", "filled_on": TODAY.isoformat()})
    record = Record.objects.get()
    assert response.status_code == 302 and record.course == course
    # The list names it in the user's language.
    listing = client.get(reverse("measurements:list", kwargs={"code": world.citizen.code})).content.decode()
    title = {"da": "Registrering af baggrundsoplysninger", "en": "Background registration"}[lang]
    assert title in listing and "Text(" not in listing
    overview = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert title in overview


def test_a_citizen_without_a_course_can_begin_no_form(world, login, client):
    login(world.worker)
    response = client.post(reverse("measurements:start", kwargs={"code": world.citizen.code}),
                           {"instrument": "star", "filled_on": TODAY.isoformat(), "respondent": "citizen"})
    assert response.status_code == 400
    assert "ingen kontaktperiode eller forløb" in response.content.decode()
    assert not Record.objects.exists()


def test_a_second_start_form_is_refused(world):
    course = testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=10),
                                 first_contact=TODAY - dt.timedelta(days=20))
    Record.objects.filter(pk=_start(course, "cti_start").pk).update(status="completed")
    with pytest.raises(actions.CourseError, match="allerede udfyldt"):
        _start(course, "cti_start")
