"""Named personas for tests, built by hand (healthchecks' hc/test.py).

Municipality A holds the worker, a teammate, the leader, the administrator and the
evaluator's grant; municipality B holds the stranger (a worker) and a foreign
administrator. The worker has one citizen in A, the stranger one in B.
"""

import contextlib
import os
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connections, transaction
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


# ---------------------------------------------------------------- browser walks

def open_details(page, summary):
    """Open the ``<details>`` whose summary says ``summary`` (a citizen page's actions)."""
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details


_FIRST_UNANSWERED = """() => {
    for (const fieldset of document.querySelectorAll("form.record-page fieldset")) {
        const inputs = fieldset.querySelectorAll("input[type=radio], input[type=checkbox]");
        if (inputs.length && ![...inputs].some((input) => input.checked)) return inputs[0].id;
    }
    return null;
}"""


# fill_whole_form's view of a page: the overview's button or link, else the first
# unanswered choice (as first_unanswered), and the empty text and date fields.
_FORM_STATE = """() => {
    const named = (selector, name) => [...document.querySelectorAll(selector)].some(
        (element) => element.textContent.trim() === name);
    const state = {done: named("button", "Afslut skemaet"), more: named("a", "Fortsæt udfyldningen"),
                   choice: (%s)(), texts: [], days: []};
    for (const input of document.querySelectorAll("form.record-page input[type=text]")) {
        if (input.value) continue;
        if (!input.id) throw new Error(`a field without an id: ${input.name}`);
        (input.classList.contains("day") ? state.days : state.texts).push(input.id);
    }
    return state;
}""" % _FIRST_UNANSWERED


def first_unanswered(page):
    """The first option of the first unanswered choice on a record page, or None."""
    # One snapshot of the page in the browser: htmx may swap the fields at any moment.
    element_id = page.evaluate(_FIRST_UNANSWERED)
    return page.locator(f"#{element_id}") if element_id else None


def wait_for_saves(page):
    """Until the record page's autosaves have come back: htmx marks the form
    ``htmx-request`` while one is under way (the page's only requests after it loaded;
    Playwright's "networkidle" is reached once per page and then never waits again)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def fill_whole_form(page, today, look=None):
    """Answer every shown question of a record (first option, 1, ``today``) page by page,
    to the overview; ``look()``, if given, reads each page once it is answered.

    Answers can open new questions (htmx re-renders the fields), so each page is scanned
    again after every answer. Each page change is waited for as the page's load, not as
    half a second without requests ("networkidle").
    """
    for _ in range(400):
        page.wait_for_load_state()  # htmx (deferred) listens before an answer it must send
        # Where the walk stands, read in one snapshot of the page (four questions to the
        # browser per answer were a fifth of a long walk).
        state = page.evaluate(_FORM_STATE)
        if state["done"]:
            return
        if state["more"]:
            # The overview lists what is still missing and leads back to it.
            with page.expect_navigation():
                page.get_by_role("link", name="Fortsæt udfyldningen").click()
            continue
        if state["choice"] is not None:
            page.locator(f"#{state['choice']}").check()
            wait_for_saves(page)
            continue
        for element_id in state["texts"]:
            page.locator(f"#{element_id}").fill("1")
        for element_id in state["days"]:
            page.locator(f"#{element_id}").fill(today.isoformat())
        # A filled field is saved when it loses focus (htmx swaps the fields): let that
        # happen before the button is clicked.
        page.locator("body").click(position={"x": 1, "y": 1})
        wait_for_saves(page)
        if look is not None:
            look()
        form = page.locator("form.record-page")
        button = form.get_by_role("button", name="Gennemse og afslut")
        with page.expect_navigation():
            (button if button.count() else form.get_by_role("button", name="Næste")).click()
    raise AssertionError("the form never reached its overview")


class Snapshot:
    """Every row of the test database, copied aside once and put back for each test that
    asks for it: the demo, seeded through the application's actions (about 3,800
    queries, 12–16 s a time on a slow two-core machine), is seeded once per test run
    instead of once per browser test.

    ``take()`` copies each table the test run's flush empties, outside the test database:
    on PostgreSQL as ``COPY … TO STDOUT`` text in memory, on SQLite into a database file
    of its own, attached for the copy. Nothing is added to the test database (a test that
    lists its tables or dumps it sees what it saw before). ``restore()`` empties the
    tables as the flush does and copies the rows back in one transaction, so the database
    is exactly as it was when the snapshot was taken: the same ids, the same audit chain,
    the same data stamps (the triggers that count changes fire as the rows go back; the
    snapshot's counts then replace theirs), the same key references (the key store is
    not emptied between tests). The id sequences are set past the restored rows.

    Not ``lib/backup.py``'s ``snapshot``/``load``: they copy the whole database, schema
    included (``pg_restore --clean`` drops and creates every table, seconds a time, under
    the live server's connections); only the rows change between tests.
    """

    AFTER = ("evaluation_datastamp",)  # written by triggers while the others go back: copied last

    def __init__(self, path, using="default"):
        self.path = str(path)  # SQLite: the snapshot's own database file
        self.using = using
        self.tables = None
        self.copies = {}  # PostgreSQL: table → its rows in COPY's text format

    @property
    def connection(self):
        return connections[self.using]

    def _tables(self):
        tables = sorted(self.connection.introspection.django_table_names(only_existing=True, include_views=False))
        return [t for t in tables if t not in self.AFTER] + [t for t in self.AFTER if t in tables]

    @contextlib.contextmanager
    def _attached(self):
        """SQLite: the snapshot's file attached to the connection as ``snapshot``."""
        with self.connection.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS snapshot", [self.path])
            try:
                yield
            finally:
                cursor.execute("DETACH DATABASE snapshot")

    def take(self):
        connection, quote = self.connection, self.connection.ops.quote_name
        self.tables = self._tables()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in self.tables:
                    with cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                        self.copies[table] = b"".join(bytes(block) for block in copy)
            return
        if os.path.exists(self.path):
            os.remove(self.path)
        with self._attached(), connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"CREATE TABLE snapshot.{quote(table)} AS SELECT * FROM main.{quote(table)}")

    def restore(self):
        assert self.tables is not None, "restore() before take()"
        connection, quote = self.connection, self.connection.ops.quote_name
        postgresql = connection.vendor == "postgresql"
        with (contextlib.nullcontext() if postgresql else self._attached()), \
                transaction.atomic(using=self.using), connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), self.tables, allow_cascade=False):
                cursor.execute(sql)
            for table in self.tables:
                if table in self.AFTER:
                    cursor.execute(f"DELETE FROM {quote(table)}")
                if postgresql:
                    with cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                        copy.write(self.copies[table])
                else:
                    cursor.execute(f"INSERT INTO main.{quote(table)} SELECT * FROM snapshot.{quote(table)}")
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)
        # The content types' ids are the snapshot's now, not the ones Django remembers.
        ContentType.objects.clear_cache()
