"""`interview-calendar demo` on a fresh embedded calendar: people in their own zones with weekly
hours that the calendar offers at once, and slots between them; a second run adds nobody."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from models import AvailabilityHour, BusyHour, CalendarFeed, Person, WeeklyHours, make_engine
from tests.e2e.test_embedded_serve import CLI

LINE = re.compile(r"^(interviewer|candidate)\s+.+?\s+(\S+/\S+)\s+id=(\S+) api_key=(ic_\S+)$")


def demo(root: Path) -> list[str]:
    env = {"PATH": os.defpath, "HOME": str(root), "LANG": "C.UTF-8",
           "INSTANCE_PATH": str(root / "instance")}
    done = subprocess.run([str(CLI), "demo"], env=env, cwd=root, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_demo_loads_people_with_zones_and_weekly_hours_once(tmp_path: Path) -> None:
    lines = demo(tmp_path)
    people = [LINE.match(line) for line in lines]
    assert len(people) == 7 and all(people), lines
    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'interview-calendar.sqlite3'}")
    week = datetime.now(UTC) + timedelta(days=7)
    with engine.connect() as conn:
        zones = dict(conn.execute(select(Person.email, Person.time_zone)).all())
        assert len(set(zones.values())) >= 5
        assert conn.scalar(select(func.count()).select_from(WeeklyHours)) == 7
        offered = conn.scalar(select(func.count()).select_from(AvailabilityHour)
                              .where(AvailabilityHour.start < week))
        assert offered and offered > 7 * 3 * 3  # three days or more of hours each, this week
        interviewer, candidate = (select(AvailabilityHour.start).where(
            AvailabilityHour.role == role, AvailabilityHour.start < week) for role in
            ("interviewer", "candidate"))
        both = conn.scalar(select(func.count()).select_from(
            interviewer.intersect(candidate).subquery()))
        assert both, "no hour this week where an interview could take place"
        status, events = conn.execute(select(CalendarFeed.status, CalendarFeed.events)).one()
        assert (status, events) == ("ok", 2)  # a stand-up and a review, both recurring
        busy = conn.scalar(select(func.count()).select_from(BusyHour)
                           .where(BusyHour.start < week))
        assert busy and busy >= 5  # five stand-ups a week at least
    engine.dispose()
    again = demo(tmp_path)
    assert all(line.endswith("already present") for line in again), again
