"""The one settings object, built from the environment at each entry point and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many

DEFAULT_INSTANCE = Path("instance")
MIN_ADMIN_KEY = 32  # characters: `openssl rand -hex 32` gives 64
# An Idempotency-Key replays its answer for 48 hours (workers/queue/sweep.py): a job is kept at
# least that long after it finished, so a replayed answer never names a job already pruned.
MIN_RETENTION_DAYS = 2


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names it."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. `broker_url` None means embedded mode (in-process worker)."""

    database_url: str
    broker_url: str | None = None
    admin_api_key: str | None = None
    calendar_tz: str = "UTC"
    port: int = 8000
    webhook_allow_private_networks: bool = False
    instance_path: Path = DEFAULT_INSTANCE
    job_lease_seconds: float = 30.0
    job_max_attempts: int = 5
    sweep_interval_seconds: float = 5.0
    requeue_after_seconds: float = 60.0
    max_body_bytes: int = 32 * 1024 * 1024
    embedded_concurrency: int = 2
    delivery_concurrency: int = 16  # threads of a deliveries worker (and of the embedded one)
    delivery_deadline_seconds: float = 15.0  # one webhook attempt, connect to answer, in all
    web_concurrency: int = 2  # granian worker processes (production)
    web_threads: int = 4  # threads per granian worker that run the app
    prefer_wait_slots: int = 2  # requests of one process that may wait for their job at once
    log_json: bool = False
    rate_limit_writes: str = "600/minute"
    rate_limit_matches: str = "60/minute"
    rate_limit_reads: str = "3000/minute"
    rate_limit_failed_auth: str = "100/minute"  # 401s per client address
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For names the client
    rate_limit_storage_url: str | None = None
    match_max_cells: int = 2_000_000
    bench_endpoints: bool = False  # /bench/hello and /bench/select, the benchmark's baselines
    job_retention_days: int = 30  # finished jobs and deliveries are deleted this long after
    calendar_sync_minutes: float = 15.0  # people's calendar feeds are read again this often

    @property
    def embedded(self) -> bool:
        return self.broker_url is None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.calendar_tz)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (a `.env` file is loaded by the CLI before this runs)."""
        env = os.environ if env is None else env
        instance = Path(env.get("INSTANCE_PATH", str(DEFAULT_INSTANCE))).resolve()
        default_db = f"sqlite:///{instance / 'interview-calendar.sqlite3'}"
        database_url = env.get("DATABASE_URL") or default_db
        calendar_tz = env.get("CALENDAR_TZ", "UTC")
        try:
            ZoneInfo(calendar_tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"CALENDAR_TZ={calendar_tz!r} is not an IANA time zone") from exc
        limits = {name: env.get(name, default) for name, default in (
            ("RATE_LIMIT_WRITES", cls.rate_limit_writes),
            ("RATE_LIMIT_MATCHES", cls.rate_limit_matches),
            ("RATE_LIMIT_READS", cls.rate_limit_reads),
            ("RATE_LIMIT_FAILED_AUTH", cls.rate_limit_failed_auth))}
        for name, value in limits.items():
            _check_rate(name, value)
        admin_api_key = env.get("ADMIN_API_KEY") or None
        if admin_api_key is not None and len(admin_api_key.strip()) < MIN_ADMIN_KEY:
            raise SettingsError(f"ADMIN_API_KEY is shorter than {MIN_ADMIN_KEY} characters: "
                                "it would be guessable; use e.g. `openssl rand -hex 32`")
        try:
            return cls(
                database_url=_normalise_db_url(database_url),
                broker_url=env.get("BROKER_URL") or None,
                admin_api_key=admin_api_key,
                calendar_tz=calendar_tz,
                port=int(env.get("PORT", "8000")),
                webhook_allow_private_networks=_flag(env.get("WEBHOOK_ALLOW_PRIVATE_NETWORKS")),
                instance_path=instance,
                job_lease_seconds=float(env.get("JOB_LEASE_SECONDS", "30")),
                job_max_attempts=int(env.get("JOB_MAX_ATTEMPTS", "5")),
                sweep_interval_seconds=float(env.get("SWEEP_INTERVAL_SECONDS", "5")),
                requeue_after_seconds=float(env.get("REQUEUE_AFTER_SECONDS", "60")),
                log_json=env.get("LOG_FORMAT", "json" if env.get("BROKER_URL") else "text")
                == "json",
                rate_limit_writes=limits["RATE_LIMIT_WRITES"],
                rate_limit_matches=limits["RATE_LIMIT_MATCHES"],
                rate_limit_reads=limits["RATE_LIMIT_READS"],
                rate_limit_failed_auth=limits["RATE_LIMIT_FAILED_AUTH"],
                trusted_proxies=_positive("TRUSTED_PROXIES",
                                          env.get("TRUSTED_PROXIES", "0"), least=0),
                rate_limit_storage_url=env.get("RATE_LIMIT_STORAGE_URL") or None,
                match_max_cells=_positive("MATCH_MAX_CELLS",
                                          env.get("MATCH_MAX_CELLS", str(cls.match_max_cells))),
                bench_endpoints=_flag(env.get("BENCH_ENDPOINTS")),
                web_concurrency=_positive("WEB_CONCURRENCY", env.get("WEB_CONCURRENCY", "2")),
                web_threads=_positive("WEB_THREADS", env.get("WEB_THREADS", "4")),
                prefer_wait_slots=_positive("PREFER_WAIT_SLOTS",
                                            env.get("PREFER_WAIT_SLOTS", "2")),
                delivery_concurrency=_positive("DELIVERY_CONCURRENCY",
                                               env.get("DELIVERY_CONCURRENCY", "16")),
                delivery_deadline_seconds=_positive_seconds(
                    "DELIVERY_DEADLINE_SECONDS", env.get("DELIVERY_DEADLINE_SECONDS", "15")),
                job_retention_days=_retention(env.get("JOB_RETENTION_DAYS", "30")),
                calendar_sync_minutes=_positive_seconds(
                    "CALENDAR_SYNC_MINUTES", env.get("CALENDAR_SYNC_MINUTES", "15"),
                    most=24 * 60, unit="minutes"),
            )
        except SettingsError:
            raise
        except ValueError as exc:
            raise SettingsError(f"invalid numeric setting: {exc}") from exc


def _check_rate(name: str, value: str) -> None:
    """A rate such as `600/minute` or `10 per second` (the `limits` notation)."""
    try:
        if parse_many(value):
            return
    except ValueError:
        pass
    raise SettingsError(f"{name}={value!r} is not a rate such as '600/minute'")


def _positive(name: str, value: str, least: int = 1) -> int:
    number = int(value)
    if number < least:
        raise SettingsError(f"{name}={value!r} must be an integer of at least {least}")
    return number


def _positive_seconds(name: str, value: str, most: float = 300, unit: str = "seconds") -> float:
    seconds = float(value)
    if not 0 < seconds <= most:  # NaN and infinity too
        raise SettingsError(f"{name}={value!r} must be more than 0 and at most {most:g} {unit}")
    return seconds


def _retention(value: str) -> int:
    days = int(value)
    if days < MIN_RETENTION_DAYS:
        raise SettingsError(f"JOB_RETENTION_DAYS={value!r} must be at least "
                            f"{MIN_RETENTION_DAYS} (days an Idempotency-Key replays its answer)")
    return days


def _normalise_db_url(url: str) -> str:
    """Accept the `postgres://` spelling that hosting platforms hand out."""
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url
