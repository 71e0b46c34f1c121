"""HTTP load for bench/bench.py: logged-in sessions, the page operations, and their timing.

Each operation runs on 8 sessions at once (threads, started together). A session sends
the operation's request, then one to ``/status/`` (the floor), ``rounds`` times; the time
of each is from opening the connection to the last byte of the answer. gunicorn's sync
workers close every connection, so every request opens a new one, as a browser's first
request to a fresh worker would.
"""

from __future__ import annotations

import http.client
import math
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

USER_AGENT = "overgang-bench/1"
ONLY: set = set()


def percentile(ordered, p):
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Client:
    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, data=None, headers=None):
        """(status, body, seconds, location)."""
        body = urllib.parse.urlencode(data, doseq=True) if data is not None else None
        head = {"User-Agent": USER_AGENT, "Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            connection.request(method, path, body=body, headers=head)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - began
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content, seconds, response.getheader("Location", "")

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, data, headers=None):
        data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request("POST", path, data, {"X-CSRFToken": self.cookies.get("csrftoken", ""), **(headers or {})})


class Session(Client):
    """A client logged in with username and password (the benchmark installation waives
    the second factor, as the demo does)."""

    def __init__(self, port, username, password):
        super().__init__(port)
        self.get("/login/")
        status, _body, _s, location = self.post("/login/", {"username": username, "password": password})
        if status != 302 or "login" in location:
            raise SystemExit(f"cannot log in as {username} (HTTP {status})")


@dataclass
class Operation:
    name: str
    # (session index, round) -> (method, path, data, headers, expected status)
    request: object = None
    as_leader: bool = False
    skip: str = ""
    setup: object = None  # session index, session -> per-session state
    state: dict = field(default_factory=dict)
    # The first round apart (``first_round_ms``): the report page's first requests after a
    # change compute the report (one computation, the other clients wait for it); the
    # rounds after it give back the kept report (evaluation/kept.py).
    first_apart: bool = False


def operations(clients, fixtures, available):
    """The operations of issue 15 item 2, in order; those the installation does not have
    yet are returned with the reason they are skipped."""
    municipality = fixtures["municipality"]

    def page(path_of):
        return lambda i, r: ("GET", path_of(i), None, None, 200)

    def star_page(i):
        return f"/skemaer/{clients[i]['draft']}/side/2/"

    def read_form(op, i, session):
        status, body, _s, _l = session.get(star_page(i))
        text = body.decode()
        version = re.search(r'name="version" value="(\d+)"', text)
        token = re.search(r'name="token" value="([0-9a-f]{32})"', text)
        if status != 200 or not version or not token:
            raise SystemExit(f"the star's form page did not load for {clients[i]['worker']} (HTTP {status})")
        op.state[i] = {"version": version.group(1), "token": token.group(1)}

    def save(i, r):
        state = save_op.state[i]
        data = {"version": state["version"], "token": state["token"], "shown": "dim_motivation",
                "dim_motivation": str(3 + r % 2), "go": "stay"}
        return "POST", star_page(i), data, {"HX-Request": "true"}, 200

    def complete(i, r):
        record = clients[i]["complete"][r]
        return "POST", f"/skemaer/{record['code']}/afslut/", {"version": str(record["version"])}, None, 302

    save_op = Operation("save_star_answer", save, setup=read_form)
    week = available.get("my_week")
    team = available.get("team_page")
    ops = [
        Operation("caseload", page(lambda i: "/borgere/")),
        Operation("my_week", page(lambda i: week), skip="" if week else "«Min uge» does not exist yet (issue 12)"),
        Operation("citizen_page", page(lambda i: f"/borgere/{clients[i]['citizen']}/overblik/")),
        Operation("form_page", page(star_page)),
        save_op,
        Operation("complete_record", complete),
        Operation("leader_caseload", page(lambda i: "/borgere/"), as_leader=True),
        Operation("team_page", page(lambda i: team), as_leader=True,
                  skip="" if team else "the leader's team page does not exist yet (issue 12)"),
        Operation("fidelity_page", page(lambda i: f"/fidelitet/?kommune={municipality}"), as_leader=True,
                  skip="" if available.get("fidelity") else "the fidelity page does not exist"),
        Operation("report_page", page(lambda i: f"/rapport/?kommune={municipality}"), as_leader=True,
                  first_apart=True),
        Operation("citizen_pdf", page(lambda i: f"/forloeb/{clients[i]['course']}/udskrift.pdf")),
    ]
    return [op for op in ops if not ONLY or op.name in ONLY]


def measure(sessions, operation, rounds):
    """Run ``operation`` on every session at once; medians and p95 of it and of the floor."""
    for i, session in enumerate(sessions):
        if operation.setup:
            operation.setup(operation, i, session)
    times, floors, errors, firsts = [], [], [], []
    start = threading.Barrier(len(sessions))
    lock = threading.Lock()

    def worker(i, session):
        start.wait()
        for r in range(rounds):
            method, path, data, headers, expected = operation.request(i, r)
            status, body, seconds, _l = (session.request(method, path, headers=headers) if method == "GET"
                                         else session.post(path, data, headers))
            floor = session.get("/status/")
            with lock:
                if status != expected:
                    errors.append(f"{method} {path}: HTTP {status}")
                (firsts if operation.first_apart and r == 0 else times).append(seconds)
                floors.append(floor[2])

    threads = [threading.Thread(target=worker, args=(i, s)) for i, s in enumerate(sessions)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{operation.name}: {len(errors)} unexpected answers, e.g. {errors[0]}")
    times.sort()
    floors.sort()
    ms = 1000
    result = {
        "n": len(times), "median_ms": statistics_median(times) * ms, "p95_ms": percentile(times, 95) * ms,
        "floor_median_ms": statistics_median(floors) * ms, "floor_p95_ms": percentile(floors, 95) * ms,
        "wall_s": wall,
    }
    if firsts:
        result["first_round_ms"] = max(firsts) * ms
    result["ratio_p95"] = result["p95_ms"] / result["floor_p95_ms"]
    result["ratio_median"] = result["median_ms"] / result["floor_median_ms"]
    return result


def statistics_median(ordered):
    n = len(ordered)
    return (ordered[n // 2] + ordered[(n - 1) // 2]) / 2 if n else 0.0
