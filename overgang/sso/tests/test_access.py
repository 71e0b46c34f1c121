"""The access matrix with single sign-on on, every persona created by a real SAML login."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from overgang import testing
from overgang.accounts.models import Municipality, User
from overgang.citizens.models import Citizen
from overgang.sso.tests.conftest import saml_login
from overgang.sso.testidp import person
from overgang.tests import test_access_matrix as matrix

pytestmark = pytest.mark.django_db

# Persona → (organisation CVR, asserted system role), as the role catalogue would grant them.
PERSONAS = {
    "worker": ("11111111", "cti-medarbejder"),
    "teammate": ("11111111", "cti-medarbejder"),
    "leader": ("11111111", "projektleder"),
    "evaluator": ("11111111", "evaluator"),
    "administrator": ("11111111", "administrator"),
    "stranger": ("22222222", "cti-medarbejder"),
    "foreign_admin": ("22222222", "administrator"),
}

# With SAML on, its own pages exist (OpenID Connect stays off: 404).
SSO_ROWS = {
    "sso:saml_metadata": matrix.same(200),
    "sso:saml_login": matrix.same(302),  # to the IdP, or on to the start page when logged in
    "sso:saml_acs": matrix.same(405),  # the IdP posts; a GET is not allowed
    "sso:saml_ls": matrix.same(400),  # neither a LogoutRequest nor a LogoutResponse
    "sso:saml_ls_post": matrix.same(400),
    "sso:saml_logout": matrix.same(302),
}


def _sso_world(idp):
    a = Municipality.objects.create(name="Aby Kommune")
    b = Municipality.objects.create(name="Bby Kommune")
    clients = {}
    for name, (cvr, role) in PERSONAS.items():
        client = Client()
        response = saml_login(
            client, idp, person(cvr=cvr, roles=(role,), email=f"{name}@kommune.dk"), subject=f"persistent-{name}"
        )
        assert response.status_code == 302, (name, response.content.decode()[:300])
        clients[name] = client
    users = {name: User.objects.get(external_identity__subject=f"persistent-{name}") for name in PERSONAS}
    world = testing.World(
        a=a,
        b=b,
        citizen=Citizen.objects.create(municipality=a, pseudonym="Solsikke", worker=users["worker"]),
        foreign_citizen=Citizen.objects.create(municipality=b, pseudonym="Havørn", worker=users["stranger"]),
        **users,
    )
    return world, clients


def test_it_passes_the_access_matrix_for_sso_created_users(idp):
    world, clients = _sso_world(idp)
    clients[matrix.ANON] = Client()
    failures = []
    for name, rows in matrix.MATRIX.items():
        for variant, kwargs_fn, expected in rows:
            expected = SSO_ROWS.get(name, expected)
            # Each row's objects are made and thrown away again, as in a test of its own.
            with transaction.atomic():
                url = reverse(name, kwargs=kwargs_fn(world))
                for persona in matrix.EVERYONE:
                    status = clients[persona].get(url).status_code
                    if status != expected[persona]:
                        failures.append(f"{name} [{variant}] as {persona}: got {status}, expected {expected[persona]}")
                transaction.set_rollback(True)
    assert not failures, "\n".join(failures)
    assert set(SSO_ROWS) <= set(matrix.MATRIX)
