"""Export → import into an empty installation → export: the same bytes (bar exported_at)."""

import csv
import json
import os

import pytest
from cryptography.fernet import Fernet

from overgang.audit.models import AuditEvent
from overgang.synthetic import package as cohort
from overgang.exports.actions import do_export_package, do_import_package
from overgang.exports.exporter import ExportError
from overgang.exports.tests.packages import empty_installation
from overgang.measurements.models import Record

FILES = ("citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv")


def _covers_everything(directory):
    records = (directory / "records.csv").read_text(encoding="utf-8")
    answers = (directory / "answers.csv").read_bytes().decode("utf-8")
    for name in ("registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started"):
        assert f",{name}," in records, name
    assert (directory / "pauses.csv").read_text().count("\n") > 1
    assert ",99\n" in answers and ",88\n" in answers
    assert '"' in answers and "\r\n" in answers and "æ" in answers


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return sorted(csv.reader(handle))


def test_it_round_trips_byte_identical(db, tmp_path):
    source = tmp_path / "source"
    cohort.write_cohort(source, courses=40, seed=3)
    _covers_everything(source)
    first = do_import_package(source)
    assert first.ok, first.problems[:5]
    assert Record.objects.filter(incomplete=True).exists()
    do_export_package(tmp_path / "one")
    do_export_package(tmp_path / "old", version=1)  # the generated package's own format
    empty_installation()
    assert do_import_package(tmp_path / "one").ok
    do_export_package(tmp_path / "two")
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    one = json.loads((tmp_path / "one" / "manifest.json").read_text())
    two = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert {**one, "exported_at": ""} == {**two, "exported_at": ""}
    # Nothing of the generated package was lost or changed on the way (only the order
    # differs): exported as version 1 again, it is the same rows.
    for name in FILES:
        assert _rows(source / name) == _rows(tmp_path / "old" / name), name
    assert AuditEvent.objects.filter(action="interchange.export").count() == 1


def test_forked_workers_write_the_same_package(db, tmp_path):
    """The command line writes the answers in forked workers (``workers``): the same
    bytes as one process, in a directory and in a zip."""
    import zipfile

    source = tmp_path / "source"
    cohort.write_cohort(source, courses=30, seed=11)
    assert do_import_package(source).ok
    here = do_export_package(tmp_path / "here")
    forked = do_export_package(tmp_path / "forked", workers=2)
    assert here == forked and here["answers"] > 1000
    for name in FILES:
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "forked" / name).read_bytes(), name
    do_export_package(tmp_path / "forked.zip", workers=1)
    with zipfile.ZipFile(tmp_path / "forked.zip") as archive:
        for name in FILES:
            assert archive.read(name) == (tmp_path / "here" / name).read_bytes(), name


@pytest.mark.parametrize("workers", [0, 1])
def test_answers_that_cannot_be_opened_stop_the_export_and_leave_nothing(db, tmp_path, workers):
    """Sealed answers that the citizen's key does not open (written with other keys):
    the export names the record, says why in Danish and English, and leaves no half
    package behind, whether the answers were opened here or in a worker."""
    source = tmp_path / "source"
    cohort.write_cohort(source, courses=6, seed=2)
    assert do_import_package(source).ok
    record = Record.objects.exclude(sealed_answers="").filter(status=Record.Status.COMPLETED).order_by("pk").first()
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"why": "x"}').decode()
    Record.objects.filter(pk=record.pk).update(sealed_answers=foreign)
    target = tmp_path / "package"
    with pytest.raises(ExportError) as refused:
        do_export_package(target, workers=workers)
    message = str(refused.value)
    assert (record.external_id or str(record.code)) in message
    assert "Intet er eksporteret" in message and "Nothing was exported" in message
    assert list(target.iterdir()) == []
    with pytest.raises(ExportError):
        do_export_package(tmp_path / "package.zip", workers=workers)
    assert not (tmp_path / "package.zip").exists()
    assert not AuditEvent.objects.filter(action="interchange.export").exists()


def _dies(*args, **kwargs):
    """A worker's work that kills the worker (as the kernel's out-of-memory killer would)."""
    os._exit(9)


def test_a_worker_that_dies_stops_the_export_with_a_message(db, tmp_path, monkeypatch):
    """A worker killed under the export (out of memory): the export says so and leaves
    nothing, instead of waiting for ever for the chunk that worker had."""
    from overgang.exports import exporter

    source = tmp_path / "source"
    cohort.write_cohort(source, courses=6, seed=2)
    assert do_import_package(source).ok

    monkeypatch.setattr(exporter, "_answer_text", _dies)
    for target in (tmp_path / "package", tmp_path / "package.zip"):
        with pytest.raises(ExportError, match="stoppede uventet.*stopped unexpectedly"):
            do_export_package(target, workers=1)
    assert list((tmp_path / "package").iterdir()) == []
    assert not (tmp_path / "package.zip").exists() and not (tmp_path / "package.zip.partial").exists()
    assert not AuditEvent.objects.filter(action="interchange.export").exists()


def test_a_zip_is_there_whole_or_not_at_all(db, tmp_path, monkeypatch):
    """The zip is written beside its name and renamed when whole: a failure while it is
    written leaves neither the zip nor its partial file."""
    import shutil

    from overgang.exports import writer

    cohort.write_cohort(tmp_path / "source", courses=3, seed=4)
    assert do_import_package(tmp_path / "source").ok
    copied = []

    real = shutil.copyfileobj

    def fails_at_answers(source_file, member, length=0):
        name = str(getattr(source_file, "name", ""))
        copied.append(name)
        if name.endswith("answers.csv"):
            raise OSError("disk full")
        return real(source_file, member, length)

    monkeypatch.setattr(writer.shutil, "copyfileobj", fails_at_answers)
    with pytest.raises(OSError, match="disk full"):
        do_export_package(tmp_path / "package.zip")
    assert copied and not (tmp_path / "package.zip").exists()
    assert not (tmp_path / "package.zip.partial").exists()
