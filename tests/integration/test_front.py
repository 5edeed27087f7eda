"""The production front: `interview-calendar serve` (granian) behind the nginx of
deploy/nginx.conf.template, the file docker-compose.yml mounts, filled in for this test's ports.

nginx is Debian's (/usr/sbin/nginx, installed by bin/services); its main file here stands in for
the one of the nginx image, which includes the template's result inside its http {} block. The
API runs on PostgreSQL and Redis of 127.0.0.1; both processes are killed at teardown.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from bench.slow_clients import probe_healthz, slow_clients
from tests import processes
from tests.conftest import REDIS_URL
from tests.processes import free_port, stop_group

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
COMPOSE = ROOT / "docker-compose.yml"
NGINX = Path("/usr/sbin/nginx")
CLI = Path(sys.executable).with_name("interview-calendar")
START_TIMEOUT = 60
HTTP_TIMEOUT = 10
SLOW_CLIENTS = 300
MAX_BODY = 32 * 1024 * 1024
PER_ADDRESS = 64  # limit_conn in the template
GUESSES = 20  # the API's failed-authentication limit here


def render(template: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with the variables it is given: `${NAME}` only,
    nginx's own `$variables` untouched."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${" not in template, "the template names a variable compose does not set"
    return template


def main_file(folder: Path, included: Path) -> str:
    """The rest of an nginx.conf, as the image has it (worker_processes auto, 1024
    connections each), with its files in `folder`. As root, the workers run as root too, so
    that they may use the test's private temporary folder."""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""user {getpass.getuser()};
worker_processes auto;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {folder / "access.log"};
{temp}
    include {included};
}}
"""


@dataclass
class Front:
    """The URLs of the front (nginx) and of the API behind it, and their logs."""

    url: str
    api: str
    folder: Path
    admin_key: str

    def logs(self) -> str:
        parts = []
        for name in ("serve.log", "error.log", "access.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- {name} ---\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)


def start_nginx(folder: Path, listen: int, api_port: int) -> subprocess.Popen[bytes]:
    (folder / "default.conf").write_text(render(TEMPLATE.read_text(), {
        "LISTEN_PORT": str(listen), "API_ADDRESS": f"127.0.0.1:{api_port}"}))
    (folder / "nginx.conf").write_text(main_file(folder, folder / "default.conf"))
    command = [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"),
               "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30,
                           check=False)
    assert check.returncode == 0, check.stderr
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="module")
def front(integration_database_url: str, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Front]:
    folder = tmp_path_factory.mktemp("front")
    api_port, listen = free_port(), free_port()
    admin_key = "ic_" + secrets.token_urlsafe(32)
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(folder), "LANG": "C.UTF-8",
           "DATABASE_URL": integration_database_url, "BROKER_URL": REDIS_URL,
           "ADMIN_API_KEY": admin_key, "WEB_CONCURRENCY": "2", "WEB_THREADS": "4",
           "TRUSTED_PROXIES": "1", "RATE_LIMIT_FAILED_AUTH": f"{GUESSES}/minute"}
    with (folder / "serve.log").open("wb") as log:
        api = subprocess.Popen([str(CLI), "serve", "--port", str(api_port)], cwd=folder,
                               env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    nginx: subprocess.Popen[bytes] | None = None
    running = Front(f"http://127.0.0.1:{listen}", f"http://127.0.0.1:{api_port}", folder,
                    admin_key)
    try:
        processes.wait_until_ready(api, running.api, running.logs, START_TIMEOUT)
        nginx = start_nginx(folder, listen, api_port)
        processes.wait_until_ready(nginx, running.url, running.logs, START_TIMEOUT)
        yield running
    finally:
        if nginx is not None:
            stop_group(nginx, grace=10)
        stop_group(api, grace=20, leader_only=True)


def test_compose_publishes_the_front_alone_on_every_interface() -> None:
    """The API, its /metrics and Flower stay internal; the front is this file's nginx."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    public = {name for name, service in services.items() for port in service.get("ports", [])
              if not str(port).startswith("127.0.0.1:")}
    assert public == {"front"}
    front = services["front"]
    assert f"./{TEMPLATE.relative_to(ROOT)}:/etc/nginx/templates/default.conf.template:ro" \
        in front["volumes"]
    assert set(front["environment"]) == {"LISTEN_PORT", "API_ADDRESS"}  # what render() fills in
    assert front["ports"] == ["${API_PORT:-8000}:" + front["environment"]["LISTEN_PORT"]]
    assert services["api"]["environment"]["TRUSTED_PROXIES"] == "1"  # the front, as here


