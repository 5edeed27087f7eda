"""End to end, as a user runs it: `interview-calendar serve` with no configuration at all.

Each server is a real subprocess in a clean environment (no DATABASE_URL, BROKER_URL or
ADMIN_API_KEY), so it runs embedded: SQLite in INSTANCE_PATH and a Celery worker thread on
`memory://`. It is driven over HTTP only and always killed, with its process group, at teardown.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import processes
from tests.feeds import ics, meeting
from tests.processes import free_port, stop_group

pytestmark = pytest.mark.timeout(180)

CLI = Path(sys.executable).with_name("interview-calendar")
KEY_BANNER = "Generated an admin API key"
KEY = re.compile(r"^\s+(ic_[A-Za-z0-9_-]+)\s*$", re.MULTILINE)
HTTP_TIMEOUT = 10
# A running import holds SQLite's write lock, and in embedded mode every transaction, reads
# included, begins IMMEDIATE: requests wait for the import to commit (about 15 s here).
SLOW_READ_TIMEOUT = 60
START_TIMEOUT = 60
JOB_TIMEOUT = 90
SERVER_ENV = {"JOB_LEASE_SECONDS": "2", "SWEEP_INTERVAL_SECONDS": "0.5",
              "REQUEUE_AFTER_SECONDS": "2"}



@dataclass
class Server:
    """One `serve` process; its stdout and stderr go to files in the tmp dir."""

    proc: subprocess.Popen[bytes]
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def logs(self) -> str:
        return f"stdout:\n{self.output()}\nstderr (tail):\n" + \
            self.stderr.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or an OOM kill would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, the way a service manager stops it; SIGKILL if it lingers."""
        stop_group(self.proc, grace=15)


