"""Kept reports (kept.py): computed once per change of the data they read, on both databases.

Every change below is made the way no action makes it — an UPDATE through the ORM, raw
SQL, the generator's bulk writes — to show that the database's triggers notice it, not
the application's actions."""

import datetime as dt
import zlib

import pytest
from django.db import connection
from django.urls import reverse

from overgang.accounts.models import Membership, Role
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.evaluation import kept, report_json
from overgang.evaluation.models import DataStamp, KeptReport
from overgang.measurements.models import Record
from overgang.rights.actions import do_record_consent, do_withdraw_consent
from overgang.rights.models import Consent
from overgang.synthetic import database, lives

from . import cohorts

D = cohorts.D
COMPUTE = report_json.compute  # the real one, for comparisons that must not count


@pytest.fixture
def computations(monkeypatch):
    """How many times the report was computed (the real computation, counted)."""
    calls = []
    def counted(*args, **kwargs):
        calls.append(args)
        return COMPUTE(*args, **kwargs)

    monkeypatch.setattr(report_json, "compute", counted)
    return calls


@pytest.fixture
def setting(world, client, login):
    """The report page of municipality A, viewed by its leader (``as_evaluator()`` to see
    exact numbers: no suppressed document to lay out, so the tests of changes run fast)."""
    cohorts.main_cohort(world)
    login(world.leader)

    def view(**query):
        response = client.get(reverse("evaluation:report"), query)
        assert response.status_code == 200
        return response

    view.as_evaluator = lambda: login(world.evaluator)
    return view


def _fresh(world):
    """The report computed now, without anything kept, for comparison."""
    from overgang.evaluation.definitions import Definitions
    from overgang.evaluation.reports import Filters

    return COMPUTE(Filters(municipalities=(world.a.name,)), Definitions(), [world.a])


def _same(a, b):
    strip = lambda r: {k: v for k, v in r.items() if k not in ("meta", "generated_at")}  # noqa: E731
    return report_json.dumps(strip(a)) == report_json.dumps(strip(b))


def test_a_second_view_gives_the_kept_report_without_computing_it(setting, world, computations):
    first = setting()
    second = setting()
    assert len(computations) == 1
    assert second.context["report"] == first.context["report"] or _same(second.context["report"],
                                                                        first.context["report"])
    assert _same(second.context["report"], _fresh(world))
    # Shown the same way, and still audited as a view each time.
    assert second.content.decode().count("&lt;5") == first.content.decode().count("&lt;5") > 0
    assert AuditEvent.objects.filter(action="report.view").count() == 2


def _citizen(world):
    return Citizen.objects.get(municipality=world.a, pseudonym="Eg")


def _new_star(world):
    cohorts.star(Course.objects.get(citizen=_citizen(world)), D(2026, 6, 2), tp=1, who5=4, dims=5)


def _draft_completed(world):
    draft = cohorts.record(_citizen(world), "star", D(2026, 6, 3), {"possible": 1, "time_point": 1},
                           of=Course.objects.get(citizen=_citizen(world)), status="draft")
    Record.objects.filter(pk=draft.pk).update(status="completed")


def _answer_corrected(world):
    star = Record.objects.filter(citizen=_citizen(world), instrument="star").order_by("pk").first()
    assert star.plain_answers["who5_1"] == "3"
    Record.objects.filter(pk=star.pk).update(plain_answers={**star.plain_answers, "who5_1": "5"})


def _record_deleted(world):
    Record.objects.filter(citizen=_citizen(world), instrument="star").order_by("pk").first().delete()


def _course_ended(world):
    Course.objects.filter(citizen=_citizen(world)).update(status="ended", end_date=D(2026, 11, 1))


def _pause_added(world):
    cohorts.pause(Course.objects.get(citizen=_citizen(world)), D(2026, 9, 1), D(2026, 9, 20))


def _pause_ended_by_sql(world):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE courses_pause SET end_date = %s", [D(2026, 7, 20)])


def _citizen_moved(world):
    Citizen.objects.filter(pk=_citizen(world).pk).update(municipality=world.b)


