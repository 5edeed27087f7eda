"""`python -m bench.servers`: the WSGI servers compared on the same app, database and dataset,
in one run: hello-world, slot-query and enqueue throughput (rounds taken in turn, server after
server, so the machine's other load falls on all of them alike), then /healthz while slow
clients dribble their headers straight at each server (no nginx in front)."""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import jobs, loading, queries
from bench.client import Call, throughput
from bench.context import Bench
from bench.dataset import generate
from bench.db import connect
from bench.sizes import Size
from bench.slow_clients import Probes, probe_healthz, slow_clients
from bench.stack import Stack, free_port, production_stack, wait_until_ready

log = logging.getLogger("bench")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER_URL = "redis://127.0.0.1:6379/10"  # a database of its own: other runs may share Redis
BIN = Path(sys.executable).parent
PRODUCTION = "granian"  # the stack's own web server: `interview-calendar serve`

# How each other server is started on `port`, as production's granian runs: two worker
# processes, 4 threads each that run the app (the pool has 5 connections), an access log.
COMMANDS: dict[str, Callable[[int], list[str]]] = {
    "gunicorn-gthread": lambda port: [
        str(BIN / "gunicorn"), "--workers", "2", "--threads", "4",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "api.wsgi:create()"],
    "gunicorn-gevent": lambda port: [
        str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "2",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
        "--config", "python:bench.gevent_hooks", "api.wsgi:create()"],
}
SERVERS = (PRODUCTION, *COMMANDS)


@dataclass
class Result:
    """One server's figures; a throughput run that failed counts 0 and a failure."""

    server: str
    hello: list[float] = field(default_factory=list)
    slot: list[float] = field(default_factory=list)
    enqueue: list[float] = field(default_factory=list)
    probes: Probes | None = None
    held: int = 0
    failures: int = 0

    def measure(self, url: str, key: str | None, calls: list[Call], seconds: float) -> float:
        try:
            return throughput(url, key, calls, seconds)
        except (RuntimeError, ConnectionError) as failed:
            log.warning("%s: %s", self.server, failed)
            self.failures += 1
            return 0.0

    def row(self) -> str:
        hello, slot = statistics.median(self.hello), statistics.median(self.slot)
        enqueue = statistics.median(self.enqueue)
        ratio = f"{slot / hello:.3f}" if hello else "—"
        healthz = (f"{self.probes.median:.2f} s | {max(self.probes.seconds):.2f} s"
                   if self.probes else "— | —")
        return (f"| {self.server} | {hello:,.0f} | {slot:,.0f} | {ratio} | {enqueue:,.0f} "
                f"| {healthz} | {self.held} | {self.failures} |")


HEADER = ("| server | hello req/s | slot req/s | slot/hello | enqueue req/s | /healthz median "
          "| /healthz max | slow connections held | failures |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")


def _start(stack: Stack, names: list[str]) -> dict[str, str]:
    """Each named server on a port of its own, ready; their base URLs."""
    urls = {}
    for name in names:
        if name == PRODUCTION:
            urls[name] = stack.base_url
            continue
        port = free_port()
        stack.start(name, *COMMANDS[name](port))
        urls[name] = f"http://127.0.0.1:{port}"
    for url in urls.values():
        wait_until_ready(stack, url)
    return urls


def _attack(result: Result, url: str, count: int) -> None:
    """/healthz, five times, while `count` connections send their headers a byte a second."""
    port = int(url.rsplit(":", 1)[1])
    with slow_clients("127.0.0.1", port, count) as attack:
        result.probes = probe_healthz(url)
        result.held = attack.connected
    result.failures += attack.refused + result.probes.statuses.count(None)


def run(names: list[str], size: Size, slow: int, pg_admin_url: str,
        broker_url: str) -> list[Result]:
    """Load the dataset, start every server, then measure them in turn, round after round."""
    data = generate(size, datetime.now(UTC))
    with production_stack(pg_admin_url, broker_url) as stack:
        conn = connect(stack.database_url)
        try:
            bench = Bench(stack, data, conn)
            loading.create_people(bench)
            loading.measure_import(bench)
            slots = queries.named_requests(bench).calls
            adds = jobs.one_hour_adds(bench, 4 * len(data.writes.hours()))
        finally:
            conn.close()
        # Nothing needs a worker (an enqueue only queues): they would only take CPU.
        for idle in ("worker", "noop"):
            stack.stop(idle)
        urls = _start(stack, names)
        results = {name: Result(name) for name in names}
        hello = [Call("GET", "/bench/hello")]
        for round_ in range(size.repeats):
            for name, result in results.items():
                result.hello.append(result.measure(urls[name], None, hello, size.seconds))
                result.slot.append(result.measure(urls[name], stack.admin_key, slots,
                                                  size.seconds))
                result.enqueue.append(result.measure(urls[name], stack.admin_key, adds,
                                                     size.seconds))
                log.info("round %d, %s: hello %.0f, slot %.0f, enqueue %.0f req/s", round_ + 1,
                         name, result.hello[-1], result.slot[-1], result.enqueue[-1])
        for name, result in results.items():
            _attack(result, urls[name], slow)
            log.info("%s, %d slow clients: /healthz %s", name, result.held, result.probes)
    return list(results.values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.servers", description=__doc__)
    parser.add_argument("--servers", type=lambda v: v.split(","), default=list(SERVERS),
                        metavar="NAME,...", help="of " + ", ".join(SERVERS) + " (default: all)")
    parser.add_argument("--interviewers", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; the table has medians")
    parser.add_argument("--slow", type=int, default=300, help="slow connections per server")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    parser.add_argument("--broker-url", default=BROKER_URL)
    args = parser.parse_args(argv)
    if set(args.servers) - set(SERVERS):
        parser.error(f"--servers: unknown {', '.join(sorted(set(args.servers) - set(SERVERS)))}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    size = Size("servers", interviewers=args.interviewers, candidates=args.candidates, days=20,
                free=0.3, tight_free=0.04, repeats=args.repeats, requests=0,
                seconds=args.seconds, writes=0, scale_jobs=0)
    results = run(args.servers, size, args.slow, args.pg_admin_url, args.broker_url)
    print(HEADER)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
