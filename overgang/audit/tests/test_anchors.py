"""Anchors: the head written outside the database, so a log cut at the end is found."""

import io
import json
import socket

import pytest
from django.core.management import CommandError, call_command

from overgang.audit import anchors
from overgang.audit.log import verify
from overgang.audit.tests.test_audit import _events, _raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor_file(tmp_path, settings):
    path = tmp_path / "anchors" / "audit-anchors.log"
    settings.OVERGANG_AUDIT_ANCHOR = f"file:{path}"
    return path


def _anchor(**kwargs):
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out, **kwargs)
    return out.getvalue()


def _verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, str(exc) + err.getvalue()
    return True, out.getvalue()


def test_it_appends_a_signed_anchor_line(anchor_file):
    _events(3)
    assert "3 events" in _anchor()
    _events(1)
    _anchor()
    lines = anchor_file.read_text().splitlines()
    assert len(lines) == 2
    latest = json.loads(lines[-1])
    assert latest["count"] == 4 and latest["seq"] == 4 and latest["head"] == verify().head and latest["mac"]
    assert anchor_file.stat().st_mode & 0o077 == 0
    ok, out = _verify()
    assert ok and "#4" in out


def test_verify_finds_the_tail_deleted_since_the_anchor(anchor_file):
    _events(5)
    _anchor()
    _raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    assert verify().ok  # the shortened chain is valid in itself
    ok, text = _verify()
    assert not ok and "IKKE intakt" in text and "#5" in text and "removed from the end" in text


def test_verify_finds_the_anchored_head_rewritten(anchor_file):
    _events(3)
    _anchor()
    _raw("UPDATE audit_auditevent SET hash = %s WHERE seq = 3", ["f" * 64])
    ok, text = _verify()
    assert not ok and "was rewritten" in text


def test_a_forged_anchor_is_refused(anchor_file):
    _events(2)
    _anchor()
    forged = json.loads(anchor_file.read_text())
    forged.update(count=1, seq=1, head="0" * 64)
    anchor_file.write_text(json.dumps(forged) + "\n")
    ok, text = _verify()
    assert not ok and "not signed with the audit key" in text


def test_it_refuses_to_anchor_a_tampered_log(anchor_file):
    _events(2)
    _raw("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1")
    with pytest.raises(CommandError, match="IKKE intakt"):
        _anchor()
    assert not anchor_file.exists()


def test_require_anchor_fails_without_one(anchor_file):
    _events(1)
    ok, text = _verify("--require-anchor")
    assert not ok and "no anchor" in text


def test_it_anchors_to_a_remote_syslog_and_verifies_against_the_received_line(settings):
    _events(2)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    try:
        port = receiver.getsockname()[1]
        _anchor(to=f"syslog://127.0.0.1:{port}")
        datagram = receiver.recv(4096).decode()
    finally:
        receiver.close()
    assert datagram.startswith("<86>overgang: overgang-audit-anchor {")  # authpriv.info
    _events(1)
    ok, _out = _verify("--anchor", datagram)
    assert ok
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    _raw("DELETE FROM audit_auditevent WHERE seq = 2")
    ok, text = _verify("--anchor", datagram)
    assert not ok and "removed from the end" in text


def test_an_unknown_target_is_a_clear_error():
    _events(1)
    with pytest.raises(CommandError, match="Unknown anchor target"):
        _anchor(to="ftp://example")


def test_an_unreachable_syslog_is_a_clear_error():
    _events(1)
    with pytest.raises(CommandError, match="Syslog cannot be reached"):
        _anchor(to="syslog://host.invalid:514")