def _consent_withdrawn(world):
    consent = do_record_consent(_citizen(world), Consent.Kind.EVALUATION, actor=world.worker, given_on=D(2026, 6, 1))
    do_withdraw_consent(consent, actor=world.worker, withdrawn_on=dt.date.today())


def _generated(world):
    options = lives.Options(courses=3, seed=3, today=dt.date.today(), years=1, municipalities=(world.a.name,),
                            workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))


def _instrument_version_touched(world):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE instruments_instrumentversion SET id = id WHERE id = "
                       "(SELECT MIN(id) FROM instruments_instrumentversion)")


@pytest.mark.parametrize("change", [
    _new_star, _draft_completed, _answer_corrected, _record_deleted, _course_ended, _pause_added,
    _pause_ended_by_sql, _citizen_moved, _consent_withdrawn, _generated, _instrument_version_touched,
], ids=lambda f: f.__name__.strip("_"))
def test_every_change_the_report_reads_computes_it_again(setting, world, computations, change):
    setting.as_evaluator()
    before = setting().context["report"]
    change(world)
    after = setting().context["report"]
    assert len(computations) == 2
    assert _same(after, _fresh(world))
    if change not in (_instrument_version_touched, _pause_added):  # these two happen to change no number
        assert not _same(after, before)
    assert setting().context["report"] == after or _same(setting().context["report"], after)
    assert len(computations) == 2  # and kept again


def _draft_saved(world):
    course = Course.objects.get(citizen=_citizen(world))
    draft = cohorts.record(_citizen(world), "star", D(2026, 6, 3), {"possible": 1}, of=course, status="draft")
    Record.objects.filter(pk=draft.pk).update(filled_on=D(2026, 6, 4), version=2)
    draft.delete()


def _contact_logged(world):
    Course.objects.filter(citizen=_citizen(world)).update(last_contact_on=D(2026, 10, 2))


def _citizen_renamed(world):
    Citizen.objects.filter(pk=_citizen(world).pk).update(pseudonym="Elm")


def _other_municipality(world):
    other = cohorts.course(world.foreign_citizen, D(2026, 1, 1))
    cohorts.star(other, D(2026, 1, 1), tp=1, who5=2)


@pytest.mark.parametrize("change", [_draft_saved, _contact_logged, _citizen_renamed, _other_municipality],
                         ids=lambda f: f.__name__.strip("_"))
def test_changes_the_report_does_not_read_keep_it(setting, world, computations, change):
    setting.as_evaluator()
    before = setting().context["report"]
    change(world)
    after = setting().context["report"]
    assert len(computations) == 1
    assert _same(after, before) and _same(after, _fresh(world))


def test_the_stamp_counts_per_municipality(world):
    cohorts.main_cohort(world)
    stamps = dict(DataStamp.objects.values_list("scope", "generation"))
    assert stamps[world.a.pk] > 0 and stamps[world.b.pk] > 0  # their citizens were created
    _new_star(world)
    after = dict(DataStamp.objects.values_list("scope", "generation"))
    assert after[world.a.pk] > stamps[world.a.pk] and after[world.b.pk] == stamps[world.b.pk]


def test_the_kept_report_is_encrypted_and_a_damaged_one_is_computed_again(setting, world, computations):
    setting.as_evaluator()
    setting()
    row = KeptReport.objects.get()
    payload = bytes(row.payload)
    assert b"who5" not in payload and b"counts" not in payload
    with pytest.raises(zlib.error):
        zlib.decompress(payload)
    KeptReport.objects.update(payload=payload[:-8] + b"AAAAAAAA")
    assert _same(setting().context["report"], _fresh(world))
    assert len(computations) == 2
    setting()
    assert len(computations) == 2


def test_an_english_leader_reads_what_a_danish_leader_had_computed(setting, client, world, computations):
    setting()
    client.cookies["django_language"] = "en"
    page = setting().content.decode()
    assert len(computations) == 1
    assert "Table 6.2" in page and "Tabel 6.2" not in page


