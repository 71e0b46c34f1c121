"""The administrator's import pages and the evaluator's export page."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.exports.models import PendingUploadChunk
from overgang.exports.tests.packages import add_rows, write_package


def _zip(directory) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for path in sorted(directory.iterdir()):
            bundle.write(path, path.name)
    return SimpleUploadedFile("pakke.zip", buffer.getvalue(), content_type="application/zip")


def test_it_uploads_reports_and_confirms_an_import(world, login, client, tmp_path):
    login(world.administrator)
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    assert client.get(url).status_code == 200
    bad = write_package(tmp_path / "bad", citizens_csv=add_rows("citizens.csv", "010190-1234,Aby Kommune,worker,"))
    response = client.post(url, {"package": _zip(bad)})
    assert response.status_code == 200
    assert b"cpr_number" in response.content and b"citizens.csv" in response.content
    assert b"admin_import_confirm" not in response.content and "bekraeft" not in response.content.decode()
    response = client.post(url, {"package": _zip(write_package(tmp_path / "good"))})
    assert "bekraeft" in response.content.decode()
    assert not Citizen.objects.filter(pseudonym="Anna").exists()  # validated only
    confirm = reverse("exports:admin_import_confirm", kwargs={"municipality": world.a.code})
    response = client.post(confirm)
    assert response.status_code == 302
    assert Citizen.objects.get(pseudonym="Anna").municipality == world.a
    event = AuditEvent.objects.get(action="interchange.import")
    assert event.actor_username == "administrator" and event.municipality_code == str(world.a.code)
    # The upload is gone: confirming again imports nothing and says so.
    assert client.post(confirm).status_code == 302
    assert AuditEvent.objects.filter(action="interchange.import").count() == 1


def test_a_package_waiting_for_confirmation_rests_encrypted_and_is_deleted(world, login, client, tmp_path, monkeypatch):
    import tempfile

    from overgang.exports import uploads

    (tmp_path / "host").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "host"))  # this host's temporary files

    login(world.administrator)
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    client.post(url, {"package": _zip(write_package(tmp_path / "one"))})
    first = client.session["exports_import"]["token"]
    client.post(url, {"package": _zip(write_package(tmp_path / "two"))})  # a new upload replaces the first
    token = client.session["exports_import"]["token"]
    assert uploads.find(first) is None
    # In the database (any host behind the load balancer can confirm it), never in the clear.
    stored = b"".join(bytes(c.data) for c in uploads.find(token).chunks.order_by("index"))
    assert not stored.startswith(b"PK") and b"citizens.csv" not in stored and b"Anna" not in stored
    assert not list(uploads._folder().iterdir())  # nothing waits on this host's disk
    confirm = reverse("exports:admin_import_confirm", kwargs={"municipality": world.a.code})
    assert client.post(confirm).status_code == 302
    assert Citizen.objects.filter(pseudonym="Anna").exists()
    assert uploads.find(token) is None and not PendingUploadChunk.objects.exists()


def test_a_waiting_upload_is_for_its_administrator_and_expires_after_a_day(world, login, client, tmp_path):
    import datetime as dt

    from overgang.accounts.models import Membership, Role
    from overgang.exports import uploads
    from overgang.exports.models import PendingUpload

    other = testing.make_user("other_admin", world.a, Role.ADMIN)
    login(world.administrator)
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    client.post(url, {"package": _zip(write_package(tmp_path / "one"))})
    token = client.session["exports_import"]["token"]
    assert uploads.find(token, municipality=world.a, user=other) is None
    assert uploads.find(token, municipality=world.b, user=world.administrator) is None
    with uploads.opened(token, municipality=world.a, user=world.administrator) as plain:
        assert plain is not None and plain.read_bytes().startswith(b"PK")
    PendingUpload.objects.filter(token=token).update(created=timezone.now() - dt.timedelta(days=1, minutes=1))
    assert uploads.find(token) is None
    confirm = reverse("exports:admin_import_confirm", kwargs={"municipality": world.a.code})
    assert client.post(confirm).status_code == 302
    assert not Citizen.objects.filter(pseudonym="Anna").exists()
    assert Membership.objects.filter(user=other).exists()


def test_it_refuses_other_municipalities_and_other_roles(world, login, client, tmp_path):
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    login(world.foreign_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"package": _zip(write_package(tmp_path / "p"))}).status_code == 404
    assert client.post(reverse("exports:admin_import_confirm", kwargs={"municipality": world.a.code})).status_code == 404
    login(world.worker)
    assert client.get(url).status_code == 403
    assert not Citizen.objects.filter(pseudonym="Anna").exists()


def test_it_refuses_a_confirmation_for_another_municipality(world, login, client, tmp_path):
    from overgang.accounts.models import Membership, Role

    Membership.objects.create(user=world.administrator, municipality=world.b, role=Role.ADMIN)
    login(world.administrator)
    client.post(reverse("exports:admin_import", kwargs={"municipality": world.a.code}),
                {"package": _zip(write_package(tmp_path / "p"))})
    response = client.post(reverse("exports:admin_import_confirm", kwargs={"municipality": world.b.code}))
    assert response.status_code == 302
    assert not Citizen.objects.filter(pseudonym="Anna").exists()


def test_the_evaluator_page_needs_a_purpose_and_is_audited(world, login, client):
    login(world.evaluator)
    url = reverse("exports:evaluator_export")
    assert client.get(url).status_code == 200
    data = {"municipalities": [world.a.pk], "instruments": ["star", "registration"], "format": "csv"}
    response = client.post(url, {**data, "purpose": "   "})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="evaluator.export").exists()
    response = client.post(url, {**data, "purpose": "Opfølgning"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert {"star_wide.csv", "star_long.csv", "courses.csv", "codebook.csv", "export.json"} <= set(names)
    assert AuditEvent.objects.get(action="evaluator.export").details["purpose"] == "Opfølgning"


def test_the_evaluator_page_offers_only_granted_municipalities(world, login, client):
    login(world.evaluator)
    url = reverse("exports:evaluator_export")
    response = client.post(url, {"municipalities": [world.b.pk], "instruments": ["star"], "format": "csv", "purpose": "x"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="evaluator.export").exists()
    login(world.worker)
    assert client.get(url).status_code == 403


def test_damaged_uploads_are_reported_not_a_server_error(world, login, client, tmp_path):
    import zipfile as zf

    login(world.administrator)
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    archive = io.BytesIO()
    with zf.ZipFile(archive, "w", compression=zf.ZIP_DEFLATED) as bundle:
        for path in sorted(write_package(tmp_path / "p").iterdir()):
            bundle.write(path, path.name)
    data = bytearray(archive.getvalue())
    at = data.index(b"manifest.json") + 40  # inside the manifest's compressed bytes
    data[at] ^= 0xFF
    uploads = [bytes(data), b"", b"P", b"PK\x03\x04" + b"\x00" * 100, bytes(range(256)) * 10]
    for payload in uploads:
        response = client.post(url, {"package": SimpleUploadedFile("pakke.zip", payload)})
        assert response.status_code == 200, payload[:10]
        assert "bekraeft" not in response.content.decode()
    assert not Citizen.objects.filter(pseudonym="Anna").exists()


def test_the_evaluator_page_refuses_a_tampered_municipality_value(world, login, client):
    login(world.evaluator)
    response = client.post(reverse("exports:evaluator_export"), {
        "municipalities": ["99999999999999999999"], "instruments": ["star"], "format": "csv", "purpose": "x"})
    assert response.status_code == 400 and response.context["form"].errors["municipalities"]


def test_an_evaluator_export_is_named_by_its_format_and_never_by_its_purpose(world, login, client):
    from django.utils import timezone

    login(world.evaluator)
    url = reverse("exports:evaluator_export")
    day = timezone.localdate().isoformat()
    names = {}
    for fmt in ("csv", "xlsx", "dta", "sav", "parquet"):
        response = client.post(url, {"municipalities": [world.a.pk], "instruments": ["star"], "format": fmt,
                                     "purpose": "Prostitution og misbrug, delstudie 2"})
        assert response.status_code == 200, fmt
        disposition = response["Content-Disposition"]
        names[fmt] = disposition.split('filename="')[1].rstrip('"')
        b"".join(response.streaming_content)
    assert names == {"csv": f"overgang-udtraek-{day}-csv.zip", "xlsx": f"overgang-udtraek-{day}-excel.zip",
                     "dta": f"overgang-udtraek-{day}-stata.zip", "sav": f"overgang-udtraek-{day}-spss.zip",
                     "parquet": f"overgang-udtraek-{day}-parquet.zip"}
