"""Citizens: pseudonyms, the caseload, the one door, encryption, versions, erasure."""

import pytest
from django.db import connection
from django.urls import reverse

from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen

pytestmark = pytest.mark.django_db


def test_it_lists_the_workers_caseload_only(client, world, login):
    login(world.worker)
    html = client.get(reverse("courses:caseload")).content.decode()
    assert "Solsikke" in html
    assert "Havørn" not in html


def test_a_leader_sees_the_municipalitys_citizens_with_their_worker(client, world, login):
    login(world.leader)
    html = client.get(reverse("courses:caseload")).content.decode()
    assert "Solsikke" in html and "Worker" in html
    assert "Havørn" not in html


def test_it_creates_a_citizen_with_an_encrypted_note_and_audits_it(client, world, login):
    login(world.worker)
    response = client.post(reverse("citizens:new"), {"pseudonym": "  Mælkebøtte ", "identity_note": "Lys jakke, café Nord"})
    citizen = Citizen.objects.get(pseudonym="Mælkebøtte")
    assert response.status_code == 302 and response["Location"] == reverse("courses:citizen", kwargs={"code": citizen.code})
    assert citizen.worker == world.worker and citizen.municipality == world.a
    assert citizen.identity_note == "Lys jakke, café Nord"
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity_note_encrypted, data_key FROM citizens_citizen WHERE id = %s", [citizen.pk])
        stored, key = cursor.fetchone()
    assert "café" not in stored and "jakke" not in stored and stored
    event = AuditEvent.objects.get(action="citizen.create")
    assert event.citizen_code == str(citizen.code) and event.details == {"has_identity_note": True}
    assert "Mælkebøtte" not in str(event.details)


@pytest.mark.parametrize("pseudonym", ["010190-1234", "0101901234", "anna 311299 1234", "CPR 010190-1234"])
def test_it_refuses_a_cpr_shaped_pseudonym(client, world, login, pseudonym):
    login(world.worker)
    response = client.post(reverse("citizens:new"), {"pseudonym": pseudonym})
    assert response.status_code == 400
    assert "Pseudonymet ligner et CPR-nummer" in response.content.decode()
    assert not Citizen.objects.filter(pseudonym=pseudonym).exists()


def test_it_explains_the_cpr_refusal_in_english(client, world, login):
    login(world.worker)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("citizens:new"), {"pseudonym": "010190-1234"})
    assert "The pseudonym looks like a CPR number" in response.content.decode()


def test_it_refuses_a_pseudonym_taken_in_the_municipality_whatever_the_case(client, world, login):
    login(world.worker)
    response = client.post(reverse("citizens:new"), {"pseudonym": "SOLSIKKE"})
    assert response.status_code == 400
    assert "allerede i brug" in response.content.decode()
    assert Citizen.objects.filter(municipality=world.a).count() == 1


def test_the_same_pseudonym_is_allowed_in_another_municipality(client, world, login):
    login(world.stranger)
    assert client.post(reverse("citizens:new"), {"pseudonym": "Solsikke"}).status_code == 302


def test_reading_a_citizen_page_is_audited(client, world, login):
    login(world.leader)
    html = client.get(reverse("citizens:detail", kwargs={"code": world.citizen.code})).content.decode()
    assert "Solsikke" in html
    event = AuditEvent.objects.get(action="citizen.read")
    assert event.actor_code == str(world.leader.code) and event.citizen_code == str(world.citizen.code)


def test_a_stranger_gets_404_and_no_read_event(client, world, login):
    login(world.stranger)
    assert client.get(reverse("citizens:detail", kwargs={"code": world.citizen.code})).status_code == 404
    assert not AuditEvent.objects.filter(action="citizen.read").exists()


def test_a_leader_reads_but_cannot_write_or_see_the_note(client, world, login):
    from overgang.citizens.actions import do_change_citizen

    do_change_citizen(world.citizen, actor=world.worker, version=1, pseudonym="Solsikke", identity_note="hemmelig note")
    login(world.leader)
    html = client.get(reverse("citizens:detail", kwargs={"code": world.citizen.code})).content.decode()
    assert "hemmelig note" not in html
    url = reverse("citizens:edit", kwargs={"code": world.citizen.code})
    assert client.post(url, {"pseudonym": "Ændret", "identity_note": "", "version": 2}).status_code == 403
    assert client.post(reverse("citizens:erase", kwargs={"code": world.citizen.code}), {"confirm": "Solsikke"}).status_code == 403
    assert Citizen.objects.get(pk=world.citizen.pk).pseudonym == "Solsikke"


def test_team_visibility_lets_a_teammate_read_but_not_write(client, world, login):
    world.a.team_visibility = True
    world.a.save()
    login(world.teammate)
    assert client.get(reverse("citizens:detail", kwargs={"code": world.citizen.code})).status_code == 200
    url = reverse("citizens:edit", kwargs={"code": world.citizen.code})
    assert client.post(url, {"pseudonym": "x", "version": 1}).status_code == 403


def test_it_changes_a_citizen_and_audits_which_fields_changed(client, world, login):
    login(world.worker)
    url = reverse("citizens:edit", kwargs={"code": world.citizen.code})
    response = client.post(url, {"pseudonym": "Solsikke", "identity_note": "ny note", "version": 1})
    assert response.status_code == 302
    citizen = Citizen.objects.get(pk=world.citizen.pk)
    assert citizen.identity_note == "ny note" and citizen.version == 2
    assert AuditEvent.objects.get(action="citizen.change").details == {"fields": ["identity_note"]}


def test_a_save_over_a_newer_save_is_refused_and_the_input_kept(client, world, login):
    from overgang.citizens.actions import do_change_citizen

    login(world.worker)
    url = reverse("citizens:edit", kwargs={"code": world.citizen.code})
    client.get(url)  # the form is opened at version 1
    do_change_citizen(world.citizen, actor=world.worker, version=1, pseudonym="Solsikke", identity_note="fra tablet")
    response = client.post(url, {"pseudonym": "Solsikke2", "identity_note": "fra pc", "version": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "ændret af en anden" in html
    assert "Solsikke2" in html and "fra pc" in html  # the user's input is still in the form
    assert 'name="version" value="2"' in html
    citizen = Citizen.objects.get(pk=world.citizen.pk)
    assert citizen.pseudonym == "Solsikke" and citizen.identity_note == "fra tablet"


def test_it_erases_a_citizen_after_confirmation(client, world, login):
    login(world.worker)
    url = reverse("citizens:erase", kwargs={"code": world.citizen.code})
    assert client.post(url, {"confirm": "forkert"}).status_code == 400
    assert Citizen.objects.filter(pk=world.citizen.pk).exists()
    assert client.post(url, {"confirm": "solsikke"}).status_code == 302
    assert not Citizen.objects.filter(pk=world.citizen.pk).exists()
    assert AuditEvent.objects.get(action="citizen.erase").citizen_code == str(world.citizen.code)


def test_a_worker_without_the_citizen_cannot_fetch_it_by_url(client, world, login):
    login(world.teammate)
    for name in ("citizens:detail", "citizens:edit", "citizens:erase"):
        assert client.get(reverse(name, kwargs={"code": world.citizen.code})).status_code == 404