def test_filters_definitions_and_municipalities_are_kept_apart(setting, client, world, login, computations):
    setting()
    setting(started_from="2026-02-01")
    setting(started_from="2026-02-01")
    assert len(computations) == 2
    Membership.objects.create(user=world.evaluator, municipality=world.b, role=Role.EVALUATOR)
    login(world.evaluator)
    for code in (world.a.code, world.b.code, world.a.code):
        assert client.get(reverse("evaluation:report"), {"kommune": str(code)}).status_code == 200
    # The evaluator's municipality A under default definitions is the leader's kept report.
    assert len(computations) == 3
    assert KeptReport.objects.count() == 3


def test_a_stored_report_replaces_the_stale_ones_of_its_municipalities(setting, world, computations):
    setting.as_evaluator()
    setting()
    setting(started_from="2026-02-01")
    assert KeptReport.objects.count() == 2
    _new_star(world)
    setting()
    assert KeptReport.objects.count() == 1
    kept.forget()
    assert KeptReport.objects.count() == 0


def test_downloads_use_the_kept_report(setting, client, world, computations):
    setting()
    response = client.get(reverse("evaluation:download", kwargs={"fmt": "xlsx"}))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert len(computations) == 1


def _shown(document):
    return [b["shown"] for s in document.sections for b in s.rendered]


def test_the_counts_a_leaders_document_hides_are_kept_with_the_report(setting, world, monkeypatch, computations):
    from overgang.evaluation import disclosure
    from overgang.evaluation import render as writers

    audits = []
    real = disclosure.secondary
    monkeypatch.setattr(disclosure, "secondary", lambda *a, **k: audits.append(1) or real(*a, **k))
    first, second = setting(), setting()
    assert len(audits) == 1 and len(computations) == 1
    fresh = writers.context(_fresh(world), suppress=True, small=5)["document"]
    assert _shown(second.context["document"]) == _shown(first.context["document"]) == _shown(fresh)
    # Another small-cell limit is audited once too, and kept beside the first.
    audits.clear()
    kept.report(*computations[0]).hidden(7)
    kept.report(*computations[0]).hidden(7)
    kept.report(*computations[0]).hidden(5)
    assert len(audits) == 1 and len(computations) == 1


def test_the_nightly_retention_run_deletes_stale_and_old_kept_reports(setting, world, computations):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    Membership.objects.create(user=world.evaluator, municipality=world.b, role=Role.EVALUATOR)
    setting.as_evaluator()
    setting(kommune=str(world.a.code))
    setting(kommune=str(world.a.code), started_from="2026-02-01")
    setting(kommune=str(world.b.code))
    assert KeptReport.objects.count() == 3
    _new_star(world)  # A's two are stale now, B's is current
    out = io.StringIO()
    call_command("retention", "apply", stdout=out)
    assert "kept reports deleted: 2" in out.getvalue()
    assert list(KeptReport.objects.values_list("municipalities", flat=True)) == [str(world.b.pk)]
    KeptReport.objects.update(computed_at=timezone.now() - dt.timedelta(days=8))
    assert kept.prune() == 1 and not KeptReport.objects.exists()


def test_the_report_command_keeps_the_report_and_computes_it_fresh_when_asked(world, computations, tmp_path):
    from django.core.management import call_command

    cohorts.main_cohort(world)
    out = tmp_path / "r.json"
    call_command("report", format="json", output=str(out))
    first = out.read_text()
    call_command("report", format="json", output=str(out))
    call_command("report", format="xlsx", output=str(tmp_path / "r.xlsx"), leader=True)
    assert len(computations) == 1 and out.read_text() == first
    call_command("report", format="json", output=str(out), fresh=True)
    assert len(computations) == 2
    _new_star(world)
    call_command("report", format="json", output=str(out))
    assert len(computations) == 3 and out.read_text() != first
    # Every municipality when none is named, as before.
    import json

    assert json.loads(out.read_text())["municipalities"] == ["Aby Kommune", "Bby Kommune"]


