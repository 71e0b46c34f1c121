"""Administrators manage users, roles, two-factor and evaluator grants of their municipality."""

import pytest
from django.urls import reverse

from overgang.accounts.models import Membership, Role, User
from overgang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _users_url(world):
    return reverse("accounts:admin_users", kwargs={"municipality": world.a.code})


def test_it_lists_only_the_municipalitys_users(client, world, login):
    login(world.administrator)
    html = client.get(_users_url(world)).content.decode()
    assert "worker" in html and "leader" in html
    assert "stranger" not in html and "foreign_admin" not in html


def test_it_creates_a_user_with_roles_and_audits_it(client, world, login):
    login(world.administrator)
    response = client.post(
        reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code}),
        {"username": "nina", "first_name": "Nina", "password": "a long enough passphrase 7", "roles": ["worker"]},
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.roles_in(world.a) == {Role.WORKER}
    assert nina.password.startswith("argon2$argon2id$")
    event = AuditEvent.objects.get(action="user.create", object_code=str(nina.code))
    assert event.details == {"username": "nina", "roles": ["worker"]}
    assert event.actor_code == str(world.administrator.code)


def test_it_refuses_a_taken_username_and_a_weak_password(client, world, login):
    login(world.administrator)
    response = client.post(
        reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code}),
        {"username": "Worker", "password": "short", "roles": ["worker"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Brugernavnet er optaget." in html
    assert User.objects.filter(username__iexact="worker").count() == 1


def test_it_changes_roles_audits_the_change_and_ends_sessions(client, world, login):
    from django.test import Client

    from overgang import testing

    worker_client = Client()
    testing.login(worker_client, world.worker)
    login(world.administrator)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.worker.code})
    response = client.post(url, {"first_name": "W", "last_name": "", "email": "", "is_active": "on", "roles": ["leader"]})
    assert response.status_code == 302
    assert set(Membership.objects.filter(user=world.worker).values_list("role", flat=True)) == {"leader"}
    event = AuditEvent.objects.get(action="user.roles_change")
    assert event.details["old"] == ["worker"] and event.details["new"] == ["leader"]
    assert worker_client.get(reverse("courses:caseload")).status_code == 302


def test_it_will_not_let_an_administrator_remove_their_own_access(client, world, login):
    login(world.administrator)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.administrator.code})
    response = client.post(url, {"is_active": "on", "roles": ["worker"]})
    assert response.status_code == 200
    assert world.administrator.roles_in(world.a) == {Role.ADMIN}


def test_it_cannot_reach_a_user_of_another_municipality(client, world, login):
    login(world.foreign_admin)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.worker.code})
    assert client.post(url, {"is_active": "", "roles": []}).status_code == 404
    assert User.objects.get(pk=world.worker.pk).is_active


def test_it_resets_two_factor(client, world, login):
    from overgang import testing

    testing.totp_device(world.worker)
    login(world.administrator)
    url = reverse("accounts:admin_user_reset_totp", kwargs={"municipality": world.a.code, "code": world.worker.code})
    assert client.post(url).status_code == 302
    assert not world.worker.totpdevice_set.exists()
    assert AuditEvent.objects.filter(action="user.totp_reset", object_code=str(world.worker.code)).exists()


def test_it_grants_an_existing_evaluator_access_to_another_municipality(client, world, login):
    login(world.foreign_admin)
    url = reverse("accounts:admin_grant_evaluator", kwargs={"municipality": world.b.code})
    assert client.post(url, {"grant-username": "evaluator"}).status_code == 302
    evaluator = User.objects.get(pk=world.evaluator.pk)
    assert {m.name for m in evaluator.municipalities_as(Role.EVALUATOR)} == {"Aby Kommune", "Bby Kommune"}
    assert AuditEvent.objects.filter(action="user.roles_change", municipality_code=str(world.b.code)).exists()


def test_it_grants_evaluator_access_only_to_evaluators(client, world, login):
    login(world.foreign_admin)
    url = reverse("accounts:admin_grant_evaluator", kwargs={"municipality": world.b.code})
    response = client.post(url, {"grant-username": "worker"})
    assert response.status_code == 400
    assert "Der findes ingen evaluator" in response.content.decode()
    assert world.worker.roles_in(world.b) == set()


def test_it_turns_on_team_visibility_and_audits_it(client, world, login):
    login(world.administrator)
    url = reverse("accounts:admin_municipality", kwargs={"municipality": world.a.code})
    assert client.post(url, {"team_visibility": "on"}).status_code == 302
    world.a.refresh_from_db()
    assert world.a.team_visibility
    assert AuditEvent.objects.get(action="municipality.change").details == {"team_visibility": [False, True]}


def test_a_worker_cannot_use_the_administration(client, world, login):
    login(world.worker)
    url = reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code})
    response = client.post(url, {"username": "x", "password": "a long enough passphrase 7", "roles": ["admin"]})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_it_keeps_at_least_one_role_so_the_user_can_still_be_managed(client, world, login):
    login(world.administrator)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.worker.code})
    response = client.post(url, {"first_name": "", "last_name": "", "email": "", "is_active": "on", "roles": []})
    assert response.status_code == 200 and "mindst én rolle" in response.content.decode()
    assert world.worker.roles_in(world.a) == {Role.WORKER}
    # An evaluator who also works for another municipality may lose this one's access.
    Membership.objects.create(user=world.evaluator, municipality=world.b, role=Role.EVALUATOR)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": world.evaluator.code})
    response = client.post(url, {"first_name": "", "last_name": "", "email": "", "is_active": "on", "roles": []})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.evaluator, municipality=world.a).exists()
