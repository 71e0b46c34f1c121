"""E-mail reminders: `overgang reminders send` (issue 12, item 4)."""

import datetime as dt
import email
import email.policy
import io
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.reminders.models import Digest

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)


@pytest.fixture
def due(world):
    """On MONDAY the worker's citizen Solsikke has an activity a week late ("Ring til SKAT")
    and the three start registrations overdue (the course began 20 days before)."""
    world.worker.email = "worker@kommune.example"
    world.worker.save()
    course = testing.make_course(world.citizen, start=MONDAY - dt.timedelta(days=20),
                                 first_contact=MONDAY - dt.timedelta(days=25))
    actions.do_log_contact(course, actor=world.worker, date=MONDAY - dt.timedelta(days=1), form="meeting")
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="economy", goal="Styr på gælden",
                                      citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Ring til SKAT", actor_kind="other",
                            due_date=MONDAY - dt.timedelta(days=7))
    return world


def _send(day, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("reminders", "send", "--date", day.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _assert_reveals_nothing(text):
    for secret in ("Solsikke", "Havørn", "Ring til SKAT", "Styr på gælden", "Økonomi", "SKAT"):
        assert secret not in text, secret


def test_it_sends_counts_and_links_only_and_never_twice_a_day(due, settings):
    settings.OVERGANG_BASE_URL = "https://overgang.kommune.example"
    out, _err = _send(MONDAY)
    assert "1 digest(s) sent" in out
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["worker@kommune.example"]
    assert message.subject == "Overgang: det venter på dig"
    assert "1 aktivitet har frist inden for en uge eller har overskredet den (alle over tiden)" in message.body
    assert "https://overgang.kommune.example/min-uge/" in message.body
    assert "https://overgang.kommune.example/konto/" in message.body
    _assert_reveals_nothing(message.subject + message.body)
    digest = Digest.objects.get()
    assert (digest.recipient, digest.day, digest.kind) == (due.worker, MONDAY, "worker")
    event = AuditEvent.objects.get(action="reminder.digest")
    assert event.details == {"recipient": str(due.worker.code), "kind": "worker",
                             "counts": {"registration": {"all": 3, "late": 3}, "activity": {"all": 1, "late": 1}}}
    assert "3 registreringer kan udfyldes nu eller er forsinkede (alle over tiden)" in message.body
    assert event.object_code == str(digest.code)
    # The same day again: nothing.
    out, _err = _send(MONDAY)
    assert "0 digest(s) sent" in out and len(mail.outbox) == 1


def test_daily_and_weekly_and_never(due):
    _send(MONDAY)
    _send(MONDAY + dt.timedelta(days=2))
    assert len(mail.outbox) == 1  # weekly (the default): once in the week
    _send(MONDAY + dt.timedelta(days=7))
    assert len(mail.outbox) == 2  # the next week
    due.worker.reminder_frequency = "daily"
    due.worker.save()
    _send(MONDAY + dt.timedelta(days=8))
    _send(MONDAY + dt.timedelta(days=9))
    assert len(mail.outbox) == 4
    due.worker.reminder_frequency = "never"
    due.worker.save()
    _send(MONDAY + dt.timedelta(days=10))
    assert len(mail.outbox) == 4


def test_nothing_due_means_no_mail_and_no_address_is_reported(world, due):
    due.citizen.worker = due.teammate  # nothing left on the worker's caseload
    due.citizen.save()
    out, err = _send(MONDAY)
    assert "0 digest(s) sent" in out and not mail.outbox
    assert "teammate: ingen e-mailadresse / no e-mail address" in err
    assert "1 user(s) without an e-mail address" in out


def test_the_mail_comes_in_the_chosen_language(due):
    due.worker.reminder_language = "en"
    due.worker.save()
    _send(MONDAY)
    message = mail.outbox[0]
    assert message.subject == "Overgang: things are waiting for you"
    assert "1 activity is due within a week or is past its deadline (all of them late)" in message.body, message.body
    assert "(2.11.2026)" in message.body  # day first in both languages
    _assert_reveals_nothing(message.body)


def test_the_leader_can_get_the_teams_digest(due):
    due.leader.email = "leder@kommune.example"
    due.leader.save()
    _send(MONDAY)
    assert [m.to for m in mail.outbox] == [["worker@kommune.example"]]  # the team digest is asked for
    due.leader.reminder_team = True
    due.leader.save()
    _send(MONDAY)
    team = next(m for m in mail.outbox if m.to == ["leder@kommune.example"])
    assert team.subject == "Overgang: teamets oversigt"
    assert "- Worker: 4, 4" in team.body and "/min-uge/" in team.body
    _assert_reveals_nothing(team.body)
    assert Digest.objects.get(recipient=due.leader).kind == "team"


def test_a_dry_run_prints_and_sends_nothing(due):
    out, _err = _send(MONDAY, "--dry-run")
    assert "To: worker@kommune.example" in out and "1 aktivitet har frist" in out
    assert "1 digest(s) would send" in out
    assert not mail.outbox and not Digest.objects.exists()
    assert not AuditEvent.objects.filter(action="reminder.digest").exists()


def test_without_a_base_url_it_refuses(due, settings):
    settings.OVERGANG_BASE_URL = ""
    with pytest.raises(CommandError, match="OVERGANG_BASE_URL"):
        _send(MONDAY)
    assert not Digest.objects.exists()


def test_a_bad_date_is_a_clear_error(due):
    with pytest.raises(CommandError, match="invalid date"):
        call_command("reminders", "send", "--date", "2026-13-01")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_sends_through_a_real_smtp_server(due, settings):
    """A real SMTP conversation with aiosmtpd, started here on a free port."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8")))
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.DEFAULT_FROM_EMAIL = "overgang@kommune.example"
        out, _err = _send(MONDAY)
    finally:
        controller.stop()
    assert "1 digest(s) sent" in out
    (sender, recipients, content), = received
    assert sender == "overgang@kommune.example" and recipients == ["worker@kommune.example"]
    parsed = email.message_from_string(content, policy=email.policy.default)
    assert parsed["Subject"] == "Overgang: det venter på dig"
    content = parsed.get_content()
    assert "/min-uge/" in content
    _assert_reveals_nothing(content)
    assert Digest.objects.count() == 1


def test_a_refused_send_is_rolled_back_and_tried_again(due, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with pytest.raises(CommandError, match="tried again"):
        _send(MONDAY)
    assert not Digest.objects.exists()
    assert not AuditEvent.objects.filter(action="reminder.digest").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _send(MONDAY)
    assert len(mail.outbox) == 1 and Digest.objects.count() == 1


def test_the_worker_chooses_on_my_account(due, login, client):
    login(due.worker)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Påmindelser på e-mail" in page and "worker@kommune.example" in page
    assert "teamets oversigt" not in page  # only leaders choose the team's digest
    response = client.post(reverse("accounts:account"), {"reminders": "1", "reminder_frequency": "daily",
                                                         "reminder_language": "en"})
    assert response.status_code == 302
    due.worker.refresh_from_db()
    assert (due.worker.reminder_frequency, due.worker.reminder_language) == ("daily", "en")
    event = AuditEvent.objects.get(action="user.reminders_change")
    assert event.details == {"changed": {"reminder_frequency": ["weekly", "daily"], "reminder_language": ["da", "en"]}}
    response = client.post(reverse("accounts:account"), {"reminders": "1", "reminder_frequency": "hourly",
                                                         "reminder_language": "da"})
    assert response.status_code == 400
    login(due.leader)
    assert "Send mig også teamets oversigt" in client.get(reverse("accounts:account")).content.decode()