def test_a_report_that_cannot_be_kept_is_still_shown(setting, world, computations, monkeypatch, caplog):
    setting.as_evaluator()
    from django.db import OperationalError

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(kept, "_store", busy)
    first = setting()
    assert _same(first.context["report"], _fresh(world))
    assert not KeptReport.objects.exists() and "could not be kept" in caplog.text
    setting()
    assert len(computations) == 2  # computed again, as nothing was kept


def test_the_refresh_command_computes_the_leaders_first_view_before_they_ask(world, client, login, computations):
    import io

    from django.core.management import call_command

    cohorts.main_cohort(world)
    out = io.StringIO()
    call_command("kept-reports", "refresh", stdout=out)
    assert "Aby Kommune: beregnet / computed" in out.getvalue() and len(computations) == 2  # A and B
    assert AuditEvent.objects.filter(action="report.keep").count() == 2
    login(world.leader)
    page = client.get(reverse("evaluation:report"))
    assert page.status_code == 200 and len(computations) == 2  # the leader's view was kept, hidden counts too
    assert _same(page.context["report"], _fresh(world))
    out = io.StringIO()
    call_command("kept-reports", "refresh", stdout=out)
    assert out.getvalue().count("uændret / unchanged") == 2 and len(computations) == 2
    _new_star(world)
    out = io.StringIO()
    call_command("kept-reports", "refresh", "--municipality", "Aby Kommune", stdout=out)
    assert "Aby Kommune: beregnet" in out.getvalue() and len(computations) == 3
    out = io.StringIO()
    call_command("kept-reports", "prune", stdout=out)
    assert "kept reports deleted: 0" in out.getvalue()


def test_the_refresh_command_keeps_the_national_report_for_the_report_command(world, computations, tmp_path):
    import io
    import json

    from django.core.management import call_command

    cohorts.main_cohort(world)
    out = io.StringIO()
    call_command("kept-reports", "refresh", "--national", stdout=out)
    assert "Alle kommuner / all municipalities: beregnet / computed" in out.getvalue()
    assert len(computations) == 3  # A, B and all of them
    assert AuditEvent.objects.filter(action="report.keep", municipality_code="").count() == 1
    call_command("report", format="json", output=str(tmp_path / "kept.json"))
    assert len(computations) == 3  # the evaluator's run read the kept report
    call_command("report", format="json", output=str(tmp_path / "fresh.json"), fresh=True)
    kept_report = json.loads((tmp_path / "kept.json").read_text())
    fresh_report = json.loads((tmp_path / "fresh.json").read_text())
    for report in (kept_report, fresh_report):
        report.pop("generated_at", None)
        report["meta"].pop("computation_seconds")
    assert kept_report == fresh_report
    out = io.StringIO()
    call_command("kept-reports", "refresh", "--national", stdout=out)
    assert out.getvalue().count("uændret / unchanged") == 3 and len(computations) == 4  # 4: the --fresh run
    _new_star(world)
    out = io.StringIO()
    call_command("kept-reports", "refresh", "--national", stdout=out)
    assert "all municipalities: beregnet" in out.getvalue() and "B" in out.getvalue()
    assert len(computations) == 6  # A (changed) and all of them; B unchanged


def test_a_kept_reports_page_is_the_same_page_without_laying_the_report_out_again(setting, client, world,
                                                                                 monkeypatch, computations):
    import re

    from overgang.evaluation import document

    laid_out = []
    real = document.build
    monkeypatch.setattr(document, "build", lambda *a, **k: laid_out.append(1) or real(*a, **k))

    def page(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    first, second = setting(), setting()
    assert len(laid_out) == 1 and len(computations) == 1
    assert page(second) == page(first) and "Tabel 6.2" in page(second) and "&lt;5" in page(second)
    # Another language is laid out once, then kept beside the first.
    client.cookies["django_language"] = "en"
    english = setting()
    assert len(laid_out) == 2 and "Table 6.2" in page(english) and page(setting()) == page(english)
    assert len(laid_out) == 2
    # The context still offers the document, laid out only when asked for.
    assert second.context["document"].sections and len(laid_out) == 3
