"""Where the time goes: cProfile of the hot paths, run in this process on the run's database
(the HTTP handlers through Flask's test client, the job runners called directly)."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from bench.context import Bench, ranges_body
from scheduling.hours import HOUR, Range
from workers.resources import z

OUR_CODE = r"(api|workers|scheduling|models)/"
LINES = 12


def _profile(title: str, action: Callable[[], object]) -> str:
    profile = cProfile.Profile()
    profile.enable()
    action()
    profile.disable()
    ours, overall = io.StringIO(), io.StringIO()
    pstats.Stats(profile, stream=ours).sort_stats("cumulative").print_stats(OUR_CODE, LINES)
    pstats.Stats(profile, stream=overall).sort_stats("tottime").print_stats(LINES)
    return (f"### {title}\n\nOur functions, by cumulative time:\n\n```\n{_table(ours)}\n```\n\n"
            f"Everything, by own time:\n\n```\n{_table(overall)}\n```\n")


def _table(stream: io.StringIO) -> str:
    """The statistics' header line and rows, without pstats' preamble."""
    lines = stream.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip())


def profiles(bench: Bench) -> list[str]:
    """Markdown sections: the slot queries, a tiny job's two halves, and the match runner."""
    from api.app import create_app
    from workers import matches, outbox
    from workers.queue import attempts
    from workers.queue.factory import create_runtime
    from workers.settings import Settings

    settings = Settings.from_env(bench.stack.env)
    runtime = create_runtime(settings)
    client = create_app(runtime).test_client()
    headers = {"Authorization": f"Bearer {bench.key}"}
    data, ids = bench.data, bench.ids
    window = {"from": z(data.main.start), "to": z(data.main.end)}
    candidate = ids[data.candidates[0]]
    named = "/v1/slots?" + urlencode([("candidate", candidate), *window.items(),
                                      *(("interviewer", ids[i]) for i in range(3))])
    alone = "/v1/slots?" + urlencode({"candidate": candidate, **window})
    hour = data.writes.hours()[-1]
    add = {"ranges": ranges_body([Range(hour, hour + HOUR)])}

    def submit_and_run_tiny_jobs() -> None:
        for _ in range(50):
            with Session(runtime.engine) as session, session.begin():  # no publishing
                job_id = outbox.submit(session, "availability.add", {
                    "person": candidate,
                    "ranges": [[hour.isoformat(), (hour + HOUR).isoformat()]]},
                    now=runtime.clock.now(), submitted_by=None).id
            attempts.run_job(runtime, job_id)

    def match() -> None:
        with runtime.sessions.begin() as session:
            matches.run(session, {"candidates": None, "interviewers": None,
                                  "from": data.main.start.isoformat(),
                                  "to": data.main.end.isoformat(), "book": False},
                        runtime.clock.now(), runtime.settings.tz)

    try:
        return [
            _profile("slot query, candidate + 3 interviewers: 50 requests",
                     lambda: [client.get(named, headers=headers) for _ in range(50)]),
            _profile("slot query, candidate only: 10 requests",
                     lambda: [client.get(alone, headers=headers) for _ in range(10)]),
            _profile("tiny job, the API's half: 50 one-hour adds submitted",
                     lambda: [client.post(f"/v1/people/{candidate}/availability", json=add,
                                          headers=headers) for _ in range(50)]),
            _profile("tiny job, the worker's half: 50 one-hour adds claimed and run",
                     submit_and_run_tiny_jobs),
            _profile("match job runner, everyone over the main window", match),
        ]
    finally:
        runtime.engine.dispose()
