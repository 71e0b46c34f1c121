"""Named personas for tests, built by hand (healthchecks' hc/test.py).

Municipality A holds the worker, a teammate, the leader, the administrator and the
evaluator's grant; municipality B holds the stranger (a worker) and a foreign
administrator. The worker has one citizen in A, the stranger one in B.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from overgang.accounts.models import Membership, Municipality, Role, User
from overgang.citizens.models import Citizen

PASSWORD = "correct horse battery staple"
PERSONAS = ("worker", "teammate", "leader", "evaluator", "administrator", "stranger", "foreign_admin")


@dataclass
class World:
    a: Municipality
    b: Municipality
    worker: User
    teammate: User
    leader: User
    evaluator: User
    administrator: User
    stranger: User
    foreign_admin: User
    citizen: Citizen
    foreign_citizen: Citizen

    def persona(self, name) -> User:
        return getattr(self, name)


@lru_cache(maxsize=4)
def _hashed(password):
    # argon2id is slow on purpose; hash each test password once per process.
    return make_password(password)


def make_user(username, municipality, *roles, password=PASSWORD):
    user = User.objects.create(username=username, password=_hashed(password), first_name=username.title())
    for role in roles:
        Membership.objects.create(user=user, municipality=municipality, role=role)
    return user


def make_world(password=PASSWORD) -> World:
    a = Municipality.objects.create(name="Aby Kommune")
    b = Municipality.objects.create(name="Bby Kommune")
    worker = make_user("worker", a, Role.WORKER, password=password)
    stranger = make_user("stranger", b, Role.WORKER, password=password)
    world = World(
        a=a,
        b=b,
        worker=worker,
        teammate=make_user("teammate", a, Role.WORKER, password=password),
        leader=make_user("leader", a, Role.LEADER, password=password),
        evaluator=make_user("evaluator", a, Role.EVALUATOR, password=password),
        administrator=make_user("administrator", a, Role.ADMIN, password=password),
        stranger=stranger,
        foreign_admin=make_user("foreign_admin", b, Role.ADMIN, password=password),
        citizen=Citizen.objects.create(municipality=a, pseudonym="Solsikke", worker=worker),
        foreign_citizen=Citizen.objects.create(municipality=b, pseudonym="Havørn", worker=stranger),
    )
    return world


def totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login(client, user):
    """Log in as after password and TOTP: a verified session bound to the test client's agent."""
    import time

    from overgang.accounts.auth import user_agent_hash

    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["last_seen"] = time.time()
    session["epoch"] = User.objects.get(pk=user.pk).session_epoch
    session["ua"] = user_agent_hash(_FakeRequest())
    session.save()
    return client


class _FakeRequest:
    META = {"HTTP_USER_AGENT": ""}