def test_a_guesser_behind_the_front_cannot_forge_its_address(front: Front) -> None:
    """The front sets X-Forwarded-For itself: a forged one does not make a new client, so the
    guesses meet the failed-authentication limit; a right key is still served."""
    answers = [requests.get(f"{front.url}/v1/people", timeout=HTTP_TIMEOUT, headers={
        "Authorization": f"Bearer ic_{secrets.token_urlsafe(32)}",
        "X-Forwarded-For": f"10.9.{n}.1"}).status_code for n in range(GUESSES + 1)]
    assert set(answers) <= {401, 429} and answers[-1] == 429, answers
    assert answers == sorted(answers), answers  # once refused, refused until the window ends
    right = requests.get(f"{front.url}/v1/people", timeout=HTTP_TIMEOUT,
                         headers={"Authorization": f"Bearer {front.admin_key}"})
    assert right.status_code == 200, right.text


def test_healthz_answers_at_once_through_the_front_while_300_clients_send_headers_slowly(
        front: Front, figures: Callable[[str], None]) -> None:
    with slow_clients("127.0.0.1", int(front.url.rsplit(":", 1)[1]), SLOW_CLIENTS) as attack:
        probes = probe_healthz(front.url)
        held = attack.connected
    figures(f"front: /healthz through nginx with {held} slow clients: {probes}")
    assert held == SLOW_CLIENTS, f"only {held} slow connections opened ({attack.refused} refused)"
    assert probes.statuses == [200] * len(probes.statuses), (str(probes), front.logs())
    assert probes.median < 1.0, (str(probes), front.logs())


def test_the_api_answers_through_the_front(front: Front) -> None:
    auth = {"Authorization": f"Bearer {front.admin_key}"}
    email = f"front-{secrets.token_hex(4)}@example.com"
    r = requests.post(front.url + "/v1/people", headers=auth, timeout=HTTP_TIMEOUT,
                      json={"name": "Pat", "email": email, "role": "interviewer"})
    assert r.status_code == 201, r.text
    got = requests.get(f"{front.url}/v1/people/{r.json()['id']}", headers=auth,
                       timeout=HTTP_TIMEOUT)
    assert got.status_code == 200 and got.json()["email"] == email
    spec = requests.get(front.url + "/openapi.json", timeout=HTTP_TIMEOUT)  # larger than a buffer
    assert spec.status_code == 200 and spec.json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("path", ["/metrics", "//metrics", "/%6Detrics", "/./metrics",
                                  "/metrics?format=openmetrics"])
def test_metrics_are_not_served_through_the_front(front: Front, path: str) -> None:
    r = requests.get(front.url + path, timeout=HTTP_TIMEOUT)
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "interview_calendar_http_requests_total" not in r.text
    inside = requests.get(front.api + "/metrics", timeout=HTTP_TIMEOUT)
    assert inside.status_code == 200
    assert "interview_calendar_http_requests_total" in inside.text


def raw_request(url: str, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request head (and no body) on a socket; the status, headers and body answered."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=HTTP_TIMEOUT) as sock:
        sock.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        top, _, body = answer.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
        while len(body) < int(headers["content-length"]):
            body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def test_a_body_over_32_mib_is_refused_by_the_front_before_it_is_sent(front: Front) -> None:
    status, headers, body = raw_request(front.url, (
        f"POST /v1/people HTTP/1.1\r\nHost: localhost\r\n"
        f"Authorization: Bearer {front.admin_key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_BODY + 1}\r\n\r\n").encode())
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413


def test_one_address_holds_at_most_64_requests_in_flight(front: Front) -> None:
    """Requests whose body is still coming are in flight: with 64 of them held, the next
    request from the same address is a 429 with Retry-After; once they are gone, it passes."""
    host, port = front.url.removeprefix("http://").rsplit(":", 1)
    head = (f"POST /v1/people HTTP/1.1\r\nHost: localhost\r\n"
            f"Authorization: Bearer {front.admin_key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 100\r\n\r\n{{").encode()

    def hold() -> socket.socket:
        sock = socket.create_connection((host, int(port)), timeout=HTTP_TIMEOUT)
        sock.sendall(head)
        return sock

    held = [hold() for _ in range(PER_ADDRESS)]
    try:
        deadline = time.monotonic() + 10
        while (refused := requests.get(front.url + "/healthz", timeout=HTTP_TIMEOUT)
               ).status_code != 429:
            assert time.monotonic() < deadline, f"/healthz answers {refused.status_code}\n" + \
                front.logs()
            # A request of an earlier test may still have counted when a hold came in: that
            # one was answered (a 429); hold another in its place.
            answered, _, _ = select.select(held, [], [], 0.1)
            for sock in answered:
                sock.close()
                held[held.index(sock)] = hold()
    finally:
        for sock in held:
            sock.close()
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "1"
    healthz_until(front, 200)


def healthz_until(front: Front, status: int, timeout: float = 10) -> requests.Response:
    """GET /healthz through the front until it answers `status` (nginx counts the requests
    it has read, a moment after they were sent)."""
    deadline = time.monotonic() + timeout
    while (r := requests.get(front.url + "/healthz", timeout=HTTP_TIMEOUT)).status_code != status:
        assert time.monotonic() < deadline, f"/healthz still answers {r.status_code}\n" + \
            front.logs()
        time.sleep(0.1)
    return r
