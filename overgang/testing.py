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


def log_in_browser(page, base_url, user):
    """Log in as a person does, in a real browser: the login form, then the TOTP code."""
    from django_otp.oath import totp

    device = totp_device(user)
    page.goto(f"{base_url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode fra din app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_load_state()


class _FakeRequest:
    META = {"HTTP_USER_AGENT": ""}


def make_record(citizen, instrument="star", *, answers=None, completed=False, filled_on=None, respondent=None,
                template=None):
    """A record of ``citizen`` with ``answers`` (item → Python value), through the actions,
    outside a course: of ``template`` (a name; default: the default template)."""
    import datetime

    from overgang.measurements import actions
    from overgang.programmes import registry
    from overgang.programmes.models import current_version

    if respondent is None:
        respondent = "citizen" if instrument == "star" else ""
    record = actions.do_start_record(
        citizen, instrument, actor=citizen.worker, filled_on=filled_on or datetime.date(2026, 3, 1), respondent=respondent,
        template=current_version(template or registry.DEFAULT),
    )
    if answers:
        actions.do_save_answers(record, answers, actor=citizen.worker, version=record.version)
        record.refresh_from_db()
    if completed:
        actions.do_complete_record(record, actor=citizen.worker, version=record.version)
        record.refresh_from_db()
    return record


STAR_ANSWERS = {
    "time_point": 1, "possible": 1, "goal": 1,
    "dim_motivation": 3, "dim_selfcare": 4, "dim_money": 2, "dim_network": 5, "dim_substance": 6,
    "dim_physical": 7, "dim_mental": 3, "dim_time": 4, "dim_housing": 8, "dim_offending": 9,
    "paid_last_month": 2, "considered": 2,
    "who5_1": 3, "who5_2": 2, "who5_3": 3, "who5_4": 2, "who5_5": 2,
}


def offer_templates(municipality, *names):
    """Let ``municipality`` offer exactly ``names`` (course templates), as its
    administrator would in Administration → Forløbsskabeloner."""
    from overgang.programmes import actions, registry

    for name in names:
        actions.do_change_template_offer(municipality, name, actor=None, offered=True)
    for name in registry.all_templates():
        if name not in names:
            actions.do_change_template_offer(municipality, name, actor=None, offered=False)


def make_course(citizen, *, start=None, first_contact=None, started=True, template=None):
    """A contact period (and, with ``started``, a running course) for ``citizen``, of
    ``template`` (a name; default: the one template the municipality offers)."""
    import datetime

    from overgang.courses import actions

    first_contact = first_contact or datetime.date(2026, 1, 5)
    course = actions.do_register_first_contact(
        citizen, actor=citizen.worker, first_contact_on=first_contact, contact_route=1, third_party=False,
        template=template,
    )
    if started:
        actions.do_start_course(course, actor=citizen.worker, start_date=start or datetime.date(2026, 1, 15))
    course.refresh_from_db()
    return course
