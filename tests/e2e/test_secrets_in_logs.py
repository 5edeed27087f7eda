"""No API key in the logs or in an error body: `serve` run as a user runs it, its whole output read.

The server gets ADMIN_API_KEY from its environment; the test makes ordinary and failing requests
(401, 403, 404, 422, 400, 405) with the admin key, a person's key and wrong keys, stops the
server so that every line is flushed, and searches stdout and stderr for each key. The one place
a key is meant to be printed, the generated admin key on a first start without ADMIN_API_KEY,
is checked too: printed once, and never again in the same output.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_embedded_serve import (
    CLI,
    HTTP_TIMEOUT,
    KEY,
    KEY_BANNER,
    SERVER_ENV,
    Server,
    tomorrow,
    wait_until_ready,
    z,
)
from tests.processes import free_port

pytestmark = pytest.mark.timeout(180)


def start(root: Path, **env: str) -> Server:
    port = free_port()
    full_env = {"PATH": os.defpath, "HOME": str(root), "LANG": "C.UTF-8",
                "INSTANCE_PATH": str(root / "instance"), **SERVER_ENV, **env}
    out, err = root / "stdout", root / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([str(CLI), "serve", "--port", str(port)], cwd=root, env=full_env,
                                stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", out, err)
    wait_until_ready(server)
    return server


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def call(server: Server, method: str, path: str, key: str | None, body: Any = None,
         **headers: str) -> requests.Response:
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return requests.request(method, server.url + path, json=body, headers=headers,
                            timeout=HTTP_TIMEOUT)


def everything_printed(server: Server) -> str:
    server.stop()
    return server.stdout.read_text(errors="replace") + server.stderr.read_text(errors="replace")


def test_no_key_appears_in_the_logs_or_in_an_error_body(tmp_path: Path,
                                                         servers: list[Server]) -> None:
    admin = f"ic_{secrets.token_urlsafe(32)}"
    server = start(tmp_path, ADMIN_API_KEY=admin)
    servers.append(server)
    r = call(server, "POST", "/v1/people", admin,
             {"name": "Pat", "email": "pat@example.com", "role": "candidate"})
    assert r.status_code == 201, r.text
    person, person_key = r.json()["id"], r.json()["api_key"]
    hour = tomorrow(10)
    r = call(server, "POST", f"/v1/people/{person}/availability", person_key,
             {"ranges": [{"start": z(hour), "end": z(tomorrow(12))}]}, Prefer="wait=20")
    assert r.status_code == 200, r.text
    wrong = [admin + "x", admin[:-1], f"ic_{secrets.token_urlsafe(32)}", person_key + "0"]
    failures = [
        *(call(server, "GET", "/v1/people", key) for key in wrong),  # 401
        call(server, "GET", "/v1/people", None, Authorization=f"Basic {admin}"),  # 401
        call(server, "GET", "/v1/people", None, Authorization=admin),  # 401: no scheme
        call(server, "POST", "/v1/people", person_key,
             {"name": "X", "email": "x@example.com", "role": "candidate"}),  # 403
        call(server, "GET", "/v1/people/00000000-0000-0000-0000-000000000000", admin),  # 404
        call(server, "GET", "/v1/jobs/nope", person_key),  # 404
        call(server, "POST", "/v1/people", admin, {"name": "Pat", "email": "bad"}),  # 422
        call(server, "POST", f"/v1/people/{person}/availability", admin,
             {"ranges": [{"start": "yesterday", "end": "soon"}]}),  # 422
        requests.post(server.url + "/v1/people", data=b"{not json",  # 400
                      headers={"Authorization": f"Bearer {admin}",
                               "Content-Type": "application/json"}, timeout=HTTP_TIMEOUT),
        call(server, "PATCH", "/v1/people", admin),  # 405
    ]
    assert sorted({r.status_code for r in failures}) == [400, 401, 403, 404, 405, 422]
    for r in failures:
        for secret in (admin, person_key, *wrong):
            assert secret not in r.text, (r.status_code, r.text)
            assert secret not in str(r.headers), (r.status_code, r.headers)
    printed = everything_printed(server)
    assert "Interview Calendar (embedded) on" in printed  # the whole output was captured
    assert KEY_BANNER not in printed
    for secret in (admin, person_key, *wrong):
        assert secret not in printed, f"a key appears in the output:\n{printed[-4000:]}"
    assert admin[3:20] not in printed and person_key[3:20] not in printed  # nor a part of one


def test_a_generated_admin_key_is_printed_once_and_only_there(tmp_path: Path,
                                                              servers: list[Server]) -> None:
    server = start(tmp_path)
    servers.append(server)
    found = KEY.search(server.output())
    assert found is not None, server.logs()
    generated = found.group(1)
    assert call(server, "GET", "/v1/people", generated).status_code == 200
    assert call(server, "GET", "/v1/people", generated + "x").status_code == 401
    assert call(server, "POST", "/v1/people", generated, {"role": "nobody"}).status_code == 422
    printed = everything_printed(server)
    assert printed.count(generated) == 1, printed[-4000:]
    assert printed.count(KEY_BANNER) == 1
