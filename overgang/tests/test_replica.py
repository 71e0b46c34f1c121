"""The read replica (lib/replica.py): reports, evaluator exports and leader dashboards read
from it; writes, access and citizen pages stay on the primary (issue 15 item 6).

The replica is the test database's second alias (test_settings: ``TEST.MIRROR``), so the
same rows are there; the tests count which connection each query went to. They commit
(``transaction=True``): a second connection sees only committed rows, as a real replica.
"""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from overgang import testing
from overgang.exports.actions import EvaluatorExportOptions, do_evaluator_export
from overgang.lib import replica
from overgang.synthetic import database, lives

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

# A write as Django's query log shows it: a statement, an executemany ("3 times: INSERT …")
# or a COPY of many rows (lib/bulk.py on PostgreSQL).
WRITE = re.compile(r"^\s*(\d+ times: )?(INSERT|UPDATE|DELETE|COPY)", re.I)


@pytest.fixture
def world(settings):
    settings.OVERGANG_READ_REPLICA = True
    world = testing.make_world()
    options = lives.Options(courses=12, seed=7, today=dt.date.today(), years=2, municipalities=(world.a.name,),
                            workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))
    return world


class Queries:
    """What went to the primary and what to the replica inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _touch(captured, table):
        return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"]]

    def on_primary(self, table):
        return self._touch(self.primary, table)

    def on_replica(self, table):
        return self._touch(self.replica, table)

    def replica_writes(self):
        return [q["sql"] for q in self.replica.captured_queries if WRITE.match(q["sql"])]


def test_the_report_reads_the_replica_and_writes_its_audit_event_on_the_primary(client, world):
    testing.login(client, world.leader)
    with Queries() as queries:
        assert client.get(reverse("evaluation:report")).status_code == 200
    assert queries.on_replica("measurements_record") and not queries.on_primary("measurements_record")
    assert any(WRITE.match(sql) for sql in queries.on_primary("audit_auditevent"))
    assert not queries.on_replica("audit_auditevent")  # the chain is extended from the primary's head
    assert not queries.on_replica("accounts_membership")  # access is decided on the primary
    assert queries.replica_writes() == []


def test_a_kept_report_is_judged_on_the_replica_and_kept_on_the_primary(client, world):
    testing.login(client, world.leader)
    with Queries() as queries:
        assert client.get(reverse("evaluation:report")).status_code == 200
    assert any(WRITE.match(sql) for sql in queries.on_primary("evaluation_keptreport"))
    # The data's stamps from the database the data was read from.
    assert queries.on_replica("evaluation_datastamp") and not queries.on_primary("evaluation_datastamp")
    with Queries() as queries:
        assert client.get(reverse("evaluation:report")).status_code == 200
    assert queries.on_replica("evaluation_datastamp")
    assert not queries.on_replica("measurements_record") and not queries.on_primary("measurements_record")
    assert queries.replica_writes() == []


def test_leader_dashboards_read_the_replica(client, world):
    testing.login(client, world.leader)
    for url in (reverse("courses:caseload"), reverse("evaluation:fidelity")):
        with Queries() as queries:
            assert client.get(url).status_code == 200
        assert queries.on_replica("courses_course"), url
        assert not queries.on_primary("courses_course"), url
        assert queries.replica_writes() == []


def test_a_workers_pages_and_writes_stay_on_the_primary(client, world):
    testing.login(client, world.worker)
    citizen = world.worker.caseload.exclude(pk=world.citizen.pk).first()
    with Queries() as queries:
        assert client.get(reverse("courses:caseload")).status_code == 200
        assert client.get(reverse("courses:citizen", kwargs={"code": citizen.code})).status_code == 200
        testing.make_course(world.citizen)
    assert queries.replica.captured_queries == []
    assert queries.on_primary("courses_course")


def test_evaluator_exports_and_the_report_command_read_the_replica(world, tmp_path):
    options = EvaluatorExportOptions(municipalities=(world.a,), instruments=("star",), format="csv",
                                     purpose="Replikatest")
    with Queries() as queries:
        do_evaluator_export(tmp_path / "x", options, actor=world.evaluator)
    assert queries.on_replica("measurements_record") and not queries.on_primary("measurements_record")
    assert any(WRITE.match(sql) for sql in queries.on_primary("audit_auditevent"))
    with Queries() as queries:
        call_command("report", format="json", output=str(tmp_path / "r.json"))
    assert queries.on_replica("measurements_record") and queries.replica_writes() == []


def test_without_a_replica_everything_reads_the_primary(client, world, settings):
    settings.OVERGANG_READ_REPLICA = False
    testing.login(client, world.leader)
    with Queries() as queries:
        assert client.get(reverse("evaluation:report")).status_code == 200
    assert queries.replica.captured_queries == [] and queries.on_primary("measurements_record")
    assert not replica.configured()
