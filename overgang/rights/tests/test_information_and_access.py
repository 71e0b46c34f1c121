"""The information sheet (Danish and English, printable) and the subject-access PDF."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.actions import record_citizen_read
from overgang.rights import information
from overgang.rights.actions import do_change_retention, do_record_consent

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_information_sheet_says_what_who_how_long_and_the_rights(client, world, login):
    do_change_retention(world.a, actor=world.administrator, years=7)
    login(world.worker)
    url = reverse("rights:information", kwargs={"code": world.citizen.code})
    html = client.get(url).content.decode()
    for words in ("Det skriver vi ned", "Det kan de se", "Så længe gemmer vi det", "Dine rettigheder",
                  "slettes 7 år efter", "Aldrig dit CPR-nummer", "Datatilsynet", information.VERSION):
        assert words in html, words
    assert "De andre medarbejdere på teamet" not in html  # no team visibility in Aby
    assert AuditEvent.objects.filter(action="citizen.read", details__view="information").exists()


def test_the_information_sheet_in_english_and_with_team_visibility(client, world, login):
    world.a.team_visibility = True
    world.a.save()
    login(world.worker)
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("rights:information", kwargs={"code": world.citizen.code})).content.decode()
    for words in ("About your information in Overgang", "What we write down", "Who can see it",
                  "deleted 5 years after", "Your rights", "The other workers on the team"):
        assert words in html, words


@pytest.mark.parametrize("language,words", [("da", "Om dine oplysninger i Overgang"),
                                            ("en", "About your information in Overgang")])
def test_the_information_sheet_prints_as_pdf(client, world, login, language, words):
    login(world.leader)
    url = reverse("rights:information", kwargs={"code": world.citizen.code}) + f"?format=pdf&lang={language}"
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert words in text and "Aby Kommune" in text and "Solsikke" not in text


@pytest.fixture
def full_case(world):
    """A citizen with something of everything, encrypted text included."""
    from overgang.courses import actions as courses

    citizen = world.citizen
    citizen.set_identity_note("Mødes ved banegården")
    citizen.save()
    course = testing.make_course(citizen)
    courses.do_log_contact(course, actor=world.worker, date=datetime.date(2026, 2, 1), form="meeting", minutes=45,
                           note="Talte om boligen")
    focus = courses.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen lejlighed",
                                      citizen_took_part=True)
    courses.do_add_activity(focus, actor=world.worker, what="Skrive op til bolig", actor_kind="housing", due_date=None)
    courses.do_add_network_member(course, actor=world.worker, role="ngo", name="Reden", contact="33 33 33 33",
                                  takes_over="Fast kontakt")
    testing.make_record(citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    do_record_consent(citizen, "evaluation", actor=world.worker, given_on=datetime.date(2026, 1, 5))
    record_citizen_read(citizen, actor=world.leader, what="overview")
    return citizen


def test_the_responsible_worker_downloads_everything_held_about_the_citizen(client, world, login, full_case):
    login(world.worker)
    response = client.get(reverse("rights:subject_access", kwargs={"code": full_case.code}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for words in ("Solsikke", "Mødes ved banegården", "Talte om boligen", "Egen lejlighed", "Skrive op til bolig",
                  "Reden", "33 33 33 33", "Fast kontakt", "Brug i evaluering", "Outcomes Star",
                  "Administration af økonomi", "Leader", "så borgerens oplysninger (overblik)"):
        assert words in text, words
    event = AuditEvent.objects.get(action="citizen.subject_access")
    assert event.actor_code == str(world.worker.code) and event.citizen_code == str(full_case.code)


def test_the_leader_may_not_download_it(client, world, login, full_case):
    login(world.leader)
    assert client.get(reverse("rights:subject_access", kwargs={"code": full_case.code})).status_code == 403
    assert not AuditEvent.objects.filter(action="citizen.subject_access").exists()


def test_the_command_writes_the_report_in_english(world, full_case, tmp_path):
    target = tmp_path / "access.pdf"
    call_command("subject-access", str(full_case.code), "--output", str(target), "--lang", "en", stdout=io.StringIO())
    text = _text(target.read_bytes())
    assert "Subject access: everything Overgang holds about the citizen" in text
    assert "Mødes ved banegården" in text and "viewed the citizen's data" in text
    event = AuditEvent.objects.get(action="citizen.subject_access")
    assert event.actor_username == "overgang subject-access" and event.details == {"language": "en"}


def test_the_command_refuses_an_unknown_citizen(world, tmp_path):
    with pytest.raises(CommandError, match="No citizen"):
        call_command("subject-access", "00000000-0000-0000-0000-000000000000", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Not a citizen code"):
        call_command("subject-access", "Solsikke", "--output", str(tmp_path / "x.pdf"))


def test_the_log_names_actions_in_both_languages(world, full_case):
    from overgang.rights import subject_access

    for language, words in (("da", "så borgerens oplysninger"), ("en", "viewed the citizen's data")):
        with translation.override(language):
            log = subject_access.context(full_case)["log"]
        assert any(row["what"] == words for row in log)


def _rows_split_across_pages(document):
    """The table rows that a page break cuts in two: the text of each, with its pages (a
    table's head row is repeated on every page it runs over, and is left out)."""
    from weasyprint.formatting_structure.boxes import TableRowGroupBox

    pages_of, rows = {}, {}
    for number, page in enumerate(document.pages):
        for group in page._page_box.descendants():
            if isinstance(group, TableRowGroupBox) and not group.is_header:
                for row in group.children:
                    pages_of.setdefault(id(row.element), set()).add(number)
                    rows[id(row.element)] = row.element
    return [(" ".join(rows[key].itertext())[:80], sorted(pages)) for key, pages in pages_of.items() if len(pages) > 1]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_subject_access_report_never_splits_a_question_from_its_answer(demo, language):
    # The demo's Havørn: a year of forms over some thirty pages. A row cut by a page break
    # put an answer at the foot of one page and its question at the top of the next.
    from overgang.citizens.models import Citizen
    from overgang.rights import subject_access

    document = subject_access.render_document(Citizen.objects.get(pseudonym="Havørn"), language)
    assert len(document.pages) > 10
    assert _rows_split_across_pages(document) == []
