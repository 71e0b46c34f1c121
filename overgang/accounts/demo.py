"""Fictional demo data: one municipality, its staff and citizens. Safe to run again."""

import functools
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from overgang.accounts import actions
from overgang.accounts.models import Municipality, Role, User

DEMO_MUNICIPALITY = "Demokommune"
DEMO_PASSWORD = "overgang-demo"

STAFF = [
    # username, first name, last name, roles
    ("leder", "Lise", "Leder", [Role.LEADER]),
    ("anna", "Anna", "Andersen", [Role.WORKER]),
    ("bo", "Bo", "Berg", [Role.WORKER]),
    ("carla", "Carla", "Christensen", [Role.WORKER]),
    ("evaluator", "Erik", "Evaluator", [Role.EVALUATOR]),
    ("admin", "Ada", "Administrator", [Role.ADMIN]),
]

# Carla works half time on CTI courses: the fidelity view shows her cap as half the team's.
WORKING_TIME = {"carla": Decimal("0.5")}

CITIZENS = {
    "anna": ["Solsikke", "Havørn", "Måge", "Lærke", "Hyld", "Pil"],
    "bo": ["Birk", "Ræv", "Ask", "Mejse", "Tjørn", "Egern"],
    "carla": ["Stjerne", "Bølge", "Æble", "Odder", "Lind", "Kastanje", "Vibe"],
}
# The first ten are Exit prostitution courses, the rest Homelessness → own home
# (overgang.courses.demo).


@functools.cache
def _demo_password_hash():
    """DEMO_PASSWORD hashed once per process: argon2id costs 0.16 s a time on purpose, and
    the demo's six logins share the password the README publishes (the browser tests seed
    the demo again and again)."""
    return make_password(DEMO_PASSWORD)


@transaction.atomic
def seed():
    """Create what is missing; never duplicates or overwrites. Returns the staff logins."""
    from overgang.citizens.actions import do_create_citizen
    from overgang.citizens.models import Citizen

    municipality = Municipality.objects.filter(name=DEMO_MUNICIPALITY).first()
    if municipality is None:
        municipality = actions.do_create_municipality(DEMO_MUNICIPALITY, actor=None)
    users = {}
    for username, first, last, roles in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = actions.do_create_user(municipality, username, actor=None, roles=roles,
                                          password_hash=_demo_password_hash(), first_name=first, last_name=last)
            if username in WORKING_TIME:
                actions.do_set_working_time(user.memberships.get(role=Role.WORKER), WORKING_TIME[username], actor=None)
        users[username] = user
    for username, pseudonyms in CITIZENS.items():
        for pseudonym in pseudonyms:
            if not Citizen.objects.filter(municipality=municipality, pseudonym__iexact=pseudonym).exists():
                do_create_citizen(municipality, pseudonym, actor=None, worker=users[username])
    return [(username, roles) for username, _first, _last, roles in STAFF]
