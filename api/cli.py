"""The `interview-calendar` command: serve, worker, migrate, create-admin-key, demo, bench."""

from __future__ import annotations

import argparse
import sys

from dotenv import find_dotenv, load_dotenv
from sqlalchemy import inspect

from workers import api_keys, logs
from workers.clock import SystemClock
from workers.settings import Settings, SettingsError


def _settings() -> Settings:
    load_dotenv(find_dotenv(usecwd=True))
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"configuration error: {exc}")
    logs.configure(settings.log_json)
    return settings


def _bootstrap_admin(settings: Settings) -> None:
    """Register ADMIN_API_KEY, or print a generated admin key once when there is none."""
    from models import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    if not inspect(engine).has_table("api_keys"):
        engine.dispose()
        sys.exit("the database has no schema yet: run `interview-calendar migrate` first")
    with make_session_factory(engine).begin() as session:
        generated = api_keys.ensure_admin(session, settings.admin_api_key, SystemClock().now())
    engine.dispose()
    if generated:
        print(f"Generated an admin API key (shown once; store it now):\n  {generated}", flush=True)


def serve(args: argparse.Namespace) -> None:
    from api import server
    from models.migrate import upgrade

    settings = _settings()
    port = args.port or settings.port
    if settings.embedded:
        upgrade(settings.database_url)
        _bootstrap_admin(settings)
        server.serve_embedded(settings, args.host, port)
    else:
        _bootstrap_admin(settings)
        server.serve_production(settings, args.host, port)


def worker(args: argparse.Namespace) -> None:
    from workers.queue.worker import run

    settings = _settings()
    if settings.embedded:
        sys.exit("`worker` needs BROKER_URL; in embedded mode `serve` runs its own worker")
    # `--` ends our options; celery would read it as a value
    run(settings, args.loglevel, [a for a in args.passed_on if a != "--"], args.queues)


def migrate(_: argparse.Namespace) -> None:
    from models.migrate import upgrade

    upgrade(_settings().database_url)
    print("database schema is up to date")


def create_admin_key(args: argparse.Namespace) -> None:
    from models import make_engine, make_session_factory

    engine = make_engine(_settings().database_url)
    with make_session_factory(engine).begin() as session:
        key = api_keys.issue(session, "admin", SystemClock().now(), label=args.label)
    engine.dispose()
    print(key)


def demo(_: argparse.Namespace) -> None:
    from api.demo import load

    settings = _settings()
    for line in load(settings, SystemClock().now()):
        print(line)


def bench(args: argparse.Namespace) -> None:
    """`python -m bench` with the arguments after `bench`. The benchmark lives in the repository,
    not in the image, so only this command needs it."""
    try:
        from bench.run import main as run_bench
    except ModuleNotFoundError as missing:
        if missing.name != "bench":
            raise
        sys.exit("`bench` runs from a checkout of the repository (no `bench` package here)")
    run_bench(args.passed_on, prog="interview-calendar bench")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="interview-calendar", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the HTTP API (embedded mode: also the worker)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default: $PORT, else 8000")
    p.set_defaults(func=serve)
    p = sub.add_parser("worker", help="run a Celery worker (production mode)")
    p.add_argument("--loglevel", default="INFO")
    p.add_argument("--queues", choices=("jobs", "deliveries", "all"), default="all",
                   help="the jobs, the webhook deliveries (a pool of DELIVERY_CONCURRENCY "
                   "threads), or both in one pool (default)")
    p.set_defaults(func=worker)
    sub.add_parser("migrate", help="apply the database migrations").set_defaults(func=migrate)
    p = sub.add_parser("create-admin-key", help="create and print a new admin API key")
    p.add_argument("--label", default="created by create-admin-key")
    p.set_defaults(func=create_admin_key)
    sub.add_parser("demo", help="load demo people with time zones, weekly hours and a calendar"
                   ).set_defaults(func=demo)
    p = sub.add_parser("bench", add_help=False,  # its options and --help are bench's own
                       help="benchmark the production stack against its baselines")
    p.set_defaults(func=bench)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("worker", "bench"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.passed_on = extra  # `worker` passes what it does not know on to `celery worker`,
    # `bench` to the benchmark
    args.func(args)


if __name__ == "__main__":
    main()
