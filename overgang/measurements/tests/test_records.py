"""Filling in records page by page: drafts, skip logic, completion, corrections, conflicts."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.measurements.models import Record, RecordChange

pytestmark = pytest.mark.django_db


def _page_of(record, item_name):
    for number, page in enumerate(record.definition.pages, 1):
        if any(item.name == item_name for item in page.items):
            return number
    raise AssertionError(item_name)


def _hidden(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else ""


def _post_page(client, record, page, data, go="next", token=None, **extra):
    """Open the page as a browser would, then submit it with ``data``."""
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": page})
    html = client.get(url).content.decode()
    payload = {
        "version": _hidden(html, "version"),
        "token": token or _hidden(html, "token"),
        "shown": _hidden(html, "shown"),
        "go": go,
        **data,
    }
    return client.post(url, payload, **extra)


def test_it_starts_a_star_as_a_draft_on_the_current_instrument_version(client, world, login):
    course = testing.make_course(world.citizen)
    login(world.worker)
    response = client.post(
        reverse("courses:record_new", kwargs={"code": course.code}),
        {"record-instrument": "star", "record-filled_on": "2026-03-01", "record-respondent": "citizen"},
    )
    record = Record.objects.get()
    assert response["Location"] == reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    assert record.status == "draft" and record.respondent == "citizen"
    assert record.instrument_version.name == "star" and record.course == course
    assert record.template_version == course.template_version
    assert AuditEvent.objects.filter(action="record.create", object_code=str(record.code)).exists()


def test_a_star_needs_to_know_who_led_it_and_a_date_not_in_the_future(client, world, login):
    course = testing.make_course(world.citizen)
    login(world.worker)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("courses:record_new", kwargs={"code": course.code}),
        {"record-instrument": "star", "record-filled_on": tomorrow},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "fremtiden" in html and "førte pennen" in html
    assert not Record.objects.exists()


def test_it_saves_a_page_and_moves_on_to_the_next_visible_page(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star")
    response = _post_page(client, record, 1, {"time_point": "1", "possible": "1", "goal": "2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("measurements:fill", kwargs={"code": record.code, "page": 2})
    record.refresh_from_db()
    assert record.get_answers() == {"time_point": 1, "possible": 1, "goal": 2}
    assert record.plain_answers == {"time_point": "1", "possible": "1", "goal": "2"}


def test_possible_4_keeps_only_the_time_point_and_skips_to_the_overview(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS)
    response = _post_page(client, record, 1, {"time_point": "1", "possible": "4"})
    assert response["Location"] == reverse("measurements:detail", kwargs={"code": record.code})
    record.refresh_from_db()
    assert record.get_answers() == {"time_point": 1, "possible": 4}
    event = AuditEvent.objects.filter(action="record.change").last()
    assert "dim_motivation" in event.details["cleared"] and "goal" in event.details["cleared"]


def test_it_tells_the_worker_which_answers_the_skip_logic_cleared(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS)
    response = _post_page(client, record, 1, {"time_point": "1", "possible": "3"}, go="stay")
    html = response.content.decode()
    assert response.status_code == 200
    assert "er fjernet" in html and "Motivation og ansvar" in html


def test_paid_last_month_no_asks_considered(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "goal": 1})
    page = _page_of(record, "paid_last_month")
    html = client.get(reverse("measurements:fill", kwargs={"code": record.code, "page": page})).content.decode()
    assert 'name="considered"' not in html
    response = _post_page(client, record, page, {"paid_last_month": "2"}, go="next")
    # A new question appeared on the same page: the worker stays to answer it.
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="considered"' in html and 'name="paid_count"' not in html
    assert "åbnet flere spørgsmål" in html


def test_a_bad_answer_is_refused_with_a_located_message_and_kept(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "goal": 1, "paid_last_month": 1})
    page = _page_of(record, "paid_count")
    response = _post_page(client, record, page, {"paid_last_month": "1", "paid_count": "mange"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Skriv et helt tal" in html and 'value="mange"' in html
    assert "paid_count" not in Record.objects.get(pk=record.pk).get_answers()


def test_decimal_commas_and_spaces_are_understood(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "goal": 1, "paid_last_month": 1})
    page = _page_of(record, "paid_count")
    _post_page(client, record, page, {"paid_last_month": "1", "paid_count": " 1 2 "}, go="stay")
    assert Record.objects.get(pk=record.pk).get_answers()["paid_count"] == 12


def test_a_completed_record_needs_every_relevant_required_answer(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1})
    response = client.post(reverse("measurements:complete", kwargs={"code": record.code}), {"version": record.version})
    assert response.status_code == 400
    assert "Mål med CTI-forløb" in response.content.decode()
    assert Record.objects.get(pk=record.pk).status == "draft"
    record = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS)
    response = client.post(reverse("measurements:complete", kwargs={"code": record.code}), {"version": record.version})
    assert response.status_code == 302
    assert Record.objects.get(pk=record.pk).status == "completed"
    assert AuditEvent.objects.filter(action="record.complete", object_code=str(record.code)).exists()


def test_a_possible_4_star_completes_with_only_the_time_point(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 2, "possible": 4})
    client.post(reverse("measurements:complete", kwargs={"code": record.code}), {"version": record.version})
    assert Record.objects.get(pk=record.pk).status == "completed"


def test_the_completed_star_shows_the_chart_with_earlier_stars_and_who5(client, world, login):
    login(world.worker)
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=datetime.date(2026, 1, 5))
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=datetime.date(2026, 3, 5))
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=datetime.date(2025, 11, 5))
    latest = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=datetime.date(2026, 5, 5))
    html = client.get(reverse("measurements:detail", kwargs={"code": latest.code})).content.decode()
    assert html.count("<polygon") >= 5 + 3  # five rings, three stars
    assert "05.05.2026" in html and "05.03.2026" in html and "05.01.2026" in html
    assert "05.11.2025" not in html  # at most two earlier stars
    assert "48 af 100" in html  # 4 × (3+2+3+2+2)
    assert "nedsat trivsel" in html


def test_a_correction_to_a_completed_record_keeps_old_and_new_values(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    page = _page_of(record, "dim_money")
    response = _post_page(client, record, page, {"dim_money": "6"}, go="review")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "completed" and record.get_answers()["dim_money"] == 6
    change = RecordChange.objects.get(record=record)
    assert change.get_changes() == [{"item": "dim_money", "old": "2", "new": "6"}]
    event = AuditEvent.objects.get(action="record.correct")
    assert event.details["items"] == ["dim_money"] and event.details["change"] == str(change.code)
    assert "6" not in str(event.details.get("items"))
    html = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    assert "dim_money: 2 → 6" in html


def test_a_second_save_over_a_newer_save_is_refused_and_the_input_kept(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1})
    stale_version = record.version
    _post_page(client, record, 1, {"time_point": "2"}, go="stay", token="a" * 32)  # the other tablet
    response = client.post(
        reverse("measurements:fill", kwargs={"code": record.code, "page": 1}),
        {"version": stale_version, "token": "b" * 32, "go": "next", "time_point": "3", "possible": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "gemt af en anden" in html
    assert 'value="3" id="id_time_point_2" checked' in html or ('value="3"' in html and "checked" in html)
    assert Record.objects.get(pk=record.pk).get_answers() == {"time_point": 2}


def test_the_same_forms_autosaves_are_not_a_conflict(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star")
    version = record.version
    token = "c" * 32
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    shown = "time_point possible"
    autosave = client.post(url, {"version": version, "token": token, "shown": shown, "time_point": "1"}, HTTP_HX_REQUEST="true")
    assert autosave.status_code == 200 and "Gemt kl." in autosave.content.decode()
    # The page's version field still says `version`; the same form submits on.
    response = client.post(url, {"version": version, "token": token, "shown": shown, "go": "next", "time_point": "1", "possible": "4"})
    assert response.status_code == 302
    assert Record.objects.get(pk=record.pk).get_answers() == {"time_point": 1, "possible": 4}


def test_an_autosave_that_shows_new_questions_returns_the_fields(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star")
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    data = {"version": record.version, "token": "d" * 32, "shown": "time_point possible", "possible": "1"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#page-fields"
    assert 'name="goal"' in response.content.decode()


def test_free_text_answers_are_encrypted_and_hidden_from_the_leader(client, world, login):
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 3, "declined_reason": "Vil ikke i dag"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT plain_answers, sealed_answers FROM measurements_record WHERE id = %s", [record.pk])
        answers, encrypted = cursor.fetchone()
    assert "Vil ikke" not in str(answers) and "Vil ikke" not in encrypted
    assert Record.objects.get(pk=record.pk).get_answers()["declined_reason"] == "Vil ikke i dag"
    login(world.leader)
    html = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    assert "Vil ikke i dag" not in html and "kun for den ansvarlige" in html


def test_who_knows_about_the_sale_of_sex_is_stored_encrypted(world):
    record = testing.make_record(world.citizen, "cti_start", answers={"knows_partner": 1, "knows_parents": 99})
    with connection.cursor() as cursor:
        cursor.execute("SELECT plain_answers, sealed_answers FROM measurements_record WHERE id = %s", [record.pk])
        answers, sealed = cursor.fetchone()
    assert "knows_" not in str(answers) and "knows_" not in sealed
    stored = Record.objects.get(pk=record.pk)
    assert {k: v for k, v in stored.get_answers().items() if k.startswith("knows_")} == {"knows_partner": 1, "knows_parents": 99}


def test_reading_a_record_is_audited_and_a_leader_cannot_fill_in(client, world, login):
    record = testing.make_record(world.citizen, "star")
    login(world.leader)
    assert client.get(reverse("measurements:detail", kwargs={"code": record.code})).status_code == 200
    assert AuditEvent.objects.filter(action="record.read", actor_code=str(world.leader.code)).exists()
    assert _post_page(client, record, 1, {"time_point": "1"}).status_code == 403
    assert Record.objects.get(pk=record.pk).get_answers() == {}


def test_a_draft_can_be_discarded_but_a_completed_record_cannot(client, world, login):
    login(world.worker)
    draft = testing.make_record(world.citizen, "star")
    assert client.post(reverse("measurements:discard", kwargs={"code": draft.code})).status_code == 302
    assert not Record.objects.filter(pk=draft.pk).exists()
    done = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 4}, completed=True)
    client.post(reverse("measurements:discard", kwargs={"code": done.code}))
    assert Record.objects.filter(pk=done.pk).exists()


def test_erasing_the_citizen_erases_the_records(world):
    from overgang.citizens.actions import do_erase_citizen

    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    do_erase_citizen(world.citizen, actor=world.worker)
    assert not Record.objects.exists()


def test_the_star_chart_compares_only_stars_of_the_same_course(client, world, login):
    from overgang.courses import actions as course_actions

    old = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=datetime.date(2025, 5, 1))
    course = testing.make_course(world.citizen)
    record = course_actions.do_start_course_record(course, "star", actor=world.worker, filled_on=datetime.date(2026, 3, 1), respondent="citizen")
    from overgang.measurements import actions

    actions.do_save_answers(record, testing.STAR_ANSWERS, actor=world.worker, version=record.version)
    record.refresh_from_db()
    actions.do_complete_record(record, actor=world.worker, version=record.version)
    login(world.worker)
    html = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    assert "01.03.2026" in html and old.filled_on.strftime("%d.%m.%Y") not in html



def test_a_bound_on_the_same_page_is_checked_against_the_new_answers(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "not_started")
    response = _post_page(client, record, 1, {"first_contact": "2026-02-01", "last_contact": "2026-01-20"}, go="stay")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Datoen må ikke ligge før svaret på «" in page and "${first_contact}" not in page
    assert "last_contact" not in Record.objects.get(pk=record.pk).get_answers()


def test_a_record_that_breaks_a_rule_cannot_be_completed_or_corrected_into_one(client, world, login):
    import random

    from overgang.instruments import registry
    from overgang.measurements import actions
    from overgang.synthetic.answers import draw

    answers = draw(registry.get_instrument("not_started"), datetime.date(2026, 3, 1), random.Random(3), {
        "first_contact": datetime.date(2026, 1, 10), "last_contact": datetime.date(2026, 2, 10),
        "contact_resumed": 1, "resumed_on": datetime.date(2026, 2, 20),
    })
    assert answers["resumed_on"] == datetime.date(2026, 2, 20)
    record = testing.make_record(world.citizen, "not_started", answers=answers)
    # A draft may pass through an inconsistent state (the pages are saved one by one) ...
    actions.do_save_answers(record, {"last_contact": datetime.date(2026, 2, 25)}, actor=world.worker,
                            version=record.version)
    record.refresh_from_db()
    login(world.worker)
    response = client.post(reverse("measurements:complete", kwargs={"code": record.code}), {"version": record.version})
    # ... but is never completed in it: the export and import would refuse it.
    assert response.status_code == 400
    assert "bryder skemaets regler" in response.content.decode()
    assert not Record.objects.get(pk=record.pk).is_completed
    actions.do_save_answers(record, {"last_contact": datetime.date(2026, 2, 10)}, actor=world.worker,
                            version=record.version)
    record.refresh_from_db()
    actions.do_complete_record(record, actor=world.worker, version=record.version)
    record.refresh_from_db()
    with pytest.raises(actions.InvalidAnswers):
        actions.do_save_answers(record, {"resumed_on": datetime.date(2026, 2, 1)}, actor=world.worker,
                                version=record.version)
    assert Record.objects.get(pk=record.pk).get_answers()["resumed_on"] == datetime.date(2026, 2, 20)


@pytest.mark.parametrize("version", ["abc", "", "1.5", "\x00", "9" * 5000])
def test_a_tampered_version_is_a_stale_form_not_a_crash(client, world, login, version):
    record = testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS)
    login(world.worker)
    response = client.post(reverse("measurements:complete", kwargs={"code": record.code}), {"version": version})
    assert response.status_code == 302
    assert not Record.objects.get(pk=record.pk).is_completed


def test_a_tampered_checkbox_value_is_refused_with_a_message(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 2, "possible": 1, "paid_last_month": 1})
    instrument = record.definition
    page = next(i + 1 for i, p in enumerate(instrument.pages) if any(it.name == "paid_motives" for it in p.items))
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": page})
    html = client.get(url).content.decode()
    for bad in (["", "1"], ["<script>alert(1)</script>"], ["²"], ["9" * 5000]):
        response = client.post(url, {"version": _hidden(html, "version"), "token": _hidden(html, "token"),
                                     "shown": _hidden(html, "shown"), "go": "stay", "paid_last_month": "1",
                                     "paid_motives": bad})
        assert response.status_code == 400, bad
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert "paid_motives" not in Record.objects.get(pk=record.pk).get_answers()


def test_records_share_one_built_definition_per_version_without_reading_it_again(world, django_assert_num_queries):
    first = testing.make_record(world.citizen, "star")
    second = testing.make_record(world.citizen, "star")
    assert first.definition.name == "star"  # built once, by this process
    records = list(Record.objects.filter(pk__in=[first.pk, second.pk]).with_version())
    assert all(r.instrument_version.get_deferred_fields() == {"definition"} for r in records)
    with django_assert_num_queries(0):  # the built instrument comes from the process, by content hash
        definitions = [r.definition for r in records]
    assert definitions[0] is definitions[1] and definitions[0].name == "star"


def test_reload_keeps_the_loaded_rows_that_are_still_the_same_and_drops_the_others(world):
    course = testing.make_course(world.citizen)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1})
    record = Record.objects.with_version().select_related("citizen", "course").get(pk=record.pk)
    citizen, version, before = record.citizen, record.instrument_version, record.version
    assert record.course is None
    Record.objects.filter(pk=record.pk).update(course=course, version=F("version") + 1)
    record.reload()
    assert record.citizen is citizen and record.instrument_version is version  # the same rows: kept
    assert record.course == course and record.version == before + 1  # changed: read again
    locked = Record.objects.get(pk=record.pk)
    Record.objects.filter(pk=record.pk).update(course=None)
    record.reload(locked)
    assert record.course == course and record.citizen is citizen
    with pytest.raises(ValueError):
        record.reload(testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1}))
