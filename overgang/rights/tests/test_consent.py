"""Consent to documentation and evaluation: recorded, withdrawn, audited; a withdrawn
citizen leaves reports and evaluator exports."""

import datetime

import pandas as pd
import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.rights import information
from overgang.rights.actions import ConsentError, do_record_consent, do_withdraw_consent
from overgang.rights.models import Consent, withdrawn_citizens

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _page(client, world):
    return client.get(reverse("rights:citizen", kwargs={"code": world.citizen.code}))


def test_the_worker_records_a_consent_with_the_information_version(client, world, login):
    login(world.worker)
    url = reverse("rights:consent_add", kwargs={"code": world.citizen.code})
    response = client.post(url, {"kind": "evaluation", "given_on": TODAY.isoformat(), "informed": "on"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.kind, consent.given_on, consent.recorded_by, consent.information_version) == (
        "evaluation", TODAY, world.worker, information.VERSION)
    event = AuditEvent.objects.get(action="consent.give")
    assert event.citizen_code == str(world.citizen.code) and event.actor_code == str(world.worker.code)
    assert event.details == {"kind": "evaluation", "information_version": information.VERSION,
                             "given_on": TODAY.isoformat()}
    html = _page(client, world).content.decode()
    assert "Brug i evaluering" in html and "Gælder" in html


def test_a_consent_needs_the_information_sheet_first(client, world, login):
    login(world.worker)
    url = reverse("rights:consent_add", kwargs={"code": world.citizen.code})
    response = client.post(url, {"kind": "documentation", "given_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "Giv borgeren informationsarket" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_leader_sees_consents_but_cannot_record_them(client, world, login):
    do_record_consent(world.citizen, "documentation", actor=world.worker, given_on=TODAY)
    login(world.leader)
    html = _page(client, world).content.decode()
    assert "Dokumentation af forløbet" in html and "Registrér samtykke" not in html
    url = reverse("rights:consent_add", kwargs={"code": world.citizen.code})
    assert client.post(url, {"kind": "evaluation", "given_on": TODAY.isoformat(), "informed": "on"}).status_code == 403
    assert Consent.objects.count() == 1


def test_the_worker_records_a_withdrawal(client, world, login):
    consent = do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=TODAY)
    login(world.worker)
    url = reverse("rights:consent_withdraw", kwargs={"code": consent.code})
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY and consent.withdrawn_recorded_by == world.worker
    assert AuditEvent.objects.get(action="consent.withdraw").details == {"kind": "evaluation",
                                                                          "withdrawn_on": TODAY.isoformat()}
    assert list(withdrawn_citizens().values_list("citizen_id", flat=True)) == [world.citizen.pk]


def test_a_stranger_cannot_withdraw_and_bad_dates_are_refused(client, world, login):
    consent = do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=TODAY)
    login(world.stranger)
    url = reverse("rights:consent_withdraw", kwargs={"code": consent.code})
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    with pytest.raises(ConsentError):
        do_withdraw_consent(consent, actor=world.worker, withdrawn_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ConsentError):
        do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=TODAY)  # already given
    with pytest.raises(ConsentError):
        do_record_consent(world.citizen, "documentation", actor=world.worker, given_on=TODAY + datetime.timedelta(1))


def test_a_new_consent_after_a_withdrawal_brings_the_citizen_back(world):
    first = do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=TODAY)
    do_withdraw_consent(first, actor=world.worker, withdrawn_on=TODAY)
    assert withdrawn_citizens().exists()
    do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=TODAY)
    assert not withdrawn_citizens().exists()
    assert Consent.objects.filter(citizen=world.citizen).count() == 2  # the history stays


@pytest.fixture
def cohort_world(world, tmp_path):
    from overgang.synthetic import package as cohort
    from overgang.exports.actions import do_import_package

    cohort.write_cohort(tmp_path / "cohort", courses=20, seed=5, municipalities=("Aby Kommune",),
                        worker_names={"Aby Kommune": ["worker"]})
    assert do_import_package(tmp_path / "cohort").ok
    return world


def _started_citizen(world):
    from overgang.courses.models import Course

    return Course.objects.filter(citizen__municipality=world.a).exclude(start_date=None).select_related(
        "citizen").order_by("pk").first().citizen


def test_a_withdrawn_citizen_leaves_the_report(cohort_world):
    from overgang.evaluation import report_json
    from overgang.evaluation.definitions import Definitions
    from overgang.evaluation.reports import Filters

    before = report_json.compute(Filters(), Definitions(), [cohort_world.a])
    citizen = _started_citizen(cohort_world)
    courses = citizen.courses.exclude(start_date=None).count()
    consent = do_record_consent(citizen, "evaluation", actor=citizen.worker, given_on=TODAY)
    do_withdraw_consent(consent, actor=citizen.worker, withdrawn_on=TODAY)
    after = report_json.compute(Filters(), Definitions(), [cohort_world.a])
    assert after["counts"]["citizens"] == before["counts"]["citizens"] - 1
    assert after["counts"]["courses_started"] == before["counts"]["courses_started"] - courses


def test_a_withdrawn_citizen_leaves_evaluator_exports(cohort_world, tmp_path):
    from overgang.exports.actions import EvaluatorExportOptions, do_evaluator_export

    def export(directory):
        options = EvaluatorExportOptions(municipalities=(cohort_world.a,), instruments=("star",), format="csv",
                                         purpose="Test")
        counts = do_evaluator_export(directory, options, actor=cohort_world.evaluator)
        return counts, pd.read_csv(directory / "courses.csv", dtype=str)

    before, courses_before = export(tmp_path / "before")
    citizen = _started_citizen(cohort_world)
    consent = do_record_consent(citizen, "documentation", actor=citizen.worker, given_on=TODAY)
    do_withdraw_consent(consent, actor=citizen.worker, withdrawn_on=TODAY)
    after, courses_after = export(tmp_path / "after")
    assert after["citizens"] == before["citizens"] - 1
    assert len(courses_after) == len(courses_before) - citizen.courses.exclude(start_date=None).count()


def test_the_citizen_page_links_to_the_rights_page(client, world, login):
    login(world.worker)
    html = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert reverse("rights:citizen", kwargs={"code": world.citizen.code}) in html
    testing.make_course(world.citizen)
