"""The review page of a record: answers in words, a version a person can read, and the
sections a worker has answered offered for correction."""

import pytest
from django.urls import reverse

from overgang import testing

pytestmark = pytest.mark.django_db


def test_it_shows_labels_not_codes_and_a_human_version_line(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "registration", answers={"gender": 1, "arenas": (2, 3), "first_paid": 2})
    page = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    assert "Kvinde" in page and "Kvinde (1)" not in page
    assert "På gaden" in page and "(2)" not in page and "(3)" not in page
    assert "registration v1" not in page
    assert f"Version {record.instrument_version.version}, i brug fra" in page


def test_answered_sections_of_a_draft_say_ret_and_open_ones_udfyld(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "dim_motivation": 4})
    page = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    links = {label: verb for verb, label in __import__("re").findall(
        r'>(Ret|Udfyld)<span class="visually-hidden"> ([^<]+)</span>', page)}
    answered = record.definition.pages[0].label.da
    assert links[answered] == "Ret"
    assert "Udfyld" in links.values()  # a section with nothing answered yet


def test_the_finish_and_discard_buttons_stand_apart(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 4})
    page = client.get(reverse("measurements:detail", kwargs={"code": record.code})).content.decode()
    buttons = page[page.index('<div class="buttons">'):]
    assert buttons.index("Afslut skemaet") < buttons.index('class="apart"') < buttons.index("Kassér kladden")
