"""Attack on the embedded `serve`: webhook receivers that dribble their answers a byte a second
must not hold anyone's jobs. Deliveries have a worker and a pool of their own, so jobs submitted
meanwhile finish as fast as ever."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.test_embedded_serve import Client, Launcher, Server, printed_key, tomorrow, z
from tests.receiver import Dribbler, dribbling

pytestmark = pytest.mark.timeout(240)

RECEIVERS = 4  # twice the jobs' pool (EMBEDDED_CONCURRENCY threads)
JOBS = 4
PROMPT = 10.0  # seconds; below the delivery deadline, so a job held by one attempt fails it
PATIENCE = 120.0  # how long the jobs are waited for, to measure what they waited


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`serve`, embedded, allowed to send webhooks to receivers on 127.0.0.1."""
    launch = Launcher(tmp_path)
    try:
        yield launch.start(WEBHOOK_ALLOW_PRIVATE_NETWORKS="true")
    finally:
        launch.kill_all()


def test_jobs_finish_promptly_while_webhook_receivers_dribble_their_answers(
        server: Server, figures: Callable[[str], None]) -> None:
    client = Client(server.url, printed_key(server))
    with ExitStack() as receivers:
        dribblers: list[Dribbler] = [receivers.enter_context(dribbling(lasting=60))
                                     for _ in range(RECEIVERS)]
        for dribbler in dribblers:
            hook = client.call("POST", "/v1/webhooks",
                               {"url": dribbler.url, "events": ["job.succeeded"]})
            assert hook.status_code == 201, hook.text
        submit(client, 0)  # its success goes to every receiver
        wait_for_arrivals(dribblers, 2, server.logs)  # as many as the jobs' pool has threads

        began = time.monotonic()
        locations = [submit(client, hour) for hour in range(1, JOBS + 1)]
        jobs = [client.finished(location, PATIENCE) for location in locations]
        took = time.monotonic() - began

    figures(f"slow webhook receivers, embedded: {JOBS} jobs behind {RECEIVERS} receivers "
            f"dribbling a byte a second finished in {took:.1f} s")
    assert [job["status"] for job in jobs] == ["succeeded"] * JOBS, jobs
    assert took < PROMPT, f"the jobs waited {took:.1f} s behind the deliveries"


def submit(client: Client, hour: int) -> str:
    """An availability job for a new interviewer; its Location."""
    r = client.call("POST", f"/v1/people/{client.person('interviewer')}/availability",
                    {"ranges": [{"start": z(tomorrow(hour)), "end": z(tomorrow(hour + 1))}]})
    assert r.status_code == 202, r.text
    location: str = r.headers["Location"]
    return location


def wait_for_arrivals(dribblers: list[Dribbler], count: int, logs: Callable[[], str]) -> None:
    deadline = time.monotonic() + 30
    while sum(len(d.arrivals) for d in dribblers) < count:
        assert time.monotonic() < deadline, f"the deliveries did not arrive\n{logs()}"
        time.sleep(0.1)
