"""E-mail digests of what is due (issue 12, item 4).

Each worker with something on "Min uge" gets a digest at the frequency chosen on "Min
konto" (daily, weekly, never); a leader who asked for it also gets the team's. A digest
holds counts and links only, never a pseudonym or any case content, so a mailbox
reveals nothing. Sending writes a ``Digest`` row (unique per recipient, day and kind)
and its audit event in the same transaction as the SMTP hand-off: a failed send rolls
both back (it is tried again on the next run), and a second run the same day finds the
row and sends nothing. "Weekly" is the first run in a calendar week that finds
something due.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from overgang.accounts.models import ReminderFrequency, Role, User
from overgang.audit.log import record as audit
from overgang.citizens.models import Citizen
from overgang.courses import week
from overgang.reminders.models import Digest


class NoBaseUrl(Exception):
    """OVERGANG_BASE_URL is not set, so the mails' links cannot be written."""


@dataclass
class Planned:
    recipient: User
    kind: str
    counts: dict
    municipality: object
    per_worker: list = field(default_factory=list)  # team digests: (name, all, late)

    @property
    def total(self):
        return sum(c["all"] for c in self.counts.values())


def _already_sent(user, kind, today):
    if user.reminder_frequency == ReminderFrequency.DAILY:
        since = today
    else:
        since = today - dt.timedelta(days=today.weekday())  # Monday of this week
    return Digest.objects.filter(recipient=user, kind=kind, day__gte=since, day__lte=today).exists()


def plan(today) -> tuple[list[Planned], list[User]]:
    """The digests due today, and the users who would get one but have no e-mail address."""
    planned, without_address = [], []
    users = User.objects.filter(is_active=True).exclude(reminder_frequency=ReminderFrequency.NEVER).order_by("username")
    for user in users:
        if user.has_role(Role.WORKER) and not _already_sent(user, Digest.Kind.WORKER, today):
            found = week.items(Citizen.objects.in_caseload_of(user), today)
            if found:
                planned.append(Planned(user, Digest.Kind.WORKER, week.counts(found),
                                       user.municipalities_as(Role.WORKER)[0]))
        led = user.municipalities_as(Role.LEADER)
        if led and user.reminder_team and not _already_sent(user, Digest.Kind.TEAM, today):
            found = week.items(Citizen.objects.in_municipalities(led), today)
            if found:
                planned.append(Planned(user, Digest.Kind.TEAM, week.counts(found), led[0], _per_worker(found)))
    ready = []
    for item in planned:
        (ready if item.recipient.email else without_address).append(item)
    return ready, sorted({item.recipient for item in without_address}, key=lambda u: u.username)


def _per_worker(found):
    rows = {}
    for item in found:
        name = str(item.citizen.worker) if item.citizen.worker else "–"
        counts = rows.setdefault(name, [0, 0])
        counts[0] += 1
        counts[1] += item.late
    return [(name, total, late) for name, (total, late) in sorted(rows.items())]


def _url(name):
    if not settings.OVERGANG_BASE_URL:
        raise NoBaseUrl
    return settings.OVERGANG_BASE_URL + reverse(name)


def message(item: Planned, today) -> EmailMessage:
    """The e-mail, in the recipient's chosen language."""
    user = item.recipient
    with translation.override(user.reminder_language):
        context = {
            "user": user, "item": item, "today": today, "kinds": [(k, item.counts[k]) for k in week.KINDS if k in item.counts],
            "week_url": _url("courses:week"), "account_url": _url("accounts:account"),
        }
        subject = render_to_string("reminders/subject.txt", context).strip()
        body = render_to_string("reminders/digest.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send(item: Planned, today, *, connection=None) -> bool:
    """Send one digest; False if it was already sent (another run got there first)."""
    mail = message(item, today)
    if connection is not None:
        mail.connection = connection
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(recipient=item.recipient, day=today, kind=item.kind, counts=item.counts)
        except IntegrityError:
            return False
        audit("reminder.digest", actor=None, obj=digest, municipality=item.municipality, details={
            "recipient": str(item.recipient.code), "kind": item.kind, "counts": item.counts,
        })
        # Inside the transaction: if the server refuses, the row and the event go too.
        mail.send(fail_silently=False)
    return True
