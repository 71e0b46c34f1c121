"""Anchors: the audit log's head written to a place outside the database.

A keyed chain catches every change and deletion inside it, but a chain cut off at the end
is still a valid chain. ``overgang audit anchor`` therefore writes the current head — the
number of events, the last sequence number, its hash and the time — somewhere the
database's users cannot reach: an append-only file or syslog (ideally a remote one). The
anchor is signed with the audit key, so a forged anchor is refused. ``overgang audit
verify`` then checks that the anchored event is still in the log, unchanged, at its
place: events removed since the anchor are found.

Target (``OVERGANG_AUDIT_ANCHOR``): ``file:PATH`` (a JSON line appended), ``syslog`` (the
local ``/dev/log``, facility AUTHPRIV) or ``syslog://HOST:PORT`` (UDP).
"""

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from overgang.audit import chain

FORMAT = "overgang-audit-anchor/1"
PREFIX = "overgang-audit-anchor "


class AnchorError(Exception):
    """An anchor cannot be written or read; the message says why (Danish / English)."""


@dataclass(frozen=True)
class Anchor:
    count: int
    seq: int
    head: str
    at: str

    def body(self) -> dict:
        return {"format": FORMAT, "at": self.at, "count": self.count, "seq": self.seq, "head": self.head}

    def line(self, key) -> str:
        body = self.body()
        return json.dumps({**body, "mac": chain.mac(key, _canonical(body))}, sort_keys=True)


def _canonical(body) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def current(verification) -> Anchor:
    return Anchor(count=verification.count, seq=verification.last_seq, head=verification.head,
                  at=timezone.now().isoformat(timespec="seconds"))


def write(anchor: Anchor, target: str | None = None) -> str:
    """Write the anchor to ``target`` (default: the setting); returns where it went."""
    target = target or settings.OVERGANG_AUDIT_ANCHOR
    line = anchor.line(settings.OVERGANG_AUDIT_KEYS[0])
    if target.startswith("file:"):
        path = Path(target[len("file:"):])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_APPEND: the file may be append-only (chattr +a); never rewritten.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            raise AnchorError(f"Ankeret kan ikke skrives til {path} / The anchor cannot be written to {path}: "
                              f"{exc.strerror}") from None
        return str(path)
    if target == "syslog" or target.startswith("syslog://"):
        _syslog(target, line)
        return target
    raise AnchorError(f"Ukendt ankermål / Unknown anchor target: {target!r} (file:PATH, syslog, syslog://HOST:PORT)")


# RFC 3164: <facility * 8 + severity>; authpriv (10), informational (6).
_PRIORITY = 10 * 8 + 6


def _syslog(target, line):
    if target == "syslog":
        family, address = socket.AF_UNIX, "/dev/log"
    else:
        host, _sep, port = target[len("syslog://"):].rpartition(":")
        if not host or not port.isdigit():
            raise AnchorError(f"Ugyldigt syslog-mål / Invalid syslog target: {target!r} (syslog://HOST:PORT)")
        family, address = socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"), int(port))
    message = f"<{_PRIORITY}>overgang: {PREFIX}{line}".encode()
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.send(message)
    except OSError as exc:
        raise AnchorError(f"Syslog kan ikke nås / Syslog cannot be reached ({target}): "
                          f"{exc.strerror or exc}") from None


def parse(line: str) -> Anchor:
    """An anchor from one line (a syslog line's text after the prefix works too);
    refuses a line whose MAC does not verify under any audit key."""
    text = line.strip()
    if not text.startswith("{") and PREFIX in text:
        text = text[text.index(PREFIX) + len(PREFIX):]  # a syslog line: "<86>overgang: overgang-audit-anchor {…}"
    try:
        data = json.loads(text)
        body = {k: data[k] for k in ("format", "at", "count", "seq", "head")}
        mark = data["mac"]
    except (ValueError, KeyError, TypeError):
        raise AnchorError("Ankeret kan ikke læses / The anchor cannot be read") from None
    if body["format"] != FORMAT or chain.key_index(settings.OVERGANG_AUDIT_KEYS, _canonical(body), mark) is None:
        raise AnchorError("Ankeret er ikke underskrevet med revisionsnøglen (forfalsket eller beskadiget) "
                          "/ The anchor is not signed with the audit key (forged or damaged)")
    return Anchor(count=body["count"], seq=body["seq"], head=body["head"], at=body["at"])


def latest_in_file(path) -> Anchor | None:
    """The last anchor line of a file, or None when there is no file or no line."""
    path = Path(path)
    if not path.exists():
        return None
    last = ""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                last = line
    return parse(last) if last else None


def configured_file():
    target = settings.OVERGANG_AUDIT_ANCHOR
    return Path(target[len("file:"):]) if target.startswith("file:") else None


def check(anchor: Anchor):
    """Problems (as strings) with the log measured against an earlier anchor."""
    from overgang.audit.models import AuditEvent

    if anchor.seq == 0:
        return []
    event = AuditEvent.objects.filter(seq=anchor.seq).only("seq", "hash").first()
    total = AuditEvent.objects.count()
    if event is None:
        return [f"event #{anchor.seq}, the head anchored at {anchor.at}, is gone: the log has {total} event(s), "
                f"the anchor counted {anchor.count}; events were removed from the end"]
    if event.hash != anchor.head:
        return [f"event #{anchor.seq} differs from the head anchored at {anchor.at}: the log was rewritten"]
    if total < anchor.count:
        return [f"the log has {total} event(s), fewer than the {anchor.count} anchored at {anchor.at}"]
    return []