@dataclass
class Launcher:
    """Starts servers on one instance folder and port, with settings added to their
    environment; kills whatever is left at teardown."""

    root: Path
    port: int = field(default_factory=free_port)
    started: list[Server] = field(default_factory=list)

    def start(self, **settings: str) -> Server:
        n = len(self.started)
        env = {"PATH": os.defpath, "HOME": str(self.root), "LANG": "C.UTF-8",
               "INSTANCE_PATH": str(self.root / "instance"), **SERVER_ENV, **settings}
        out, err = self.root / f"stdout.{n}", self.root / f"stderr.{n}"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen([str(CLI), "serve", "--port", str(self.port)], cwd=self.root,
                                    env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        server = Server(proc, f"http://127.0.0.1:{self.port}", out, err)
        self.started.append(server)
        wait_until_ready(server)
        return server

    def kill_all(self) -> None:
        for server in self.started:
            server.kill()


def wait_until_ready(server: Server) -> None:
    processes.wait_until_ready(server.proc, server.url, server.logs, START_TIMEOUT)


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    launch = Launcher(tmp_path)
    yield launch
    launch.kill_all()


def printed_key(server: Server) -> str:
    found = KEY.search(server.output())
    assert KEY_BANNER in server.output() and found, server.logs()
    return found.group(1)


@dataclass
class Client:
    """requests with the admin key and a timeout on every call."""

    url: str
    key: str

    def call(self, method: str, path: str, body: Any = None, timeout: float = HTTP_TIMEOUT,
             **headers: str) -> requests.Response:
        return requests.request(method, self.url + path, json=body, timeout=timeout,
                                headers={"Authorization": f"Bearer {self.key}", **headers})

    def person(self, role: str) -> str:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        r = self.call("POST", "/v1/people", {"name": "Pat", "email": email, "role": role})
        assert r.status_code == 201, r.text
        ident: str = r.json()["id"]
        return ident

    def finished(self, location: str, timeout: float = JOB_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.call("GET", location, timeout=SLOW_READ_TIMEOUT).json()
            if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return job
            time.sleep(0.2)


def tomorrow(hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    launch = Launcher(tmp_path_factory.mktemp("embedded"))
    try:
        server = launch.start()
        yield Client(server.url, printed_key(server))
    finally:
        launch.kill_all()


def test_docs_and_health_endpoints_need_no_key(embedded: Client) -> None:
    spec = requests.get(embedded.url + "/openapi.json", timeout=HTTP_TIMEOUT)
    assert spec.status_code == 200 and spec.json()["openapi"] == "3.1.0"
    docs = requests.get(embedded.url + "/docs", timeout=HTTP_TIMEOUT)
    assert docs.status_code == 200 and docs.headers["Content-Type"].startswith("text/html")
    assert requests.get(embedded.url + "/healthz", timeout=HTTP_TIMEOUT).status_code == 200
    ready = requests.get(embedded.url + "/readyz", timeout=HTTP_TIMEOUT)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert requests.get(embedded.url + "/v1/people", timeout=HTTP_TIMEOUT).status_code == 401


def test_added_availability_is_read_back_after_the_job_succeeds(embedded: Client) -> None:
    person = embedded.person("interviewer")
    start, end = tomorrow(9), tomorrow(12)
    r = embedded.call("POST", f"/v1/people/{person}/availability",
                      {"ranges": [{"start": z(start), "end": z(end)}]})
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/v1/jobs/{r.json()['id']}"
    job = embedded.finished(r.headers["Location"])
    assert job["status"] == "succeeded", job
    assert job["result"] == {"added": 3, "already_present": 0}
    got = embedded.call("GET", f"/v1/people/{person}/availability?from={z(tomorrow(0))}")
    assert got.status_code == 200
    assert got.json() == {"ranges": [{"start": z(start), "end": z(end)}], "booked": [], "busy": []}


def test_prefer_wait_answers_200_with_the_finished_job(embedded: Client) -> None:
    person = embedded.person("candidate")
    body = {"ranges": [{"start": z(tomorrow(13)), "end": z(tomorrow(15))}]}
    r = embedded.call("POST", f"/v1/people/{person}/availability", body, Prefer="wait=5")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert r.json()["result"] == {"added": 2, "already_present": 0}
    assert r.headers["Location"] == f"/v1/jobs/{r.json()['id']}"


def test_the_admin_key_is_printed_once_and_works_after_a_restart(launcher: Launcher) -> None:
    first = launcher.start()
    key = printed_key(first)
    first.stop()
    assert first.proc.returncode is not None
    second = launcher.start()
    assert KEY_BANNER not in second.output()
    assert not KEY.search(second.output())
    assert Client(second.url, key).call("GET", "/v1/people").status_code == 200


IMPORT_PEOPLE = 25
HOURS_EACH = 4000  # 25 × 4000 = 100,000 hours in one request


@dataclass
class Import:
    location: str
    people: list[str]
    start: datetime
    end: datetime


def submit_import(client: Client) -> Import:
    people = [client.person("interviewer") for _ in range(IMPORT_PEOPLE)]
    start = tomorrow(0)
    end = start + timedelta(hours=HOURS_EACH)
    entries = [{"person": p, "ranges": [{"start": z(start), "end": z(end)}]} for p in people]
    r = client.call("POST", "/v1/availability/imports", {"entries": entries})
    assert r.status_code == 202, r.text
    return Import(r.headers["Location"], people, start, end)


def import_row(launcher: Launcher) -> tuple[str, int] | None:
    """The import job's status and attempts, read from the SQLite file beside the server.

    The API cannot show `running` here: its reads wait for the import's write lock.
    """
    path = launcher.root / "instance" / "interview-calendar.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        row = db.execute("SELECT status, attempts FROM jobs "
                         "WHERE kind = 'availability.import'").fetchone()
    return None if row is None else (row[0], row[1])


def assert_imported_once(launcher: Launcher, client: Client, submitted: Import) -> None:
    restarted = launcher.start()
    client = Client(restarted.url, client.key)
    job = client.finished(submitted.location)
    assert job["status"] == "succeeded", (job, restarted.logs())
    assert job["result"] == {"people": IMPORT_PEOPLE, "added": IMPORT_PEOPLE * HOURS_EACH,
                             "already_present": 0}
    window = f"from={z(submitted.start)}&to={z(submitted.end)}"
    for person in (submitted.people[0], submitted.people[-1]):
        got = client.call("GET", f"/v1/people/{person}/availability?{window}")
        assert got.json()["ranges"] == [{"start": z(submitted.start), "end": z(submitted.end)}]


def test_an_import_accepted_right_before_a_kill_runs_after_the_restart(
        launcher: Launcher) -> None:
    server = launcher.start()
    client = Client(server.url, printed_key(server))
    submitted = submit_import(client)
    server.kill()
    assert_imported_once(launcher, client, submitted)


def test_an_import_killed_while_running_is_done_once_after_the_restart(
        launcher: Launcher) -> None:
    server = launcher.start()
    client = Client(server.url, printed_key(server))
    submitted = submit_import(client)
    deadline = time.monotonic() + JOB_TIMEOUT
    while (row := import_row(launcher)) is not None and row[0] == "queued":
        assert time.monotonic() < deadline, server.logs()
        time.sleep(0.01)
    assert row == ("running", 1), server.logs()
    server.kill()

    assert_imported_once(launcher, client, submitted)
    assert import_row(launcher) == ("succeeded", 2)


def test_an_uploaded_calendar_makes_its_meeting_busy(embedded: Client) -> None:
    person = embedded.person("interviewer")
    r = embedded.call("POST", f"/v1/people/{person}/availability",
                      {"ranges": [{"start": z(tomorrow(9)), "end": z(tomorrow(12))}]})
    assert embedded.finished(r.headers["Location"])["status"] == "succeeded"
    upload = ics(meeting(tomorrow(10), 0.5))
    r = requests.post(f"{embedded.url}/v1/people/{person}/calendars", data=upload,
                      timeout=HTTP_TIMEOUT, headers={"Authorization": f"Bearer {embedded.key}",
                                                     "Content-Type": "text/calendar"})
    assert r.status_code == 202, r.text
    job = embedded.finished(r.headers["Location"])
    assert job["status"] == "succeeded" and job["result"]["busy_hours"] == 1, job
    got = embedded.call("GET", f"/v1/people/{person}/availability?from={z(tomorrow(0))}").json()
    assert got["busy"] == [{"start": z(tomorrow(10)), "end": z(tomorrow(11))}]
    assert got["ranges"] == [{"start": z(tomorrow(9)), "end": z(tomorrow(10))},
                             {"start": z(tomorrow(11)), "end": z(tomorrow(12))}]


def test_a_match_keeps_to_a_cap_on_the_embedded_server(embedded: Client) -> None:
    """SQLite and the in-process worker: a day cap of one, two candidates that day."""
    lead = embedded.person("interviewer")
    r = embedded.call("PATCH", f"/v1/people/{lead}", {"max_interviews_per_day": 1})
    assert r.status_code == 200, r.text
    first, second = embedded.person("candidate"), embedded.person("candidate")
    for person in (lead, first, second):
        r = embedded.call("POST", f"/v1/people/{person}/availability",
                          {"ranges": [{"start": z(tomorrow(9)), "end": z(tomorrow(11))}]})
        assert embedded.finished(r.headers["Location"])["status"] == "succeeded"
    r = embedded.call("POST", "/v1/matches", {"from": z(tomorrow(9)), "to": z(tomorrow(11)),
                                              "candidates": [first, second],
                                              "interviewers": [lead], "book": True})
    job = embedded.finished(r.headers["Location"])
    assert job["status"] == "succeeded", job
    assert job["result"]["stats"]["scheduled"] == 1
    assert [u["reason"] for u in job["result"]["unscheduled"]] == ["cap_reached"]
    waiting = ({first, second} - {job["result"]["interviews"][0]["candidate"]}).pop()
    slots = embedded.call("GET", f"/v1/slots?candidate={waiting}&interviewer={lead}"
                                 f"&from={z(tomorrow(9))}&to={z(tomorrow(11))}").json()
    assert slots["slots"] == []


def test_sigterm_stops_the_server_within_seconds_with_a_client_connected(
        launcher: Launcher) -> None:
    """A service manager's SIGTERM ends `serve` even while a client keeps a connection open:
    closing waitress's listening socket alone left its loop (and the process) running as long
    as any connection lived."""
    server = launcher.start()
    with requests.Session() as kept_alive:
        assert kept_alive.get(server.url + "/healthz", timeout=5).status_code == 200
        os.kill(server.proc.pid, signal.SIGTERM)
        assert server.proc.wait(timeout=10) == 0, server.logs()
