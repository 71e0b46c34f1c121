"""Separation of duties (SECURITY.md): administration and case work never meet in one
account, and nobody grants themselves a role — through every path that changes roles
or makes someone responsible for a citizen."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from overgang import testing
from overgang.accounts import actions
from overgang.accounts.models import Membership, Role, User
from overgang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _edit(client, world, target, roles, municipality=None):
    municipality = municipality or world.a
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": municipality.code, "code": target.code})
    return client.post(url, {"first_name": target.first_name, "is_active": "on", "roles": roles})


def _roles(user, municipality):
    return set(Membership.objects.filter(user=user, municipality=municipality).values_list("role", flat=True))


@pytest.mark.parametrize("role", ["worker", "leader"])
def test_it_refuses_an_administrator_giving_themselves_a_case_role(client, world, login, role):
    login(world.administrator)
    response = _edit(client, world, world.administrator, ["admin", role])
    assert response.status_code == 200
    assert "funktionsadskillelse" in response.content.decode()
    assert _roles(world.administrator, world.a) == {"admin"}
    assert not AuditEvent.objects.filter(action="user.roles_change").exists()


def test_it_refuses_granting_any_role_to_oneself(client, world, login):
    login(world.administrator)
    response = _edit(client, world, world.administrator, ["admin", "evaluator"])
    assert response.status_code == 200
    assert "Du kan ikke give dig selv en rolle" in response.content.decode()
    assert _roles(world.administrator, world.a) == {"admin"}


def test_it_refuses_the_self_grant_in_the_action_whatever_the_path():
    world = testing.make_world()
    with pytest.raises(actions.RoleError):
        actions.do_set_roles(world.worker, world.a, {"worker", "evaluator"}, actor=world.worker)
    assert _roles(world.worker, world.a) == {"worker"}


def test_it_refuses_the_evaluator_grant_to_oneself(client, world, login):
    # An administrator who is an evaluator elsewhere (allowed: evaluators see no case content)
    # still cannot grant themselves evaluator access here.
    Membership.objects.create(user=world.administrator, municipality=world.b, role=Role.EVALUATOR)
    login(world.administrator)
    url = reverse("accounts:admin_grant_evaluator", kwargs={"municipality": world.a.code})
    response = client.post(url, {"grant-username": "administrator"})
    assert response.status_code == 400
    assert "Du kan ikke give dig selv en rolle" in response.content.decode()
    assert _roles(world.administrator, world.a) == {"admin"}


@pytest.mark.parametrize("start,add", [(["admin"], "worker"), (["worker"], "admin"), (["leader"], "admin")])
def test_it_refuses_mixing_administration_and_case_work_for_another_user(client, world, login, start, add):
    other = testing.make_user("other", world.a, *start)
    login(world.administrator)
    response = _edit(client, world, other, [*start, add])
    assert response.status_code == 200
    assert "funktionsadskillelse" in response.content.decode()
    assert _roles(other, world.a) == set(start)


def test_it_refuses_mixing_across_municipalities(world):
    # An administrator of B cannot be made a worker in A.
    Membership.objects.create(user=world.foreign_admin, municipality=world.a, role=Role.EVALUATOR)
    with pytest.raises(actions.RoleError):
        actions.do_set_roles(world.foreign_admin, world.a, {"evaluator", "worker"}, actor=world.administrator)
    assert _roles(world.foreign_admin, world.a) == {"evaluator"}


def test_it_refuses_creating_a_user_who_is_both(client, world, login):
    login(world.administrator)
    response = client.post(
        reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code}),
        {"username": "both", "password": "a long enough passphrase 7", "roles": ["admin", "worker"]},
    )
    assert response.status_code == 200
    assert "funktionsadskillelse" in response.content.decode()
    assert not User.objects.filter(username="both").exists()


def test_the_command_refuses_a_user_who_is_both(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 9\n"))
    with pytest.raises(CommandError, match="funktionsadskillelse.*separation of duties"):
        call_command("user", "add", "both", "--municipality", world.a.name, "--role", "admin", "--role", "worker",
                     "--password-stdin", stdout=io.StringIO())
    assert not User.objects.filter(username="both").exists()


def test_a_leader_cannot_reassign_a_citizen_to_an_administrator(client, world, login):
    login(world.leader)
    url = reverse("courses:reassign", kwargs={"code": world.citizen.code})
    response = client.post(url, {"to_worker": world.administrator.pk, "note": ""})
    assert response.status_code == 400
    world.citizen.refresh_from_db()
    assert world.citizen.worker == world.worker


def test_reassignment_to_an_account_holding_both_roles_is_refused_by_the_action(world):
    from overgang.courses.actions import CourseError, do_reassign

    # An account from before the rule (made directly, not through the actions).
    Membership.objects.create(user=world.administrator, municipality=world.a, role=Role.WORKER)
    with pytest.raises(CourseError):
        do_reassign(world.citizen, actor=world.leader, to_worker=User.objects.get(pk=world.administrator.pk), note="")
    world.citizen.refresh_from_db()
    assert world.citizen.worker == world.worker


def test_an_administrator_is_never_made_responsible_for_a_new_citizen(world):
    from overgang.citizens.actions import NotAWorker, do_create_citizen

    Membership.objects.create(user=world.administrator, municipality=world.a, role=Role.WORKER)
    with pytest.raises(NotAWorker):
        do_create_citizen(world.a, "Mejse", actor=world.administrator, worker=User.objects.get(pk=world.administrator.pk))


def test_an_account_holding_both_roles_sees_no_case_content(client, world, login):
    # Defence in depth for accounts from before the rule: the access door refuses them.
    Membership.objects.create(user=world.administrator, municipality=world.a, role=Role.WORKER)
    world.citizen.worker = world.administrator
    world.citizen.save()
    login(world.administrator)
    assert client.get(reverse("citizens:detail", kwargs={"code": world.citizen.code})).status_code == 404
    assert client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).status_code == 404
    caseload = client.get(reverse("courses:caseload")).content.decode()
    assert "Solsikke" not in caseload


def test_the_system_check_names_accounts_holding_both_roles(world):
    from overgang.accounts.checks import administrators_with_case_roles

    assert administrators_with_case_roles(databases=["default"]) == []
    Membership.objects.create(user=world.administrator, municipality=world.b, role=Role.LEADER)
    warnings = administrators_with_case_roles(databases=["default"])
    assert [w.id for w in warnings] == ["overgang.W001"] and "'administrator'" in warnings[0].msg


def test_the_demo_administrator_holds_no_case_role():
    from overgang.accounts.demo import STAFF

    for _username, _first, _last, roles in STAFF:
        actions.check_duties(roles)
        assert not (Role.ADMIN in roles and len(roles) > 1)
