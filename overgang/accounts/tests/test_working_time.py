"""A CTI worker's working time (share of full time), which the caseload cap follows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from overgang.accounts.actions import do_set_working_time
from overgang.accounts.models import Membership, Role
from overgang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(world, user):
    return reverse("accounts:admin_user_working_time", kwargs={"municipality": world.a.code, "code": user.code})


def membership(world):
    return Membership.objects.get(user=world.worker, municipality=world.a, role=Role.WORKER)


def test_it_is_full_time_until_the_administrator_says_otherwise(world):
    assert membership(world).working_time == Decimal("1.00")


def test_the_administrator_sets_it_in_danish_and_it_is_audited(client, world, login):
    login(world.administrator)
    edit = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.worker.code})
    assert "Ret arbejdstid" in client.get(edit).content.decode()
    response = client.post(url(world, world.worker), {"working_time": "0,75"})
    assert response.status_code == 302 and response["Location"] == edit
    assert membership(world).working_time == Decimal("0.75")
    event = AuditEvent.objects.get(action="user.working_time_change")
    assert event.details == {"working_time": ["1.00", "0.75"]}
    assert event.object_code == str(world.worker.code) and event.actor_username == "administrator"
    assert "Arbejder 0,75 af fuld tid" in client.get(edit).content.decode()
    # The same value again changes nothing and writes nothing.
    client.post(url(world, world.worker), {"working_time": "0,75"})
    assert AuditEvent.objects.filter(action="user.working_time_change").count() == 1


def test_it_reads_a_decimal_point_in_english(client, world, login):
    login(world.administrator)
    client.cookies["django_language"] = "en"
    assert client.post(url(world, world.worker), {"working_time": "0.5"}, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    assert membership(world).working_time == Decimal("0.50")
    edit = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.worker.code})
    assert "Works 0.5 of full time" in client.get(edit, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("value, message", [
    ("1,5", "Arbejdstiden kan højst være 1 (fuld tid)."),
    ("0", "Arbejdstiden skal være mindst 0,1 (en tiendedel af fuld tid)."),
    ("halv", "Skriv et tal mellem 0,1 og 1, fx 0,75."),
    ("0,755", "Brug højst to decimaler, fx 0,75."),
    ("", "Skriv arbejdstiden, fx 0,75 (1 er fuld tid)."),
])
def test_it_refuses_what_is_not_a_share_of_full_time(client, world, login, value, message):
    login(world.administrator)
    response = client.post(url(world, world.worker), {"working_time": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert not value or f'value="{value}"' in page  # the input is kept beside the error
    assert membership(world).working_time == Decimal("1.00")
    assert not AuditEvent.objects.filter(action="user.working_time_change").exists()


def test_only_a_cti_worker_has_a_working_time(client, world, login):
    login(world.administrator)
    assert client.get(url(world, world.leader)).status_code == 404
    leader = Membership.objects.get(user=world.leader, municipality=world.a)
    with pytest.raises(ValueError):
        do_set_working_time(leader, Decimal("0.5"), actor=world.administrator)
    with pytest.raises(ValueError):
        do_set_working_time(membership(world), Decimal("1.2"), actor=world.administrator)


def test_the_database_refuses_a_working_time_outside_the_range(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership(world).pk).update(working_time=Decimal("0.00"))


def test_another_municipalitys_administrator_cannot_set_it(client, world, login):
    login(world.foreign_admin)
    assert client.post(url(world, world.worker), {"working_time": "0,5"}).status_code == 404
    assert membership(world).working_time == Decimal("1.00")
